"""Enterprises: list, detail, register, change, credit flags, contacts, yearly metrics."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.accounts.models import User
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import RecordDay
from civicgrid.core import errors
from civicgrid.enterprises import actions, queries
from civicgrid.enterprises.api.common import ERRORS, TAGS, idempotency_key
from civicgrid.enterprises.choices import (
    Currency,
    EnterpriseStatus,
    Exchange,
    HighTechField,
    ListingBoard,
    Ownership,
    SizeClass,
)

router = Router(tags=TAGS)


class EnterpriseOut(Schema):
    """Registry data: what every viewer in reach may see (no metrics, no credit flags)."""

    id: int
    uscc: str
    name: str
    former_names: list[str]
    legal_rep: str
    registered_on: date | None
    registered_capital: Decimal | None
    currency: str
    ownership: str
    address: str
    park: str = Field(..., alias="park.code")
    park_name: str = Field(..., alias="park.name")
    lat: float | None
    lng: float | None
    industry_code: str
    hightech_field: str
    size_class: str
    is_above_size: bool
    listing_board: str
    exchange: str
    stock_code: str
    status: str
    updated_at: datetime


class EnterpriseIn(Schema):
    uscc: str = Field(..., max_length=40, description="统一社会信用代码(18位;小写字母和空格会被规范化)")
    name: str = Field(..., max_length=200)
    park: str = Field(..., max_length=20, description="园区编码")
    industry_code: str = Field(..., max_length=5, description="国民经济行业代码(GB/T 4754-2017)")
    legal_rep: str = Field("", max_length=50)
    registered_on: RecordDay | None = None
    registered_capital: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    currency: Currency = Currency.CNY
    ownership: Ownership = Ownership.DOMESTIC
    address: str = Field("", max_length=200)
    lat: float | None = None
    lng: float | None = None
    hightech_field: HighTechField | None = None
    is_above_size: bool = False
    listing_board: ListingBoard | None = None
    exchange: Exchange | None = None
    stock_code: str = Field("", max_length=12)
    former_names: list[str] = Field(default_factory=list, max_length=20)
    status: EnterpriseStatus = EnterpriseStatus.OPERATING

    def as_input(self) -> actions.EnterpriseInput:
        data = self.model_dump()
        for key in ("hightech_field", "listing_board", "exchange"):
            data[key] = data[key] or ""
        return actions.EnterpriseInput(**data)


class ContactOut(Schema):
    user_id: int
    username: str = Field(..., alias="user.username")
    name: str = Field(..., alias="user.display_name")
    title: str


class ContactIn(Schema):
    username: str = Field(..., max_length=150)
    title: str = Field("", max_length=50)


class CreditIn(Schema):
    is_abnormal_operation: bool | None = None
    is_serious_violation: bool | None = None
    reason: str = Field("", max_length=200)


class MetricsOut(Schema):
    year: int
    revenue: Decimal | None
    hightech_revenue: Decimal | None
    main_business_revenue: Decimal | None
    total_assets: Decimal | None
    net_assets: Decimal | None
    total_liabilities: Decimal | None
    rd_expense: Decimal | None
    rd_expense_domestic: Decimal | None
    staff: int | None
    tech_staff: int | None
    rd_staff: int | None
    patents_applied: int | None
    tax_paid: Decimal | None
    reported_by: str = Field(..., alias="reported_by.username")
    reported_at: datetime


class CreditOut(Schema):
    is_abnormal_operation: bool
    is_serious_violation: bool


class MetricsListOut(Schema):
    enterprise_id: int
    credit: CreditOut
    items: list[MetricsOut]


class MetricsIn(Schema):
    """Any subset of the year's figures (yuan, persons); fields left out keep their value."""

    revenue: Decimal | None = None
    hightech_revenue: Decimal | None = None
    main_business_revenue: Decimal | None = None
    total_assets: Decimal | None = None
    net_assets: Decimal | None = None
    total_liabilities: Decimal | None = None
    rd_expense: Decimal | None = None
    rd_expense_domestic: Decimal | None = None
    staff: int | None = None
    tech_staff: int | None = None
    rd_staff: int | None = None
    patents_applied: int | None = None
    tax_paid: Decimal | None = None


@router.get("/enterprises", response=list[EnterpriseOut])
@paginate(CountItemsNext)
def list_enterprises(request, q: str = "", park: str = "", status: str = "", industry: str = "",
                     qualification: str = "", size: SizeClass | None = None):
    """本人可见范围内的企业:专员看所服务园区(或全区),企业联系人只看本企业。"""
    return queries.enterprises_visible(request.auth, q=q, park=park, status=status, industry=industry,
                                       qualification=qualification, size=size or "")


@router.post("/enterprises", response={201: EnterpriseOut, 200: EnterpriseOut, **ERRORS})
def register_enterprise(request, payload: EnterpriseIn):
    """登记企业。统一社会信用代码逐项校验,每种错误各有代码(uscc_length、uscc_forbidden_character、
    uscc_check_character……);行业代码须在 GB/T 4754-2017 中。请带 `Idempotency-Key` 请求头。"""
    key = idempotency_key(request)
    enterprise = actions.register_enterprise(actor=request.auth, data=payload.as_input(), idempotency_key=key)
    return Status(201, queries.enterprise_visible(request.auth, enterprise.pk))


@router.get("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **ERRORS})
def get_enterprise(request, enterprise_id: int):
    return queries.enterprise_visible(request.auth, enterprise_id)


@router.put("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **ERRORS})
def update_enterprise(request, enterprise_id: int, payload: EnterpriseIn):
    """修改登记信息(统一社会信用代码不可改;改名时原名记入曾用名)。"""
    actions.update_enterprise(actor=request.auth, enterprise_id=enterprise_id, data=payload.as_input())
    return queries.enterprise_visible(request.auth, enterprise_id)


@router.post("/enterprises/{enterprise_id}/credit-flags", response={200: CreditOut, **ERRORS})
def set_credit_flags(request, enterprise_id: int, payload: CreditIn):
    """标记或取消经营异常、严重违法失信。"""
    kwargs = {k: v for k, v in payload.model_dump().items() if v is not None and k != "reason"}
    return actions.set_credit_flags(actor=request.auth, enterprise_id=enterprise_id, reason=payload.reason, **kwargs)


@router.get("/enterprises/{enterprise_id}/contacts", response={200: list[ContactOut], **ERRORS})
def list_contacts(request, enterprise_id: int):
    return list(queries.contacts_of(queries.enterprise_visible(request.auth, enterprise_id)))


@router.post("/enterprises/{enterprise_id}/contacts", response={201: ContactOut, **ERRORS})
def add_contact(request, enterprise_id: int, payload: ContactIn):
    """把持有“企业联系人”角色的账号关联到企业(一个企业可有多名联系人)。"""
    queries.enterprise_visible(request.auth, enterprise_id)
    user = User.objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise errors.ValidationFailed("账号不存在", code="user_unknown")
    return Status(201, actions.add_contact(actor=request.auth, enterprise_id=enterprise_id, user=user,
                                           title=payload.title))


@router.get("/enterprises/{enterprise_id}/metrics", response={200: MetricsListOut, **ERRORS})
def list_metrics(request, enterprise_id: int):
    """年度经营数据与信用标记(非公开数据:每次读取写入审计日志)。"""
    enterprise = queries.enterprise_visible(request.auth, enterprise_id)
    data = queries.read_metrics(request.auth, enterprise)
    return {"enterprise_id": enterprise.pk, "credit": data["credit"], "items": data["metrics"]}


@router.put("/enterprises/{enterprise_id}/metrics/{year}", response={200: MetricsOut, **ERRORS})
def report_metrics(request, enterprise_id: int, year: int, payload: MetricsIn):
    """填报或更正某年度经营数据:负数 422 `metrics_negative`,占比超过100% 422 `metrics_share_above_100`。"""
    values = payload.model_dump(exclude_unset=True)
    return actions.report_metrics(actor=request.auth, enterprise_id=enterprise_id, year=year, values=values)
