"""数字城管 urban management event/component case: the 7-step closed loop (standards-cn §3).

Version 2 gives the field verifier (监督员: the micro-grid or grid worker of the place) their own steps: the
on-site 核实 of a report before 立案, and the 核查 of the result, each with photos, before 结案. Version 1
stays as it was for the cases pinned to it."""

from __future__ import annotations

from dataclasses import replace

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

DISPATCH = {"dispatcher"}  # 监督/指挥中心: 受理员, 值班长, 派遣员
HANDLER = {"department_handler"}  # 专业部门 处置人员
CHECKER = {"grid_worker", "micro_grid_worker"}  # 监督员 on site
WATCH = {"dispatcher", "leader", "system"}

V1 = Spec(
    key="urban_event",
    version=1,
    label="城市管理事件部件",
    description=(
        "数字城管七步闭环:信息收集、案卷建立、任务派遣、任务处理、处理反馈、核查结案、综合评价。"
        "派遣起算处置时限并纳入督办;部门可退回重派、申请延期;核查不通过返工。"
    ),
    initial="reported",
    states=(
        State("reported", "已上报", sla=Limit(2, "work_hours")),
        State("filed", "已立案", sla=Limit(1, "work_hours")),
        State("dispatched", "已派遣", sla=Limit(2, "work_hours")),
        State("processing", "处置中", sla=Limit(5, "work_days")),
        State("checking", "待核查", sla=Limit(4, "work_hours")),
        State("verified", "核查通过", sla=Limit(2, "work_hours")),
        State("closed", "已结案", sla=Limit(5, "work_days")),
        State("evaluated", "已评价", terminal=True),
        State("rejected", "不予立案", terminal=True),
        State("merged", "已合并", terminal=True),
    ),
    transitions=(
        Transition("file", "立案", ("reported",), "filed", DISPATCH),
        Transition("reject", "不予立案", ("reported",), "rejected", DISPATCH,
                   requires={"reason"}, effects={"close"}),
        Transition("merge", "合并重复案件", ("reported", "filed"), "merged", DISPATCH,
                   requires={"merge_into"}, effects={"merge", "close"}),
        Transition("dispatch", "派遣", ("filed",), "dispatched", DISPATCH,
                   requires={"department"}, effects={"set_department", "start_clock"}),
        Transition("sign", "签收", ("dispatched",), "processing", HANDLER),
        Transition("return", "退回重派", ("dispatched", "processing"), "filed", HANDLER,
                   requires={"reason"}, effects={"count_return", "stop_clock"}),
        Transition("request_extension", "申请延期", ("processing",), "processing", HANDLER,
                   requires={"extension_until", "reason"}, effects={"request_extension"}),
        Transition("approve_extension", "同意延期", ("processing",), "processing", DISPATCH,
                   effects={"grant_extension"}),
        Transition("deny_extension", "不同意延期", ("processing",), "processing", DISPATCH,
                   requires={"reason"}, effects={"deny_extension"}),
        Transition("feedback", "处理反馈", ("processing",), "checking", HANDLER,
                   requires={"comment", "attachments"}, effects={"stop_clock"}),
        Transition("verify", "核查通过", ("checking",), "verified", CHECKER | DISPATCH,
                   requires={"attachments"}),
        Transition("rework", "核查不通过返工", ("checking",), "processing", CHECKER | DISPATCH,
                   requires={"reason"}, effects={"count_rework", "start_clock"}),
        Transition("close", "结案", ("verified",), "closed", DISPATCH, effects={"close"}),
        Transition("evaluate", "综合评价", ("closed",), "evaluated", {"reporter", "dispatcher", "system"},
                   requires={"satisfaction"}, effects={"record_rating", "close"}),
        # self-loops while the department works the case (an action key may occur once per spec)
        Transition("remind", "催办", ("processing",), "processing", WATCH, effects={"remind"}),
        Transition("supervise", "督办", ("processing",), "processing", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)


def _v1(action: str) -> Transition:
    return V1.transition(action)


PRE_FILING = ("reported", "verifying", "confirmed", "unfounded")

SPEC = replace(
    V1,
    version=2,
    description=(
        "数字城管七步闭环:信息收集、案卷建立、任务派遣、任务处理、处理反馈、核查结案、综合评价。"
        "立案前由所在微网格(网格)的监督员现场核实并拍照;派遣起算处置时限并纳入督办;部门可退回重派、"
        "申请延期;处理反馈须附处置后照片;监督员现场核查并拍照,通过后结案,不通过返工。"
    ),
    states=(
        V1.state("reported"),
        State("verifying", "待核实", sla=Limit(1, "work_hours")),
        State("confirmed", "核实属实", sla=Limit(1, "work_hours")),
        State("unfounded", "核实不属实", sla=Limit(1, "work_hours")),
        *V1.states[1:],
    ),
    transitions=(
        Transition("send_to_verify", "派监督员核实", ("reported",), "verifying", DISPATCH),
        Transition("confirm", "现场核实属实", ("reported", "verifying"), "confirmed", CHECKER,
                   requires={"comment", "attachments"}),
        Transition("refute", "现场核实不属实", ("reported", "verifying"), "unfounded", CHECKER,
                   requires={"reason", "attachments"}),
        replace(_v1("file"), sources=("reported", "confirmed", "unfounded")),
        replace(_v1("reject"), sources=PRE_FILING),
        replace(_v1("merge"), sources=(*PRE_FILING, "filed")),
        *(_v1(a) for a in ("dispatch", "sign", "return", "request_extension", "approve_extension",
                           "deny_extension", "feedback")),
        # 核查 is on site: the field verifier's, with photos; the centre may still send the work back
        replace(_v1("verify"), label="现场核查通过", roles=frozenset(CHECKER)),
        replace(_v1("rework"), evidence=("photo",)),
        *(_v1(a) for a in ("close", "evaluate", "remind", "supervise")),
    ),
)
