"""Donations (捐赠) and their distribution to households."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id
from civicgrid.core.scoping import get_visible
from civicgrid.volunteers import actions
from civicgrid.volunteers.api.common import ERRORS, TAGS, Blank, Cents
from civicgrid.volunteers.choices import DonationKind
from civicgrid.volunteers.models import PracticeSite
from civicgrid.volunteers.queries import donations as donation_queries
from civicgrid.volunteers.queries import orders as order_queries

router = Router(tags=TAGS)


class DonationOut(Schema):
    id: int
    site: str = Field(..., alias="site.code")
    site_name: str = Field(..., alias="site.name")
    order_id: int | None
    donor: str
    kind: str
    amount: Cents = Field(..., description="元(物资为估值)")
    items: str
    received_at: datetime
    distributed: Cents = Field(..., description="已发放")
    remaining: Cents

    @staticmethod
    def resolve_distributed(obj):
        return obj.distributed or Decimal("0")

    @staticmethod
    def resolve_remaining(obj):
        return obj.amount - (obj.distributed or Decimal("0"))


class DonationIn(Schema):
    site: str = Field(..., max_length=30, description="接收捐赠的实践阵地编码")
    donor: str = Field(..., max_length=100)
    kind: DonationKind
    amount: Decimal = Field(..., max_digits=12, decimal_places=2)
    items: str = Field("", max_length=200)
    order_id: int | None = Field(None, description="关联的捐赠服务订单")
    received_at: AwareDatetime | None = None


class DistributionIn(Schema):
    household_id: int
    amount: Decimal = Field(..., max_digits=12, decimal_places=2)
    items: str = Field("", max_length=200)


class DistributionOut(Schema):
    id: int
    donation_id: int
    household_id: int
    amount: Cents
    items: str
    distributed_at: datetime


class DonationFilter(FilterSchema):
    site: Annotated[Blank, FilterLookup("site__code")] = Field(None, description="站点编码")
    kind: DonationKind | None = None


@router.get("/donations", response=list[DonationOut])
@paginate(CountItemsNext)
def list_donations(request, filters: Query[DonationFilter]):
    """本人可见范围内的捐赠及已发放、剩余数额。"""
    return filters.filter(donation_queries.donations_visible(request.auth))


@router.post("/donations", response={201: DonationOut, **ERRORS})
def record_donation(request, payload: DonationIn):
    """登记捐赠(款或物)。请带 `Idempotency-Key` 请求头:重试同一请求只登记一笔。"""
    site = get_visible(PracticeSite.objects, request.auth, "volunteers.change_donation", code=payload.site)
    order = order_queries.order_visible(request.auth, payload.order_id) if payload.order_id else None
    donation = actions.record_donation(actor=request.auth, site=site, donor=payload.donor, kind=payload.kind,
                                       amount=payload.amount, items=payload.items, order=order,
                                       received_at=payload.received_at,
                                       idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, donation_queries.donation_as_recorded(donation.pk))


@router.post("/donations/{donation_id}/distributions", response={201: DistributionOut, **ERRORS})
def distribute_donation(request, donation_id: Id, payload: DistributionIn):
    """把一笔捐赠的一部分发放给某户;超出剩余数额时 422 `distribution_exceeds_donation`。"""
    row = actions.distribute_donation(actor=request.auth, donation_id=donation_id,
                                      household_id=payload.household_id, amount=payload.amount,
                                      items=payload.items)
    return Status(201, row)
