"""Online service request (一站式网上办): 受理 → 审核 → (补正) → 办理 (公对公 document requests) → 办结与送达 →
好差评 → (差评: 回访整改) → 归档 (standards-cn §5.6)."""

from __future__ import annotations

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

OFFICE = {"department_handler"}  # the office's window staff (its department row) and, for 公对公, the other office
APPLICANT = {"reporter"}  # the resident who applied
WATCH = {"leader", "system"}

SPEC = Spec(
    key="service_request",
    version=1,
    label="网上办事",
    description=(
        "一站式网上办:居民在手机上选择事项、填写信息并上传材料,系统分派至办理机构窗口;窗口受理后审核材料,"
        "材料不全的一次性告知须补正的内容和期限(补正期间不计时,逾期未补正的终止办理);审核通过后按事项承诺时限办理,"
        "需要其他单位出具的证明由窗口向该单位发起“公对公”协查,不让群众跑腿;办结后按申请人选择的方式送达"
        "(窗口领取、邮寄并登记运单号、电子证照);申请人好差评,差评必须回访并在15个工作日内整改。"
    ),
    initial="received",
    states=(
        State("received", "待受理", sla=Limit(1, "work_days")),
        State("reviewing", "审核中", sla=Limit(2, "work_days")),
        State("correction", "待补正", clock=False),
        State("processing", "办理中", sla=Limit(5, "work_days")),
        State("delivering", "待送达", sla=Limit(2, "work_days")),
        State("completed", "待评价", clock=False),
        State("rated", "已评价", sla=Limit(1, "work_days")),
        State("rectifying", "整改中", sla=Limit(15, "work_days")),
        State("closed", "已办结", terminal=True),
        State("rejected", "不予受理", terminal=True),
        State("lapsed", "逾期未补正", terminal=True),
        State("withdrawn", "已撤回", terminal=True),
    ),
    transitions=(
        Transition("assign_office", "分派办理机构", ("received",), "received", {"system"},
                   requires={"department"}, effects={"set_department"}),
        Transition("accept", "受理", ("received",), "reviewing", OFFICE,
                   effects={"start_clock"}),
        Transition("reject", "不予受理", ("received", "reviewing"), "rejected", OFFICE,
                   requires={"reason"}, effects={"close"}),
        Transition("request_correction", "一次性告知补正", ("reviewing",), "correction", OFFICE,
                   requires={"comment"}),
        Transition("supplement", "提交补正材料", ("correction",), "reviewing", APPLICANT,
                   effects={"start_clock"}),
        Transition("correction_lapse", "逾期未补正", ("correction",), "lapsed", {"system"},
                   requires={"reason"}, effects={"close"}),
        Transition("approve", "审核通过", ("reviewing",), "processing", OFFICE),
        Transition("request_document", "公对公协查", ("processing",), "processing", OFFICE,
                   requires={"co_departments", "comment"}, effects={"add_co_departments"}),
        Transition("provide_document", "出具协查证明", ("processing",), "processing", OFFICE,
                   requires={"comment"}),
        Transition("conclude", "办结", ("processing",), "delivering", OFFICE,
                   requires={"comment"}, effects={"stop_clock"}),
        Transition("deliver", "送达", ("delivering",), "completed", OFFICE,
                   requires={"comment"}),
        Transition("rate", "好差评", ("completed",), "rated", APPLICANT,
                   requires={"satisfaction"}, effects={"record_rating"}),
        Transition("close", "归档", ("rated", "completed"), "closed", OFFICE | {"system"},
                   effects={"close"}),
        Transition("call_back", "差评回访", ("rated",), "rectifying", OFFICE,
                   requires={"method", "comment"}, effects={"record_follow_up", "count_rework"},
                   sla=Limit(15, "work_days")),
        Transition("rectified", "整改完成", ("rectifying",), "closed", OFFICE,
                   requires={"comment"}, effects={"close"}),
        Transition("withdraw", "撤回申请", ("received", "reviewing", "correction"), "withdrawn", APPLICANT,
                   requires={"reason"}, effects={"close"}),
        Transition("remind", "催办", ("processing",), "processing", WATCH - {"leader"}, effects={"remind"}),
        Transition("supervise", "督办", ("processing",), "processing", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)
