"""Leads with their transitions, funds in place, the year-on-year summary and the chart data."""

from datetime import date
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, RecordDay
from civicgrid.core import errors
from civicgrid.investment import actions, queries
from civicgrid.investment.api.common import ERRORS, TAGS, idempotency_key
from civicgrid.investment.choices import FundsOrigin, LeadSource, LeadStage

router = Router(tags=TAGS)


class LeadOut(Schema):
    id: int
    name: str
    investor: str
    source: str
    industry_code: str
    amount: Decimal
    currency: str
    owner: str = Field(..., alias="owner.username")
    stage: str
    park: str | None = Field(None, alias="park.code")
    found_on: date
    negotiating_on: date | None
    signed_on: date | None
    landed_on: date | None
    funded_on: date | None
    project_id: int | None


class LeadIn(Schema):
    name: str = Field(..., max_length=200)
    investor: str = Field(..., max_length=200)
    source: LeadSource
    industry_code: str = Field(..., max_length=5)
    amount: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, max_length=3, description="币种(必填,缺少时 422 `currency_required`)")
    found_on: RecordDay
    park: str = Field("", max_length=20)
    owner_id: Id | None = None
    note: str = Field("", max_length=500)


class LeadTransitionIn(Schema):
    stage: LeadStage = Field(..., description="下一阶段:洽谈→签约→落地→资金到位")
    on: RecordDay
    project_id: Id | None = Field(None, description="落地时关联的项目")


class FundsOut(Schema):
    id: int
    origin: str
    amount: Decimal
    currency: str
    received_on: date
    project_id: int | None
    lead_id: int | None
    note: str


class FundsIn(Schema):
    origin: FundsOrigin
    amount: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, max_length=3, description="币种(必填,缺少时 422 `currency_required`)")
    received_on: RecordDay
    project_id: Id | None = None
    lead_id: Id | None = None
    note: str = Field("", max_length=200)


class PeriodIn(Schema):
    since: Day
    until: Day
    origin: FundsOrigin = FundsOrigin.DOMESTIC
    currency: str = Field("CNY", max_length=3)


class GrowthOut(Schema):
    since: date
    until: date
    base_since: date
    base_until: date
    yuan: Decimal
    base_yuan: Decimal
    yoy_percent: Decimal | None
    reason: str | None


@router.get("/leads", response=list[LeadOut])
@paginate(CountItemsNext)
def list_leads(request, stage: LeadStage | None = None, source: LeadSource | None = None, q: str = ""):
    return queries.leads_visible(request.auth, stage=stage or "", source=source or "", q=q)


@router.post("/leads", response={201: LeadOut, **ERRORS})
def create_lead(request, payload: LeadIn):
    """登记招商线索。请带 `Idempotency-Key` 请求头。"""
    lead = actions.create_lead(actor=request.auth, data=actions.LeadInput(**payload.model_dump()),
                               idempotency_key=idempotency_key(request))
    return Status(201, queries.lead_visible(request.auth, lead.pk))


@router.get("/leads/{lead_id}", response={200: LeadOut, **ERRORS})
def get_lead(request, lead_id: int):
    return queries.lead_visible(request.auth, lead_id)


@router.post("/leads/{lead_id}/transitions", response={200: LeadOut, **ERRORS})
def advance_lead(request, lead_id: int, payload: LeadTransitionIn):
    """推进线索到下一阶段;资金到位前须已登记到位资金(422 `lead_no_funds`)。"""
    actions.advance_lead(actor=request.auth, lead_id=lead_id, stage=payload.stage, on=payload.on,
                         project_id=payload.project_id)
    return queries.lead_visible(request.auth, lead_id)


@router.get("/funds", response=list[FundsOut])
@paginate(CountItemsNext)
def list_funds(request, since: Day | None = None, until: Day | None = None, origin: FundsOrigin | None = None):
    return queries.funds_visible(request.auth, since=since, until=until, origin=origin or "")


@router.post("/funds", response={201: FundsOut, **ERRORS})
def record_funds(request, payload: FundsIn):
    """登记到位资金(内资/外资,金额须带币种);早于线索签约日期 422 `funds_before_signing`。"""
    funds = actions.record_funds(actor=request.auth, data=actions.FundsInput(**payload.model_dump()),
                                 idempotency_key=idempotency_key(request))
    return Status(201, funds)


@router.get("/funds/growth", response={200: GrowthOut, **ERRORS})
def funds_growth(request, period: Query[PeriodIn]):
    """任一时段到位资金及同比(与上年同期相比);上年同期为零时 `yoy_percent` 为 null,`reason` 为 `no_base`。"""
    if period.until < period.since:
        raise errors.ValidationFailed("结束日期不能早于开始日期", code="period_invalid")
    result = queries.funds_growth(request.auth, period.since, period.until, origin=period.origin,
                                  currency=period.currency.upper())
    base_since, base_until = queries.growth.same_period_last_year(period.since, period.until)
    return {"since": period.since, "until": period.until, "base_since": base_since, "base_until": base_until,
            "yuan": result.current, "base_yuan": result.base, "yoy_percent": result.percent, "reason": result.reason}


@router.get("/funds/chart", response={200: dict, **ERRORS})
def funds_chart(request, year: int = Query(..., ge=2000, le=2099)):
    """某年到位资金(人民币)按月、按内外资和按线索来源,以及上年各月合计。"""
    return queries.funds_chart(request.auth, year)
