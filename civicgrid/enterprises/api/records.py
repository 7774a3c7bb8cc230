"""An enterprise's qualifications, patents and pre-check reports."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import RecordDay
from civicgrid.enterprises import actions, queries
from civicgrid.enterprises.api.common import ERRORS, TAGS, idempotency_key
from civicgrid.enterprises.choices import IpClass, PatentKind, PatentStatus, QualificationStatus

router = Router(tags=TAGS)


class QualificationOut(Schema):
    id: int
    enterprise_id: int
    kind: str = Field(..., alias="kind.code")
    kind_name: str = Field(..., alias="kind.name")
    certificate_no: str
    issuer: str
    issued_on: date
    valid_until: date | None
    batch: str
    status: str
    days_left: int | None = None

    @staticmethod
    def resolve_days_left(obj):
        return obj.days_left(queries.today())


class QualificationIn(Schema):
    kind: str = Field(..., max_length=40, description="资质类别编码,见 /enterprises/qualification-kinds")
    issued_on: RecordDay
    valid_until: RecordDay | None = Field(None, description="不填则按类别的有效期推算;早于认定日期时 422 `valid_until_before_issue`")
    certificate_no: str = Field("", max_length=60)
    issuer: str = Field("", max_length=100)
    batch: str = Field("", max_length=40)
    status: QualificationStatus = QualificationStatus.RECOGNISED


class QualificationStatusIn(Schema):
    status: QualificationStatus
    valid_until: RecordDay | None = None


class PatentOut(Schema):
    id: int
    enterprise_id: int
    kind: str
    number: str
    title: str
    applied_on: date | None
    granted_on: date | None
    status: str
    ended_on: date | None
    ip_class: str


class PatentIn(Schema):
    kind: PatentKind
    number: str = Field(..., max_length=40, description="专利申请号/登记号,按类型校验格式与校验位")
    title: str = Field(..., max_length=200)
    granted_on: RecordDay | None = None
    applied_on: RecordDay | None = None
    status: PatentStatus = PatentStatus.VALID
    ended_on: RecordDay | None = None
    ip_class: IpClass | None = None


class PatentStatusIn(Schema):
    status: PatentStatus
    ended_on: RecordDay | None = None


class ReportOut(Schema):
    id: int
    enterprise_id: int
    tier: str = Field(..., alias="ruleset.tier")
    ruleset_version: int = Field(..., alias="ruleset.version")
    ruleset_name: str = Field(..., alias="ruleset.name")
    status: str
    distance: float | None
    result: Any
    computed_at: datetime


@router.get("/enterprises/{enterprise_id}/qualifications", response={200: list[QualificationOut], **ERRORS})
def list_qualifications(request, enterprise_id: int):
    return list(queries.qualifications_of(queries.enterprise_visible(request.auth, enterprise_id)))


@router.post("/enterprises/{enterprise_id}/qualifications", response={201: QualificationOut, **ERRORS})
def record_qualification(request, enterprise_id: int, payload: QualificationIn):
    """登记资质证书。请带 `Idempotency-Key` 请求头。"""
    made = actions.record_qualification(actor=request.auth, enterprise_id=enterprise_id,
                                        data=actions.QualificationInput(**payload.model_dump()),
                                        idempotency_key=idempotency_key(request))
    return Status(201, made)


@router.post("/qualifications/{qualification_id}/status", response={200: QualificationOut, **ERRORS})
def set_qualification_status(request, qualification_id: int, payload: QualificationStatusIn):
    return actions.set_qualification_status(actor=request.auth, qualification_id=qualification_id,
                                            status=payload.status, valid_until=payload.valid_until)


@router.get("/qualifications/expiring", response=list[QualificationOut])
@paginate(CountItemsNext)
def expiring(request, within_days: int = 90):
    """本人可见范围内即将到期(默认90天内)的资质。"""
    return queries.expiring_qualifications(request.auth, within_days=max(0, min(within_days, 730)))


@router.get("/enterprises/{enterprise_id}/patents", response={200: list[PatentOut], **ERRORS})
def list_patents(request, enterprise_id: int):
    return list(queries.patents_of(queries.enterprise_visible(request.auth, enterprise_id)))


@router.post("/enterprises/{enterprise_id}/patents", response={201: PatentOut, **ERRORS})
def record_patent(request, enterprise_id: int, payload: PatentIn):
    """登记专利或其他知识产权;编号格式不符 422(patent_format、patent_check_digit……)。请带 `Idempotency-Key`。"""
    data = payload.model_dump()
    data["ip_class"] = data["ip_class"] or ""
    made = actions.record_patent(actor=request.auth, enterprise_id=enterprise_id, data=actions.PatentInput(**data),
                                 idempotency_key=idempotency_key(request))
    return Status(201, made)


@router.post("/patents/{patent_id}/status", response={200: PatentOut, **ERRORS})
def set_patent_status(request, patent_id: int, payload: PatentStatusIn):
    return actions.set_patent_status(actor=request.auth, patent_id=patent_id, status=payload.status,
                                     ended_on=payload.ended_on)


@router.get("/enterprises/{enterprise_id}/precheck", response={200: list[ReportOut], **ERRORS})
def list_reports(request, enterprise_id: int):
    """各梯度(科技型中小企业、高新技术企业、专精特新、小巨人)最新一次预审结果,附所用规则版本。"""
    return queries.latest_reports_of(queries.enterprise_visible(request.auth, enterprise_id))


@router.post("/enterprises/{enterprise_id}/precheck", response={201: list[ReportOut], **ERRORS})
def run_precheck(request, enterprise_id: int):
    """按现行规则版本对企业重新预审并保存结果。"""
    return Status(201, actions.run_precheck(actor=request.auth, enterprise_id=enterprise_id))


@router.get("/precheck/candidates", response={200: list[ReportOut], **ERRORS})
def candidates(request, tier: str, limit: int = 20):
    """某一梯度最接近达标的企业(已持有该资质的除外),按差距排序。"""
    return queries.candidates(request.auth, tier, limit=max(1, min(limit, 100)))
