"""Donations received and handed to households."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from civicgrid.core import audit, clock, errors, timecheck
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.volunteers.choices import DonationKind
from civicgrid.volunteers.models import (
    Distribution,
    Donation,
    Order,
    PracticeSite,
)

# --- donations ----------------------------------------------------------------------------------------

def record_donation(*, actor, site: PracticeSite, donor: str, kind: str, amount: Decimal, items: str = "",
                    order: Order | None = None, received_at: datetime | None = None,
                    idempotency_key: str | None = None) -> Donation:
    require(actor, "volunteers.change_donation", site)
    if kind not in DonationKind.values:
        raise errors.ValidationFailed("捐赠类别无效", code="donation_kind_invalid")
    amount = Decimal(str(amount))
    if amount <= 0 or amount > Decimal("10000000"):
        raise errors.ValidationFailed("金额须大于0(物资填估值)", code="donation_amount_invalid")
    if not (donor or "").strip():
        raise errors.ValidationFailed("请填写捐赠人", code="donor_required")
    if received_at is not None:
        timecheck.not_future(received_at, field="received_at", label="接收时间")

    def create() -> Donation:
        donation = Donation.objects.create(site=site, order=order, donor=donor.strip()[:100], kind=kind,
                                           amount=amount, items=items[:200], recorded_by=actor,
                                           received_at=received_at or clock.now())
        audit.record(actor=actor, action="volunteers.record_donation", obj=donation,
                     details={"kind": kind, "amount": str(amount)})
        return donation

    with transaction.atomic():
        donation, _ = run_once(key=idempotency_key, actor=actor, action="volunteers.record_donation",
                               model=Donation, create=create,
                               body={"site": site, "donor": donor, "kind": kind, "amount": amount, "items": items,
                                     "order": order, "received_at": received_at})
    return donation


def distribute_donation(*, actor, donation_id: int, household_id: int, amount: Decimal, items: str = "",
                        distributed_at: datetime | None = None) -> Distribution:
    """Hand part of a donation to a household; never more than what is left of it."""
    if distributed_at is not None:
        timecheck.not_future(distributed_at, field="distributed_at", label="发放时间")
    from civicgrid.people.models import Household

    donation = get_visible(Donation.objects, actor, "volunteers.view_donation", pk=donation_id)
    require(actor, "volunteers.change_donation", donation)
    household = Household.objects.select_related("region").filter(pk=household_id).first()
    # the site hands out in its own area (a station its community, the centre the district)
    if household is None or not household.region.code.startswith(donation.site.region.code):
        raise errors.ValidationFailed("受助家庭不存在或不在本阵地服务范围内", code="household_unknown")
    amount = Decimal(str(amount))
    if amount <= 0:
        raise errors.ValidationFailed("发放金额须大于0", code="distribution_amount_invalid")
    with transaction.atomic():
        donation = Donation.objects.select_for_update().get(pk=donation.pk)
        given = donation.distributions.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if given + amount > donation.amount:
            raise errors.ValidationFailed(f"超出该笔捐赠的剩余数额({donation.amount - given} 元)",
                                          code="distribution_exceeds_donation")
        row = Distribution.objects.create(donation=donation, household=household, amount=amount, items=items[:200],
                                          recorded_by=actor, distributed_at=distributed_at or clock.now())
        audit.record(actor=actor, action="volunteers.distribute_donation", obj=row,
                     details={"donation": donation.pk, "household": household.pk, "amount": str(amount)})
    return row
