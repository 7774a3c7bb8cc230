"""The field vocabulary, platforms, research teams, the 科技创新部 setting and 产学研 agreements."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id, RecordDay
from civicgrid.core.scoping import require
from civicgrid.innovation import actions, queries
from civicgrid.innovation.api.common import ERRORS, TAGS, idempotency_key
from civicgrid.innovation.choices import (
    AgreementStatus,
    OutputKind,
    PartnerKind,
    PlatformKind,
    PlatformLevel,
)
from civicgrid.innovation.choices import (
    Field as TechField,
)

router = Router(tags=TAGS)
VIEW = "innovation.view_innovation"


class FieldOut(Schema):
    code: str
    name: str


class PlatformOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    level: str
    host_organisation: str
    host_enterprise_id: int | None
    qualification_id: int | None
    fields: list[str]
    recognised_on: date | None
    description: str
    is_active: bool


class PlatformIn(Schema):
    code: str = Field(..., max_length=30)
    name: str = Field(..., max_length=200)
    kind: PlatformKind
    level: PlatformLevel
    host_organisation: str = Field(..., max_length=200, description="依托单位")
    fields: list[TechField] = Field(..., max_length=5)
    recognised_on: RecordDay | None = None
    host_enterprise_id: Id | None = Field(None, description="企业技术中心、博士后工作站必填")
    qualification_id: Id | None = Field(None, description="依托企业的同类资质(省级企业技术中心/博士后科研工作站)")
    description: str = Field("", max_length=500)


class TeamOut(Schema):
    id: int
    name: str
    lead_organisation: str
    leader_name: str
    platform_id: int | None
    fields: list[str]
    is_active: bool


class TeamIn(Schema):
    name: str = Field(..., max_length=200)
    lead_organisation: str = Field(..., max_length=200)
    leader_name: str = Field(..., max_length=50)
    fields: list[TechField] = Field(..., max_length=5)
    platform_id: Id | None = None


class OfficeIn(Schema):
    department_code: str = Field(..., max_length=40)


class OfficeOut(Schema):
    department_code: str = Field(..., alias="department.code")
    department_name: str = Field(..., alias="department.name")


class OutputOut(Schema):
    id: int
    kind: str
    title: str
    achieved_on: date


class AgreementOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    partner_name: str
    partner_kind: str
    platform_id: int | None
    title: str
    field: str
    signed_on: date
    starts_on: date
    ends_on: date
    amount: Decimal = Field(..., description="元")
    status: str
    outputs: list[OutputOut]
    recorded_at: datetime

    @staticmethod
    def resolve_outputs(obj):
        return list(obj.outputs.all())


class AgreementIn(Schema):
    enterprise_id: Id
    partner_name: str = Field(..., max_length=200)
    partner_kind: PartnerKind
    title: str = Field(..., max_length=200)
    field: TechField
    signed_on: RecordDay
    starts_on: RecordDay
    ends_on: RecordDay
    amount: Decimal = Field(..., description="合作金额(元),须大于0", max_digits=14, decimal_places=2)
    platform_id: Id | None = None


class StatusIn(Schema):
    status: AgreementStatus


class OutputIn(Schema):
    kind: OutputKind
    title: str = Field(..., max_length=200)
    achieved_on: RecordDay


@router.get("/fields", response=list[FieldOut])
def list_fields(request):
    """技术领域目录(平台、团队、需求和协议共用)。"""
    require(request.auth, VIEW)
    return [{"code": code, "name": str(name)} for code, name in TechField.choices]


@router.get("/platforms", response=list[PlatformOut])
@paginate(CountItemsNext)
def list_platforms(request, kind: PlatformKind | None = None, field: TechField | None = None, q: str = ""):
    """创新平台(全区可见)。"""
    return queries.platforms(request.auth, kind=kind or "", field=field or "", q=q)


@router.post("/platforms", response={201: PlatformOut, **ERRORS})
def record_platform(request, payload: PlatformIn):
    """登记创新平台。企业技术中心、博士后工作站须填依托企业(422 `host_enterprise_required`),关联的资质
    须是该企业的同类资质(422 `qualification_mismatch`)。"""
    data = actions.PlatformInput(**payload.model_dump())
    return Status(201, actions.record_platform(actor=request.auth, data=data,
                                               idempotency_key=idempotency_key(request)))


@router.get("/platforms/{platform_id}", response={200: PlatformOut, **ERRORS})
def get_platform(request, platform_id: Id):
    return queries.platform_visible(request.auth, platform_id)


@router.get("/teams", response=list[TeamOut])
@paginate(CountItemsNext)
def list_teams(request, field: TechField | None = None):
    """研发团队(全区可见)。"""
    return queries.teams(request.auth, field=field or "")


@router.post("/teams", response={201: TeamOut, **ERRORS})
def record_team(request, payload: TeamIn):
    data = actions.TeamInput(**payload.model_dump())
    return Status(201, actions.record_team(actor=request.auth, data=data, idempotency_key=idempotency_key(request)))


@router.put("/office", response={200: OfficeOut, **ERRORS})
def set_office(request, payload: OfficeIn):
    """设定承担“科技创新部”职责的高新区部门(发榜、登记申报、部门一方遴选、验收)。"""
    return actions.set_innovation_office(actor=request.auth, department_code=payload.department_code)


@router.get("/agreements", response=list[AgreementOut])
@paginate(CountItemsNext)
def list_agreements(request, enterprise_id: Id | None = None, status: AgreementStatus | None = None,
                    field: TechField | None = None):
    """产学研合作协议:本人可见的企业(企业联系人只看本企业)。"""
    return queries.agreements(request.auth, enterprise_id=enterprise_id, status=status or "", field=field or "")


@router.post("/agreements", response={201: AgreementOut, **ERRORS})
def record_agreement(request, payload: AgreementIn):
    """登记合作协议:金额须大于0(422 `amount_not_positive`),结束不早于开始(422 `dates_reversed`)。"""
    agreement = actions.record_agreement(actor=request.auth, data=actions.AgreementInput(**payload.model_dump()),
                                         idempotency_key=idempotency_key(request))
    return Status(201, queries.agreement_visible(request.auth, agreement.pk))


@router.get("/agreements/{agreement_id}", response={200: AgreementOut, **ERRORS})
def get_agreement(request, agreement_id: Id):
    return queries.agreement_visible(request.auth, agreement_id)


@router.post("/agreements/{agreement_id}/status", response={200: AgreementOut, **ERRORS})
def set_agreement_status(request, agreement_id: Id, payload: StatusIn):
    """已签约 → 执行中 → 已完成,或终止;其他改动 409 `agreement_move_invalid`。"""
    actions.set_agreement_status(actor=request.auth, agreement_id=agreement_id, status=payload.status)
    return queries.agreement_visible(request.auth, agreement_id)


@router.post("/agreements/{agreement_id}/outputs", response={201: OutputOut, **ERRORS})
def record_output(request, agreement_id: Id, payload: OutputIn):
    return Status(201, actions.record_output(actor=request.auth, agreement_id=agreement_id, kind=payload.kind,
                                             title=payload.title, achieved_on=payload.achieved_on,
                                             idempotency_key=idempotency_key(request)))
