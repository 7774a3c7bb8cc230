"""Subsidies API (/api/v1/subsidies): programmes and their versions, the officer-recorded insurance years,
免申即享 candidates (computed, then approved or rejected through `POST /candidates/{id}/transitions`),
disbursements (one by one with an `Idempotency-Key`, or Excel batches, all rows or none), totals, the export
and the enterprise contact's own subsidies.

Routes only parse, call one action or query and present. Out of the caller's reach is 404 (a contact asking
for another enterprise's disbursement), a write the caller's roles may not make 403 (the leader). A
person's ID number is masked; the full number only through `POST /disbursements/{id}/reveal` with a reason
(people.unmask_personal, audit-logged).
"""


from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicgrid.accounts.models import Department
from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, RequiredText
from civicgrid.core import errors
from civicgrid.core.web import XLSX
from civicgrid.subsidies import actions, excel, queries
from civicgrid.subsidies import formula as formulas

router = Router(tags=["惠企补贴 subsidies"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _key(request) -> str | None:
    return request.headers.get("Idempotency-Key") or None


class _Presented:
    """A queryset whose page items are presented for the viewer (CountItemsNext slices it)."""

    def __init__(self, qs, viewer):
        self.qs, self.viewer = qs, viewer

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [queries.present(obj, self.viewer) for obj in self.qs[window]]


# --- schemas ---------------------------------------------------------------------------------------------


class ProgrammeOut(Schema):
    code: str
    name: str
    recipient_kind: str
    mode: str
    department: str = Field(..., alias="department.code")
    department_name: str = Field(..., alias="department.name")
    currency: str
    period_start: date
    period_end: date
    basis: str
    description: str


class ProgrammeDetailOut(ProgrammeOut):
    version: int | None
    rules: dict | None
    formula: dict | None
    formula_text: str


class VersionIn(Schema):
    rules: dict | None = None
    formula: dict | None = None
    effective_from: Day
    note: str = Field("", max_length=200)


class VersionOut(Schema):
    version: int
    effective_from: date
    published_at: datetime


class InsuranceIn(Schema):
    department: str = Field(..., max_length=20, description="登记部门编码(本人所在的人社部门)")
    uscc: str = Field(..., max_length=40)
    year: int
    paid_months: int = Field(..., ge=0, le=12)
    contributions: Decimal = Field(..., max_digits=14, decimal_places=2)
    insured_start: int = Field(..., ge=0)
    insured_end: int = Field(..., ge=0)
    hired_unemployed: int = Field(0, ge=0)


class InsuranceOut(Schema):
    id: int
    enterprise_id: int
    year: int
    paid_months: int
    contributions: Decimal
    insured_start: int
    insured_end: int
    hired_unemployed: int
    layoff_rate: float | None


class ComputeIn(Schema):
    programme: str = Field(..., max_length=40)
    year: int


class ComputeOut(Schema):
    candidates: int
    added: int
    updated: int
    removed: int
    kept: int


class CandidateOut(Schema):
    id: int
    programme: str = Field(..., alias="programme.code")
    year: int
    version: int = Field(..., alias="version.version")
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    uscc: str = Field(..., alias="enterprise.uscc")
    amount: Decimal
    currency: str
    eligibility: str
    status: str
    basis: str
    note: str
    computed_at: datetime


class CandidateDetailOut(CandidateOut):
    facts: dict
    report: list[dict]


class TransitionIn(Schema):
    action: Literal["approve", "reject"]
    paid_on: Day | None = None
    reference: str = Field("", max_length=40)
    reason: str = Field("", max_length=200)


class TransitionOut(Schema):
    candidate: CandidateOut
    disbursement_id: int | None
    created: bool


class DisbursementOut(Schema):
    id: int
    programme: str
    programme_name: str
    recipient_kind: str
    enterprise_id: int | None
    enterprise_name: str | None
    uscc: str | None
    person_name: str | None
    id_number: str | None
    resident_linked: bool
    amount: Decimal
    currency: str
    paid_on: date
    reference: str
    basis: str
    source: str
    batch_id: int | None
    candidate_id: int | None
    can_reveal: bool


class DisbursementIn(Schema):
    programme: str = Field(..., max_length=40)
    amount: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, max_length=10, description="必填:CNY(人民币)")
    paid_on: Day | None = None
    uscc: str = Field("", max_length=40, description="企业补贴:统一社会信用代码")
    name: str = Field("", max_length=50, description="个人补贴:姓名")
    id_number: str = Field("", max_length=30, description="个人补贴:身份证号(校验位须正确)")
    reference: str = Field("", max_length=40)
    basis: str = Field("", max_length=300)


class RevealIn(Schema):
    reason: RequiredText = Field(..., max_length=200)


class BatchOut(Schema):
    id: int
    programme: str = Field(..., alias="programme.code")
    file_name: str
    rows: int
    recipients: int
    total: Decimal
    imported_at: datetime


class TotalOut(Schema):
    code: str
    name: str
    recipient_kind: str
    payments: int
    recipients: int
    yuan: Decimal


class TotalsOut(Schema):
    since: date | None
    until: date | None
    items: list[TotalOut]


class OwnOut(Schema):
    enterprise_id: int
    enterprise_name: str
    total: Decimal
    items: list[DisbursementOut]


# --- programmes ------------------------------------------------------------------------------------------


@router.get("/programmes", response={200: list[ProgrammeOut], **ERRORS})
def list_programmes(request):
    """补贴项目目录(持有任一补贴权限者可见)。"""
    return list(queries.programmes(request.auth))


@router.get("/programmes/{code}", response={200: ProgrammeDetailOut, **ERRORS})
def get_programme(request, code: str):
    programme = queries.programme_visible(request.auth, code)
    version = programme.current_version()
    formula = version.formula if version else None
    programme.version = version.version if version else None
    programme.rules, programme.formula = (version.rules if version else None), formula
    programme.formula_text = formulas.describe(formula) if formula else ""
    return programme


@router.post("/programmes/{code}/versions", response={201: VersionOut, **ERRORS})
def publish_version(request, code: str, payload: VersionIn):
    """发布资格规则与金额公式的新版本(规则用预审引擎的规则集格式,tier 为项目编码):有误 422
    `ruleset_invalid` / `formula_invalid`。已算出的候选保留其版本。"""
    programme = queries.programme_visible(request.auth, code)
    row = actions.publish_version(actor=request.auth, programme=programme, rules=payload.rules,
                                  formula=payload.formula, effective_from=payload.effective_from, note=payload.note)
    return Status(201, row)


# --- insurance years -------------------------------------------------------------------------------------


@router.put("/insurance-years", response={200: InsuranceOut, **ERRORS})
def record_insurance_year(request, payload: InsuranceIn):
    """登记或更正企业某年度失业保险缴费、参保人数、吸纳登记失业人员数(免申即享测算所用的事实)。"""
    department = Department.objects.filter(code=payload.department).first()
    if department is None:
        raise errors.ValidationFailed("部门不存在", code="department_unknown")
    data = actions.InsuranceInput(**payload.model_dump(exclude={"department"}))
    return actions.record_insurance_year(actor=request.auth, department=department, data=data)


# --- candidates ------------------------------------------------------------------------------------------


@router.post("/candidates/compute", response={200: ComputeOut, **ERRORS})
def compute_candidates(request, payload: ComputeIn):
    """按项目最新版本的规则与公式测算某考核年度的免申即享候选名单;未知项目 422 `programme_unknown`。"""
    programme = actions.programme_by_code(payload.programme)
    return actions.compute_candidates(actor=request.auth, programme=programme, year=payload.year)


@router.get("/candidates", response={200: list[CandidateOut], **ERRORS})
@paginate(CountItemsNext)
def list_candidates(request, programme: str = "", year: int | None = None,
                    status: Literal["pending", "approved", "rejected"] | None = None):
    return queries.candidates_visible(request.auth, programme=programme, year=year, status=status or "")


@router.get("/candidates/{candidate_id}", response={200: CandidateDetailOut, **ERRORS})
def get_candidate(request, candidate_id: Id):
    from civicgrid.subsidies.actions.candidates import candidate_for

    return candidate_for(request.auth, candidate_id)


@router.post("/candidates/{candidate_id}/transitions", response={200: TransitionOut, **ERRORS})
def transition_candidate(request, candidate_id: Id, payload: TransitionIn):
    """核准(approve:生成一笔发放;重复核准不重复发放,`created` 为 false)或不予发放(reject:须填 reason)。"""
    from civicgrid.subsidies.actions.candidates import candidate_for

    if payload.action == "approve":
        disbursement, created = actions.approve_candidate(actor=request.auth, candidate_id=candidate_id,
                                                          paid_on=payload.paid_on, reference=payload.reference)
        return {"candidate": candidate_for(request.auth, candidate_id), "disbursement_id": disbursement.pk,
                "created": created}
    candidate = actions.reject_candidate(actor=request.auth, candidate_id=candidate_id, reason=payload.reason)
    return {"candidate": candidate_for(request.auth, candidate.pk), "disbursement_id": None, "created": False}


# --- disbursements ---------------------------------------------------------------------------------------


@router.get("/disbursements", response={200: list[DisbursementOut], **ERRORS})
@paginate(CountItemsNext)
def list_disbursements(request, programme: str = "", since: Day | None = None, until: Day | None = None,
                       enterprise: int | None = None, batch: int | None = None):
    """本人可见的发放记录(个人信息脱敏);企业联系人只看本企业。"""
    qs = queries.disbursements_visible(request.auth, programme=programme, since=since, until=until,
                                       enterprise_id=enterprise, batch_id=batch)
    return _Presented(qs, request.auth)


@router.post("/disbursements", response={201: DisbursementOut, **ERRORS})
def record_disbursement(request, payload: DisbursementIn):
    """逐笔登记一笔发放。未知项目 422 `programme_unknown`,未注明币种 422 `currency_required`,身份证号校验位
    错误 422 `id_number_checksum`。请带 `Idempotency-Key` 请求头。"""
    programme = actions.programme_by_code(payload.programme)
    data = actions.PaymentInput(**payload.model_dump(exclude={"programme"}))
    row = actions.record_disbursement(actor=request.auth, programme=programme, data=data,
                                      idempotency_key=_key(request))
    return Status(201, queries.present(row, request.auth))


@router.get("/disbursements/{disbursement_id}", response={200: DisbursementOut, **ERRORS})
def get_disbursement(request, disbursement_id: Id):
    from civicgrid.subsidies.actions.payments import disbursement_for

    return queries.present(disbursement_for(request.auth, disbursement_id), request.auth)


@router.post("/disbursements/{disbursement_id}/reveal", response={200: dict, **ERRORS})
def reveal_recipient(request, disbursement_id: Id, payload: RevealIn):
    """完整身份证号:须有 people.unmask_personal 权限并填写事由,每次查看都记入审计日志。"""
    return actions.reveal_recipient(actor=request.auth, disbursement_id=disbursement_id, reason=payload.reason)


# --- batches, totals, export -------------------------------------------------------------------------------


@router.get("/batches", response={200: list[BatchOut], **ERRORS})
@paginate(CountItemsNext)
def list_batches(request, programme: str = ""):
    return queries.batches_visible(request.auth, programme=programme)


@router.post("/batches", response={201: BatchOut, **ERRORS})
def import_batch(request, programme: Form[str], file: File[UploadedFile]):
    """导入发放批次(.xlsx,模板见 /batches/template)。任一行有误则不导入任何数据:422 `import_rows_invalid`,
    `details` 为逐行错误 `[{row, column, code, message}]`;同一文件重复导入 409 `batch_duplicate`。"""
    found = actions.programme_by_code(programme)
    result = excel.import_batch(actor=request.auth, programme=found, file=file, file_name=file.name or "")
    return Status(201, result.batch)


@router.get("/batches/template", response={200: None, **ERRORS})
def batch_template(request, programme: str):
    found = actions.programme_by_code(programme)
    return _xlsx(excel.template_xlsx(found), f"{found.name}发放批次模板.xlsx")


@router.get("/totals", response={200: TotalsOut, **ERRORS})
def totals(request, since: Day | None = None, until: Day | None = None, programme: str = ""):
    """按项目合计:笔数、去重后的收款人数(企业或个人)和金额(元)。"""
    return {"since": since, "until": until,
            "items": queries.totals(request.auth, since=since, until=until, programme=programme)}


@router.get("/export", response={200: None, **ERRORS})
def export(request, programme: str = "", since: Day | None = None, until: Day | None = None):
    """导出发放明细(.xlsx;个人姓名与身份证号脱敏;导出记入审计日志)。即时导出至多 10000 笔(超过:422
    `export_too_large`);更大的范围请用 POST /reports/runs(kind=disbursement_export)在后台生成。"""
    qs = queries.disbursements_visible(request.auth, programme=programme, since=since, until=until)
    return _xlsx(excel.export_disbursements(actor=request.auth, queryset=qs, max_rows=excel.SYNC_MAX_ROWS),
                 "补贴发放明细.xlsx")


@router.get("/my", response={200: list[OwnOut], **ERRORS})
def my_subsidies(request):
    """企业联系人:本企业获得的补贴。"""
    return [{"enterprise_id": c["enterprise"].pk, "enterprise_name": c["enterprise"].name, "total": c["total"],
             "items": [queries.present(d, request.auth) for d in c["items"]]}
            for c in queries.own_subsidies(request.auth)]


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
