"""项目堵点 (project blocker): 企业或专员提出 → 交办主办单位(+协办, 含区外单位) → 定方案和期限 → 办理 →
企业确认 → 结案评价 (domain doc B5 `project_blocker`), on the working-day calendar like every case type."""

from __future__ import annotations

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

DESK = {"enterprise_officer", "dispatcher"}  # the zone's project officers and the command centre
LEAD = {"lead_unit"}
CO = {"co_unit"}
CONFIRM = {"reporter", "enterprise_officer"}  # the enterprise confirms (its contact, or the officer for it)
WATCH = {"dispatcher", "leader", "system"}

SPEC = Spec(
    key="project_blocker",
    version=1,
    label="项目堵点",
    description=(
        "项目建设中的堵点痛点:企业联系人或项目专员提出,交办主办单位并可加协办单位(含市级部门、银行等区外单位,"
        "由专员代为登记其办理情况),各协办单位有自己的任务和期限;主办单位3个工作日内制定方案并明确解决期限,"
        "协办任务全部反馈后报解决,企业确认并评价后结案,企业认为未解决的退回继续办理。"
    ),
    initial="raised",
    states=(
        State("raised", "已提出", sla=Limit(1, "work_days")),
        State("assigned", "已交办", sla=Limit(3, "work_days")),
        State("handling", "办理中", sla=Limit(10, "work_days")),
        State("resolved", "已解决待确认", sla=Limit(3, "work_days")),
        State("closed", "已结案", terminal=True),
        State("declined", "不予受理", terminal=True),
    ),
    transitions=(
        Transition("decline", "不予受理", ("raised",), "declined", DESK, requires={"reason"}, effects={"close"}),
        Transition("assign", "交办", ("raised",), "assigned", DESK, requires={"department"},
                   effects={"set_department", "add_co_departments", "assign_tasks", "start_clock"}),
        Transition("return", "退回重新交办", ("assigned",), "raised", LEAD,
                   requires={"reason"}, effects={"count_return", "stop_clock"}),
        Transition("plan", "制定方案", ("assigned",), "handling", LEAD,
                   requires={"comment", "deadline"}, effects={"start_clock"}),
        Transition("add_tasks", "增加协办任务", ("handling",), "handling", LEAD | DESK,
                   requires={"tasks"}, effects={"assign_tasks"}),
        Transition("co_feedback", "协办反馈", ("handling",), "handling", CO,
                   requires={"comment"}, effects={"complete_task"}),
        Transition("resolve", "报解决", ("handling",), "resolved", LEAD,
                   requires={"comment"}, effects={"require_tasks_done", "stop_clock"}),
        Transition("confirm", "确认解决并评价", ("resolved",), "closed", CONFIRM,
                   requires={"satisfaction", "method"}, effects={"record_follow_up", "record_rating", "close"}),
        Transition("reject_resolution", "未解决退回", ("resolved",), "handling", CONFIRM,
                   requires={"reason"}, effects={"count_rework", "start_clock"}, sla=Limit(5, "work_days")),
        Transition("remind", "催办", ("handling",), "handling", WATCH - {"leader"}, effects={"remind"}),
        Transition("supervise", "督办", ("handling",), "handling", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)
