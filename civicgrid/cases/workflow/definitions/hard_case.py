"""办不成事 window (疑难兜底): 登记 → 领导包案 → 会商 → 办理 → 办结 → 回访 → 结案 (standards-cn §5.6)."""

from __future__ import annotations

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

WINDOW = {"dispatcher", "street_admin", "community_admin"}  # 首问负责 window staff
LEAD = {"leader", "dispatcher", "street_admin"}  # the leader in charge and the coordinating office
HANDLER = {"department_handler", "street_admin", "community_admin"}
FOLLOW = {"dispatcher", "street_admin", "community_admin", "reporter"}
WATCH = {"leader", "dispatcher", "system"}

SPEC = Spec(
    key="hard_case",
    version=1,
    label="办不成事",
    description=(
        "“办不成事”反映窗口兜底办理:首问负责登记,领导包案,召集相关部门会商,明确主办协办后办理,"
        "办结后回访;不满意的15个工作日内重办。非疑难事项转常规渠道办理。"
    ),
    initial="registered",
    states=(
        State("registered", "已登记", sla=Limit(1, "work_days")),
        State("leader_assigned", "领导已包案", sla=Limit(3, "work_days")),
        State("consulting", "会商中", sla=Limit(5, "work_days")),
        State("handling", "办理中", sla=Limit(15, "work_days")),
        State("concluded", "已办结", sla=Limit(3, "work_days")),
        State("followed_up", "已回访", sla=Limit(1, "work_days")),
        State("closed", "已结案", terminal=True),
        State("transferred", "转常规办理", terminal=True),
    ),
    transitions=(
        Transition("assign_leader", "领导包案", ("registered",), "leader_assigned", WINDOW,
                   requires={"leader"}, effects={"assign_leader"}),
        Transition("transfer", "转常规渠道", ("registered",), "transferred", WINDOW,
                   requires={"reason"}, effects={"close"}),
        Transition("convene", "召开会商", ("leader_assigned",), "consulting", LEAD),
        Transition("decide", "会商定责", ("consulting",), "handling", LEAD, requires={"department", "comment"},
                   effects={"set_department", "add_co_departments", "start_clock"}),
        Transition("conclude", "办结", ("handling",), "concluded", HANDLER,
                   requires={"comment"}, effects={"stop_clock"}),
        Transition("follow_up", "回访", ("concluded",), "followed_up", FOLLOW,
                   requires={"satisfaction", "method"}, effects={"record_follow_up", "record_rating"}),
        Transition("close", "结案", ("followed_up",), "closed", WINDOW | {"leader"}, effects={"close"}),
        Transition("rework", "不满意重办", ("followed_up",), "handling", WINDOW | {"leader"},
                   requires={"reason"}, effects={"count_rework", "start_clock"},
                   sla=Limit(15, "work_days")),
        Transition("remind", "催办", ("handling",), "handling", WATCH - {"leader"}, effects={"remind"}),
        Transition("supervise", "督办", ("handling",), "handling", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)
