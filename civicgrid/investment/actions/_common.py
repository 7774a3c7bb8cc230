"""Helpers shared by the investment actions: look-ups through the chokepoint and input checks that raise
the domain's 422 codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from civicgrid.core import errors
from civicgrid.core.scoping import fetch_visible, get_visible
from civicgrid.enterprises.actions._common import ENTERPRISE_RELATED, decimal_or_none
from civicgrid.enterprises.choices import Currency
from civicgrid.investment.models import VIEW_ATTRACTION, VIEW_PROJECT, Lead, Project

MAX_AMOUNT = Decimal("1e13")  # 10 万亿: above any real project; keeps the 16-digit columns safe


# a project with its enterprise, and its own park, zone and zone region loaded as an enterprise's are
PROJECT_RELATED = (("enterprise", None), *ENTERPRISE_RELATED)


def project_for(actor, project_id: int) -> Project:
    """The project through the chokepoint: NotFound when absent or out of the actor's reach."""
    return fetch_visible(Project, actor, VIEW_PROJECT, pk=project_id, related=PROJECT_RELATED)


def lead_for(actor, lead_id: int) -> Lead:
    return get_visible(Lead.objects.select_related("zone", "zone__region", "park"), actor, VIEW_ATTRACTION,
                       pk=lead_id)


def amount(value, field: str, *, code: str, message: str, allow_zero: bool = False) -> Decimal:
    """A positive (or, with allow_zero, non-negative) amount with at most 2 decimals."""
    number = decimal_or_none(value, field)
    if number is None or number < 0 or (number == 0 and not allow_zero) or number >= MAX_AMOUNT \
            or number != number.quantize(Decimal("0.01")):
        raise errors.ValidationFailed(message, code=code, details={"field": field})
    return number


def currency(value, field: str = "currency") -> str:
    """An amount's currency: required (422 `currency_required`), one of the known codes."""
    if value is None or str(value).strip() == "":
        raise errors.ValidationFailed("金额须注明币种", code="currency_required", details={"field": field})
    value = str(value).strip().upper()
    if value not in Currency.values:
        raise errors.ValidationFailed("币种无效", code="currency_invalid", details={"field": field})
    return value


def not_future(day: date | None, today: date, *, code: str, message: str, field: str) -> None:
    if day is not None and day > today:
        raise errors.ValidationFailed(message, code=code, details={"field": field})


def today() -> date:
    from django.utils import timezone

    from civicgrid.core import clock

    return timezone.localtime(clock.now()).date()
