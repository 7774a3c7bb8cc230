"""Donations in reach, their totals and distributions, and the household a distribution goes to."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from civicgrid.volunteers.models import Donation, PracticeSite


def donations_visible(user):
    """The donations the user reaches with what has been distributed of each, newest first."""
    return (Donation.objects.visible_to(user, "volunteers.view_donation").select_related("site")
            .annotate(distributed=Sum("distributions__amount")).order_by("-received_at", "-id"))


def donation_as_recorded(donation_id: int) -> Donation:
    return (Donation.objects.select_related("site").annotate(distributed=Sum("distributions__amount"))
            .get(pk=donation_id))


def donation_sites(user) -> list[PracticeSite]:
    return list(PracticeSite.objects.visible_to(user, "volunteers.change_donation").filter(is_active=True)
                .order_by("level", "code"))


def donation_totals(donations) -> dict:
    """Received, distributed and left over the given (scoped) donations, in yuan."""
    from civicgrid.volunteers.models import Distribution

    received = donations.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    given = Distribution.objects.filter(donation__in=donations.values("pk")).aggregate(s=Sum("amount"))["s"]
    given = given or Decimal("0")
    by_kind = dict(donations.order_by().values_list("kind").annotate(s=Sum("amount")))
    return {"received": received, "distributed": given, "left": received - given, "by_kind": by_kind,
            "count": donations.count()}


def recent_distributions(donations, limit: int = 20):
    from civicgrid.volunteers.models import Distribution

    return (Distribution.objects.filter(donation__in=donations.values("pk")).select_related("donation", "household")
            .order_by("-distributed_at", "-id")[:limit])


def household_id(number: str) -> int | None:
    """The household with this 户编号 (the id only: the action records the distribution against it)."""
    from civicgrid.people.models import Household

    return Household.objects.filter(number=(number or "").strip(), is_active=True).values_list("pk", flat=True).first()
