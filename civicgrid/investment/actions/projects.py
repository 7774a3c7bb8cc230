"""Projects: register a project under its national code, move it through its stages (one dated milestone
per stage, forward only), and record the approval items it needs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from civicgrid.accounts.models import Department
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.enterprises.actions._common import enterprise_for, text
from civicgrid.enterprises.actions.registry import check_industry
from civicgrid.enterprises.models import ApprovalItem, Park
from civicgrid.investment import projectcode
from civicgrid.investment.actions._common import amount, currency, not_future, project_for, today
from civicgrid.investment.choices import (
    STAGE_ORDER,
    ApprovalType,
    KeyLevel,
    ProjectApprovalStatus,
    ProjectStage,
)
from civicgrid.investment.models import Project, ProjectApproval, ProjectMilestone

CHANGE = "investment.change_project"
# the project field a milestone sets
ACTUAL_DATE = {ProjectStage.STARTED: "actual_start_on", ProjectStage.COMPLETED: "actual_completion_on",
               ProjectStage.IN_PRODUCTION: "actual_production_on"}


@dataclass
class ProjectInput:
    code: str
    name: str
    enterprise_id: int
    total_investment: Decimal | str | None
    currency: str | None
    signed_on: date
    park: str = ""  # park code; the enterprise's park when blank
    industry_code: str = ""  # the enterprise's industry when blank
    approval_type: str = ApprovalType.FILING
    is_key: bool = False
    key_level: str = ""
    planned_start_on: date | None = None
    planned_completion_on: date | None = None
    planned_production_on: date | None = None
    lead_official: str = ""
    review_department: str = ""  # department code
    description: str = ""


def check_code(raw: str, *, max_year: int) -> str:
    try:
        return projectcode.normalise(raw, max_year=max_year)
    except projectcode.InvalidProjectCode as exc:
        raise errors.ValidationFailed(exc.message_zh, code="project_code_invalid",
                                      details={"field": "code", "reason": exc.reason}) from None


def clean(data: ProjectInput, enterprise, on: date) -> dict:
    values = {"code": check_code(data.code, max_year=on.year)}
    values["name"] = text(data.name, 200)
    if not values["name"]:
        raise errors.ValidationFailed("请填写项目名称", code="project_name_required", details={"field": "name"})
    values["total_investment"] = amount(data.total_investment, "total_investment", code="project_investment_invalid",
                                        message="计划总投资须为正数(最多两位小数)")
    values["currency"] = currency(data.currency)
    park = enterprise.park if not data.park else Park.objects.filter(code=data.park, is_active=True).first()
    if park is None:
        raise errors.ValidationFailed("园区不存在", code="park_unknown", details={"field": "park"})
    values["park"] = park
    values["industry_code"] = check_industry(data.industry_code or enterprise.industry_code)
    if data.approval_type not in ApprovalType.values:
        raise errors.ValidationFailed("立项方式无效", code="approval_type_invalid", details={"field": "approval_type"})
    key_level = data.key_level or ""
    if key_level not in KeyLevel.values or bool(data.is_key) != bool(key_level):
        raise errors.ValidationFailed("重点项目须选择级别(省/市/区),非重点项目不填级别", code="key_level_invalid",
                                      details={"field": "key_level"})
    not_future(data.signed_on, on, code="project_signed_future", message="签约日期不能晚于今天", field="signed_on")
    planned = [d for d in (data.planned_start_on, data.planned_completion_on, data.planned_production_on) if d]
    if planned != sorted(planned) or (planned and planned[0] < data.signed_on):
        raise errors.ValidationFailed("计划日期须依次为:签约 ≤ 开工 ≤ 竣工 ≤ 投产", code="project_dates_order",
                                      details={"field": "planned_start_on"})
    department = None
    if data.review_department:
        department = Department.objects.filter(code=data.review_department, is_active=True).first()
        if department is None:
            raise errors.ValidationFailed("审核部门不存在", code="review_department_unknown",
                                          details={"field": "review_department"})
    values.update(
        approval_type=data.approval_type, is_key=bool(data.is_key), key_level=key_level, signed_on=data.signed_on,
        planned_start_on=data.planned_start_on, planned_completion_on=data.planned_completion_on,
        planned_production_on=data.planned_production_on, lead_official=text(data.lead_official, 50),
        review_department=department, description=text(data.description, 4000))
    return values


def register_project(*, actor, data: ProjectInput, idempotency_key: str | None = None) -> Project:
    """Register a project of an enterprise in the actor's reach; its 签约 milestone is the signing date."""
    enterprise = enterprise_for(actor, data.enterprise_id)
    require(actor, CHANGE, Project(enterprise=enterprise))
    values = clean(data, enterprise, today())

    def create() -> Project:
        if Project.objects.filter(code=values["code"]).exists():
            raise errors.Conflict("该项目代码已登记", code="project_code_taken")
        try:
            with transaction.atomic():
                project = Project.objects.create(enterprise=enterprise, created_by=actor, **values)
        except IntegrityError:
            raise errors.Conflict("该项目代码已登记", code="project_code_taken") from None
        ProjectMilestone.objects.create(project=project, stage=ProjectStage.SIGNED, happened_on=project.signed_on,
                                        recorded_by=actor)
        audit.record(actor=actor, action="investment.register_project", obj=project,
                     details={"code": project.code, "enterprise": enterprise.uscc,
                              "total": str(project.total_investment), "currency": project.currency})
        return project

    with transaction.atomic():
        project, _ = run_once(key=idempotency_key, actor=actor, action="investment.register_project", model=Project,
                              create=create, body=dataclasses.asdict(data))
    return project


def advance_stage(*, actor, project_id: int, stage: str, happened_on: date, note: str = "") -> ProjectMilestone:
    """Move the project to its next stage on `happened_on` (the 开工 date is what figure 10 counts).
    Repeating the last move with the same date returns its milestone (a retried request)."""
    project = project_for(actor, project_id)
    require(actor, CHANGE, project)
    if stage not in STAGE_ORDER:
        raise errors.ValidationFailed("项目阶段无效", code="stage_invalid", details={"field": "stage"})
    not_future(happened_on, today(), code="milestone_future", message="里程碑日期不能晚于今天", field="happened_on")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if stage == project.stage:
            last = project.milestones.filter(stage=stage).first()
            if last is not None and last.happened_on == happened_on:
                return last
        if stage != project.next_stage:
            raise errors.ValidationFailed("项目阶段只能依次推进到下一阶段", code="stage_not_next",
                                          details={"stage": project.stage, "next": project.next_stage})
        previous = project.milestones.order_by("-happened_on").first()
        if previous is not None and happened_on < previous.happened_on:
            raise errors.ValidationFailed("里程碑日期不能早于上一阶段", code="milestone_before_previous",
                                          details={"previous": previous.happened_on.isoformat()})
        milestone = ProjectMilestone.objects.create(project=project, stage=stage, happened_on=happened_on,
                                                    note=text(note, 200), recorded_by=actor)
        project.stage = stage
        fields = ["stage", "updated_at"]
        if stage in ACTUAL_DATE:
            setattr(project, ACTUAL_DATE[stage], happened_on)
            fields.append(ACTUAL_DATE[stage])
        project.updated_at = clock.now()
        project.save(update_fields=fields)
        audit.record(actor=actor, action="investment.advance_stage", obj=project,
                     details={"stage": stage, "on": happened_on.isoformat()})
    return milestone


def record_approval(*, actor, project_id: int, item_code: str, status: str, applied_on: date | None = None,
                    granted_on: date | None = None, document_no: str = "") -> ProjectApproval:
    """Link an approval item of the catalogue to the project and record where it stands."""
    project = project_for(actor, project_id)
    require(actor, CHANGE, project)
    item = ApprovalItem.objects.filter(code=item_code, is_active=True).first()
    if item is None:
        raise errors.ValidationFailed("审批事项不在目录中", code="approval_item_unknown", details={"field": "item"})
    if status not in ProjectApprovalStatus.values:
        raise errors.ValidationFailed("办理状态无效", code="approval_status_invalid", details={"field": "status"})
    on = today()
    not_future(applied_on, on, code="approval_date_future", message="日期不能晚于今天", field="applied_on")
    not_future(granted_on, on, code="approval_date_future", message="日期不能晚于今天", field="granted_on")
    if status == ProjectApprovalStatus.GRANTED and granted_on is None:
        raise errors.ValidationFailed("已办结的事项须填写办结日期", code="approval_granted_on_required",
                                      details={"field": "granted_on"})
    if applied_on and granted_on and granted_on < applied_on:
        raise errors.ValidationFailed("办结日期不能早于申报日期", code="approval_dates_order",
                                      details={"field": "granted_on"})
    with transaction.atomic():
        row, created = ProjectApproval.objects.update_or_create(project=project, item=item, defaults={
            "status": status, "applied_on": applied_on, "granted_on": granted_on,
            "document_no": text(document_no, 60), "recorded_by": actor, "recorded_at": clock.now()})
        audit.record(actor=actor, action="investment.record_approval", obj=project,
                     details={"item": item.code, "status": status, "created": created})
    return row
