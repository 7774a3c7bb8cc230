"""Dispute (矛盾纠纷): 收集 → 排查 → 分派 → 调处 → 化解/未化解 → 回访 (standards-cn §4)."""

from __future__ import annotations

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

SCREENER = {"grid_worker", "micro_grid_worker", "community_admin", "street_admin", "police_liaison"}
ASSIGNER = {"community_admin", "street_admin", "dispatcher"}  # 村社, 街道 and 区 矛调中心 分流交办
# 村社调委会 (community admin, grid worker), 街道矛调中心, 派出所 and 行业调委会 (department handler)
MEDIATOR = {"grid_worker", "community_admin", "street_admin", "police_liaison", "department_handler"}
WATCH = {"leader", "street_admin", "dispatcher", "system"}

SPEC = Spec(
    key="dispute",
    version=1,
    label="矛盾纠纷",
    description=(
        "矛盾纠纷排查化解:收集登记、排查研判(红黄蓝风险、简单/复杂/疑难)、按层级分派村社/街道/区、"
        "调处(一个月内,经当事人同意可延长)、化解(书面或口头协议)或未化解引导诉讼仲裁信访、"
        "化解后回访协议履行情况,必要时重新调解。"
    ),
    initial="collected",
    states=(
        State("collected", "已登记", sla=Limit(3, "work_days")),
        State("screened", "已研判", sla=Limit(1, "work_days")),
        State("assigned", "已分派", sla=Limit(1, "work_days")),
        State("mediating", "调解中", sla=Limit(30, "days")),
        State("resolved", "已化解", sla=Limit(15, "days")),
        State("followed_up", "已回访", sla=Limit(3, "work_days")),
        State("closed", "已结案", terminal=True),
        State("failed", "未化解", terminal=True),
        State("dismissed", "不予受理", terminal=True),
    ),
    transitions=(
        Transition("screen", "排查研判", ("collected",), "screened", SCREENER,
                   requires={"risk_level", "complexity"}),
        Transition("dismiss", "不予受理", ("collected",), "dismissed", SCREENER,
                   requires={"reason"}, effects={"close"}),
        Transition("assign", "分派调处", ("screened",), "assigned", ASSIGNER,
                   requires={"tier"}, effects={"set_tier"}),
        Transition("accept", "受理调解", ("assigned",), "mediating", MEDIATOR, effects={"start_clock"}),
        Transition("record_mediation", "记录调解", ("mediating",), "mediating", MEDIATOR,
                   requires={"parties", "comment"}, effects={"record_mediation"}),
        Transition("extend", "延长调解期限", ("mediating",), "mediating", MEDIATOR,
                   requires={"extension_until", "reason"}, effects={"request_extension", "grant_extension"}),
        Transition("escalate", "提级调处", ("assigned", "mediating"), "assigned", MEDIATOR | ASSIGNER,
                   requires={"tier", "reason"}, effects={"escalate", "set_tier", "stop_clock"}),
        Transition("resolve", "调解成功", ("mediating",), "resolved", MEDIATOR,
                   requires={"agreement_form", "agreement_text"},
                   effects={"record_agreement", "stop_clock"}),
        Transition("fail", "调解不成", ("mediating",), "failed", MEDIATOR,
                   requires={"reason", "outcome"}, effects={"stop_clock", "close"}),
        Transition("follow_up", "回访履行情况", ("resolved", "followed_up"), "followed_up", MEDIATOR,
                   requires={"method", "comment"}, effects={"record_follow_up"}),
        Transition("reopen", "重新调解", ("followed_up",), "mediating", MEDIATOR,
                   requires={"reason"}, effects={"reopen", "count_rework", "start_clock"}),
        Transition("close", "结案归档", ("followed_up",), "closed", MEDIATOR | ASSIGNER, effects={"close"}),
        Transition("remind", "催办", ("mediating",), "mediating", WATCH - {"leader"}, effects={"remind"}),
        Transition("supervise", "督办", ("mediating",), "mediating", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)
