"""Safety hazard (安全隐患): 发现 → 整改通知 → 整改中 → 复查 → 销号, 复查不合格再整改.

Version 2 takes documents as evidence: the signed 整改通知书 (PDF or photo) with the notice, photos or a
整改报告 (PDF) with the rectification, and 复查 photos, required to 销号. Version 1 stays for cases pinned to it."""

from __future__ import annotations

from dataclasses import replace

from civicgrid.cases.workflow.spec import Limit, Spec, State, Transition

# 网格员/社区/街道 and the competent department (应急, 消防, 住建) inspect and issue notices
INSPECTOR = {"grid_worker", "community_admin", "street_admin", "department_handler"}
# the party that rectifies: a company, or a department/household through the grid worker
RECTIFIER = {"enterprise_contact", "department_handler", "grid_worker"}
WATCH = {"dispatcher", "leader", "street_admin", "system"}

V1 = Spec(
    key="safety_hazard",
    version=1,
    label="安全隐患",
    description=(
        "安全隐患闭环:发现登记,核实后向责任单位或责任人下达整改通知并限期整改;"
        "责任方签收、整改并提交整改情况;复查合格销号,不合格重新限期整改。"
    ),
    initial="found",
    states=(
        State("found", "已发现", sla=Limit(1, "work_days")),
        State("notified", "已下达整改通知", sla=Limit(1, "work_days")),
        State("rectifying", "整改中", sla=Limit(15, "work_days")),
        State("reviewing", "待复查", sla=Limit(3, "work_days")),
        State("closed", "已销号", terminal=True),
        State("dismissed", "不构成隐患", terminal=True),
    ),
    transitions=(
        Transition("issue_notice", "下达整改通知", ("found",), "notified", INSPECTOR,
                   requires={"responsible_party", "deadline"}, effects={"start_clock"}),
        Transition("dismiss", "核实不构成隐患", ("found",), "dismissed", INSPECTOR,
                   requires={"reason"}, effects={"close"}),
        Transition("acknowledge", "签收整改通知", ("notified",), "rectifying", RECTIFIER),
        Transition("submit_rectification", "提交整改情况", ("rectifying",), "reviewing", RECTIFIER,
                   requires={"comment", "attachments"}, effects={"stop_clock"}),
        Transition("pass_review", "复查合格销号", ("reviewing",), "closed", INSPECTOR,
                   requires={"comment"}, effects={"close"}),
        Transition("fail_review", "复查不合格", ("reviewing",), "rectifying", INSPECTOR,
                   requires={"reason", "deadline"}, effects={"count_rework", "start_clock"}),
        Transition("remind", "催办", ("rectifying",), "rectifying", WATCH - {"leader"}, effects={"remind"}),
        Transition("supervise", "督办", ("rectifying",), "rectifying", WATCH,
                   requires={"comment"}, effects={"supervise"}),
    ),
)

PHOTO_OR_PDF = ("photo", "pdf")

SPEC = replace(
    V1,
    version=2,
    transitions=tuple(
        replace(t, evidence=PHOTO_OR_PDF) if t.action in ("issue_notice", "submit_rectification")
        else replace(t, requires=t.requires | {"attachments"}) if t.action == "pass_review"
        else replace(t, evidence=("photo",)) if t.action == "fail_review"
        else t
        for t in V1.transitions
    ),
)
