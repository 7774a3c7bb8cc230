"""助企纾困 · 一企一策 enterprise relief case: 受理 → 分派(主办+协办, 各有任务和期限) → 1个工作时内联系企业 →
3个工作日内出方案 → 5个工作日内办结 → 企业评价 (domain doc B2, the 12345 enterprise desk's 1 h / 3 wd / 5 wd)."""

from __future__ import annotations

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

DESK = {"dispatcher", "enterprise_officer"}  # the 12345 enterprise desk and the zone's enterprise-service officers
LEAD = {"lead_unit"}  # staff of the main handling department (an officer records for an external one)
CO = {"co_unit"}  # staff of a co-handling department
FOLLOW = {"reporter", "enterprise_officer", "dispatcher"}  # the enterprise rates online, or the desk by phone
WATCH = {"dispatcher", "leader", "system"}

SPEC = Spec(
    key="enterprise_relief",
    version=1,
    label="助企纾困",
    description=(
        "企业诉求“一企一策”:企业联系人在手机上提交,或企业服务专员、12345企业专线代为登记;受理后分派主办单位"
        "和协办单位(可含市级部门、银行等区外单位,由专员代为登记其办理情况),每个协办单位有自己的任务和期限。"
        "主办单位须在1个工作时内联系企业,自分派起3个工作日内制定方案、5个工作日内办结(各类别可另行配置);"
        "办理中登记成效(增资、引入资金、贷款、审批打通、稳岗人数),协办任务全部反馈后方可办结;企业评价后结案,"
        "不满意的重办。"
    ),
    initial="received",
    states=(
        State("received", "已受理", sla=Limit(2, "work_hours")),
        State("assigned", "待联系企业", sla=Limit(1, "work_hours")),
        State("planning", "制定方案", sla=Limit(3, "work_days"), since="assigned"),
        State("handling", "办理中", sla=Limit(5, "work_days"), since="assigned"),
        State("concluded", "已办结待评价", sla=Limit(3, "work_days")),
        State("closed", "已结案", terminal=True),
        State("answered", "直接答复", terminal=True),
    ),
    transitions=(
        Transition("answer_directly", "直接答复", ("received",), "answered", DESK,
                   requires={"comment"}, effects={"close"}),
        Transition("assign", "分派主办协办", ("received",), "assigned", DESK, requires={"department"},
                   effects={"set_department", "add_co_departments", "assign_tasks", "start_clock"}),
        Transition("return", "退回重新分派", ("assigned", "planning"), "received", LEAD,
                   requires={"reason"}, effects={"count_return", "stop_clock"}),
        Transition("contact", "联系企业", ("assigned",), "planning", LEAD, requires={"comment"}),
        Transition("submit_plan", "制定方案", ("planning",), "handling", LEAD, requires={"comment"}),
        Transition("add_tasks", "增加协办任务", ("handling",), "handling", LEAD | DESK,
                   requires={"tasks"}, effects={"assign_tasks"}),
        Transition("co_feedback", "协办反馈", ("handling",), "handling", CO,
                   requires={"comment"}, effects={"complete_task"}),
        Transition("request_extension", "申请延期", ("handling",), "handling", LEAD,
                   requires={"extension_until", "reason"}, effects={"request_extension"}),
        Transition("approve_extension", "同意延期", ("handling",), "handling", {"dispatcher"},
                   effects={"grant_extension"}),
        Transition("deny_extension", "不同意延期", ("handling",), "handling", {"dispatcher"},
                   requires={"reason"}, effects={"deny_extension"}),
        Transition("conclude", "办结", ("handling",), "concluded", LEAD,
                   requires={"comment"}, effects={"require_tasks_done", "stop_clock"}),
        Transition("rate", "评价结案", ("concluded",), "closed", FOLLOW,
                   requires={"satisfaction", "method"}, effects={"record_follow_up", "record_rating", "close"}),
        Transition("rework", "不满意重办", ("concluded",), "handling", FOLLOW,
                   requires={"satisfaction", "reason"}, effects={"record_rating", "count_rework", "start_clock"},
                   sla=Limit(5, "work_days")),
        Transition("remind", "催办", ("handling",), "handling", WATCH - {"leader"}, effects={"remind"}),
        Transition("supervise", "督办", ("handling",), "handling", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)
