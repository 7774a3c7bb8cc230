"""Projects: list, detail, register, stage transitions, milestones, approvals, monthly reports, review."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Month, RecordDay
from civicgrid.investment import actions, queries
from civicgrid.investment.api.common import ERRORS, TAGS, idempotency_key
from civicgrid.investment.choices import ApprovalType, KeyLevel, ProjectApprovalStatus, ProjectStage

router = Router(tags=TAGS)


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    park: str = Field(..., alias="park.code")
    total_investment: Decimal
    currency: str
    approval_type: str
    is_key: bool
    key_level: str
    industry_code: str
    stage: str
    signed_on: date
    planned_start_on: date | None
    actual_start_on: date | None
    planned_completion_on: date | None
    actual_completion_on: date | None
    planned_production_on: date | None
    actual_production_on: date | None
    lead_official: str
    updated_at: datetime


class ProjectIn(Schema):
    code: str = Field(..., max_length=40, description="全国投资项目代码 YYYY-RRRRRR-DD-TT-NNNNNC;无效时 422 `project_code_invalid`")
    name: str = Field(..., max_length=200)
    enterprise_id: int = Field(..., ge=1, le=2**31 - 1)
    total_investment: Decimal | None = Field(None, max_digits=16, decimal_places=2, description="计划总投资")
    currency: str | None = Field(None, max_length=3, description="币种(必填,缺少时 422 `currency_required`)")
    signed_on: RecordDay
    park: str = Field("", max_length=20)
    industry_code: str = Field("", max_length=5)
    approval_type: ApprovalType = ApprovalType.FILING
    is_key: bool = False
    key_level: KeyLevel = KeyLevel.NONE
    planned_start_on: RecordDay | None = None
    planned_completion_on: RecordDay | None = None
    planned_production_on: RecordDay | None = None
    lead_official: str = Field("", max_length=50)
    review_department: str = Field("", max_length=20, description="审核月报的部门编码")
    description: str = Field("", max_length=4000)


class TransitionIn(Schema):
    stage: ProjectStage = Field(..., description="下一阶段(只能依次推进)")
    happened_on: RecordDay
    note: str = Field("", max_length=200)


class MilestoneOut(Schema):
    stage: str
    happened_on: date
    note: str


class ApprovalOut(Schema):
    item: str = Field(..., alias="item.code")
    item_name: str = Field(..., alias="item.name")
    status: str
    applied_on: date | None
    granted_on: date | None
    document_no: str


class ApprovalIn(Schema):
    status: ProjectApprovalStatus
    applied_on: RecordDay | None = None
    granted_on: RecordDay | None = None
    document_no: str = Field("", max_length=60)


class ReportOut(Schema):
    id: int
    project_id: int
    month: str
    amount: Decimal
    cumulative: Decimal
    status: str
    note: str
    reported_at: datetime
    reviewed_at: datetime | None
    review_note: str

    @staticmethod
    def resolve_month(obj):
        return f"{obj.month:%Y-%m}"


class ReportIn(Schema):
    month: Month
    amount: Decimal = Field(..., max_digits=16, decimal_places=2, description="本月完成投资(元)")
    cumulative: Decimal | None = Field(None, max_digits=16, decimal_places=2,
                                       description="自开工累计(元);不填则为上期累计加本月;低于上期时 422 `report_cumulative_falls`")
    note: str = Field("", max_length=200)


class ReviewIn(Schema):
    action: Literal["accept", "return"]
    note: str = Field("", max_length=200)


@router.get("/projects", response=list[ProjectOut])
@paginate(CountItemsNext)
def list_projects(request, q: str = "", stage: ProjectStage | None = None, park: str = "", key: bool = False,
                  started: int | None = Query(None, ge=2000, le=2099)):
    """本人可见范围内的项目:专员看所服务园区(或全区),企业联系人只看本企业的项目。"""
    return queries.projects_visible(request.auth, q=q, stage=stage or "", park=park, key=key, started_year=started)


@router.post("/projects", response={201: ProjectOut, **ERRORS})
def register_project(request, payload: ProjectIn):
    """登记项目(签约阶段)。请带 `Idempotency-Key` 请求头。"""
    data = actions.ProjectInput(**payload.model_dump())
    project = actions.register_project(actor=request.auth, data=data, idempotency_key=idempotency_key(request))
    return Status(201, queries.project_visible(request.auth, project.pk))


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS})
def get_project(request, project_id: int):
    return queries.project_visible(request.auth, project_id)


@router.post("/projects/{project_id}/transitions", response={200: ProjectOut, **ERRORS})
def advance_project(request, project_id: int, payload: TransitionIn):
    """推进到下一阶段(签约→立项→开工→在建→竣工→投产),记一个带日期的里程碑;跳阶段 422 `stage_not_next`。"""
    actions.advance_stage(actor=request.auth, project_id=project_id, stage=payload.stage,
                          happened_on=payload.happened_on, note=payload.note)
    return queries.project_visible(request.auth, project_id)


@router.get("/projects/{project_id}/milestones", response={200: list[MilestoneOut], **ERRORS})
def list_milestones(request, project_id: int):
    return list(queries.milestones_of(queries.project_visible(request.auth, project_id)))


@router.get("/projects/{project_id}/approvals", response={200: list[ApprovalOut], **ERRORS})
def list_approvals(request, project_id: int):
    return list(queries.approvals_of(queries.project_visible(request.auth, project_id)))


@router.put("/projects/{project_id}/approvals/{item_code}", response={200: ApprovalOut, **ERRORS})
def record_approval(request, project_id: int, item_code: str, payload: ApprovalIn):
    """登记项目所需的审批事项(审批事项目录中的编码)及办理情况。"""
    return actions.record_approval(actor=request.auth, project_id=project_id, item_code=item_code[:30],
                                   **payload.model_dump())


@router.get("/projects/{project_id}/reports", response={200: list[ReportOut], **ERRORS})
def list_reports(request, project_id: int):
    return list(queries.reports_of(queries.project_visible(request.auth, project_id)))


@router.post("/projects/{project_id}/reports", response={201: ReportOut, **ERRORS})
def submit_report(request, project_id: int, payload: ReportIn):
    """填报某月固定资产投资(元):未来月份 422 `report_month_future`,累计下降 422 `report_cumulative_falls`。
    退回的月份可再次提交;已审核的月份 409 `report_already_accepted`。请带 `Idempotency-Key` 请求头。"""
    report = actions.submit_report(actor=request.auth, project_id=project_id, month=payload.month,
                                   amount_yuan=payload.amount, cumulative=payload.cumulative, note=payload.note,
                                   idempotency_key=idempotency_key(request))
    return Status(201, report)


@router.get("/reports/review", response=list[ReportOut])
@paginate(CountItemsNext)
def review_queue(request):
    """待本人所在审核部门审核的月报。"""
    return queries.reports_to_review(request.auth)


@router.post("/reports/{report_id}/transitions", response={200: ReportOut, **ERRORS})
def review_report(request, report_id: int, payload: ReviewIn):
    """审核月报:`accept` 通过(计入固定资产投资),`return` 退回(须写原因)。"""
    return actions.review_report(actor=request.auth, report_id=report_id, accept=payload.action == "accept",
                                 note=payload.note)


class BoardRowOut(Schema):
    id: int
    code: str
    name: str
    enterprise_name: str = Field(..., alias="enterprise.name")
    total_investment: Decimal
    key_level: str
    stage: str
    actual_start_on: date | None
    reported: Decimal | None


@router.get("/board", response={200: list[BoardRowOut], **ERRORS})
def board(request):
    """项目看板:总投资 27 亿元以上的重点项目,及其已审核的累计完成投资。"""
    return queries.board(request.auth)

