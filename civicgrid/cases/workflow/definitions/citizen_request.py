"""12345 citizen request (接诉即办 ticket): 受理 → 派单 → 签收 → 办理 → 反馈 → 回访 → 办结 (standards-cn §5)."""

from __future__ import annotations

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

DISPATCH = {"dispatcher"}  # 12345 受理/派单/回访 staff
HANDLER = {"department_handler"}  # 承办单位 (主办)
CALLBACK = {"dispatcher", "reporter"}  # 回访员, or the caller rating the reply (好差评)
WATCH = {"dispatcher", "leader", "system"}

SPEC = Spec(
    key="citizen_request",
    version=1,
    label="12345诉求",
    description=(
        "12345接诉即办工单:受理后可直接答复,或派单给主办单位(可加协办单位);承办单位签收、联系诉求人、"
        "办理并反馈;可退单重派、申请延期(批准后才改期限)、挂起;调度可催办、督办;"
        "回访评价满意则办结,不满意或未解决则重办(15个工作日内整改)。"
    ),
    initial="received",
    states=(
        State("received", "已受理", sla=Limit(24, "hours")),
        State("dispatched", "已派单", sla=Limit(2, "work_hours")),
        State("signed", "已签收", sla=Limit(1, "work_days")),
        State("handling", "办理中", sla=Limit(7, "work_days")),
        State("suspended", "已挂起", clock=False),
        State("replied", "已反馈", sla=Limit(2, "work_days")),
        State("closed", "已办结", terminal=True),
        State("answered_directly", "直接答复", terminal=True),
        State("merged", "已合并", terminal=True),
    ),
    transitions=(
        Transition("answer_directly", "直接答复", ("received",), "answered_directly", DISPATCH,
                   requires={"comment"}, effects={"close"}),
        Transition("merge", "合并重复工单", ("received",), "merged", DISPATCH,
                   requires={"merge_into"}, effects={"merge", "close"}),
        Transition("dispatch", "派单", ("received",), "dispatched", DISPATCH, requires={"department"},
                   effects={"set_department", "add_co_departments", "start_clock"}),
        Transition("sign", "签收", ("dispatched",), "signed", HANDLER),
        Transition("return", "退单", ("dispatched", "signed"), "received", HANDLER,
                   requires={"reason"}, effects={"count_return", "stop_clock"}),
        Transition("contact", "联系诉求人", ("signed",), "handling", HANDLER, requires={"comment"}),
        Transition("request_extension", "申请延期", ("handling",), "handling", HANDLER,
                   requires={"extension_until", "reason"}, effects={"request_extension"}),
        Transition("approve_extension", "同意延期", ("handling",), "handling", DISPATCH,
                   effects={"grant_extension"}),
        Transition("deny_extension", "不同意延期", ("handling",), "handling", DISPATCH,
                   requires={"reason"}, effects={"deny_extension"}),
        Transition("suspend", "挂起", ("handling",), "suspended", DISPATCH, requires={"reason"}),
        Transition("resume", "恢复办理", ("suspended",), "handling", DISPATCH),
        Transition("reply", "办理反馈", ("handling",), "replied", HANDLER,
                   requires={"comment"}, effects={"stop_clock"}),
        Transition("callback", "回访办结", ("replied",), "closed", CALLBACK,
                   requires={"satisfaction", "resolved"}, effects={"record_rating", "close"}),
        Transition("rework", "回访不满意重办", ("replied",), "handling", CALLBACK,
                   requires={"satisfaction", "resolved", "reason"},
                   effects={"record_rating", "count_rework", "start_clock"}, sla=Limit(15, "work_days")),
        Transition("remind", "催办", ("handling",), "handling", WATCH - {"leader"}, effects={"remind"}),
        Transition("supervise", "督办", ("handling",), "handling", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)
