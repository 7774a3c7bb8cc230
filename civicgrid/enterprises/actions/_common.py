"""Helpers shared by the enterprise actions: input checks that raise the domain's 422 codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from civicgrid.core import errors
from civicgrid.core.scoping import fetch_visible
from civicgrid.enterprises.models import VIEW, Enterprise
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY

UNSET: object = object()  # "leave this field as it is" in the update functions


# an enterprise with its park, zone and the zone's region (whose code its reach is checked by)
ENTERPRISE_RELATED = (("park", None), ("park__zone", None), ("park__zone__region", FIELDS_WITHOUT_BOUNDARY))


def enterprise_for(actor, enterprise_id: int) -> Enterprise:
    """The enterprise through the chokepoint: NotFound when absent or out of the actor's reach."""
    return fetch_visible(Enterprise, actor, VIEW, pk=enterprise_id, related=ENTERPRISE_RELATED)


def decimal_or_none(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise errors.ValidationFailed(f"{field} 须为数字", code="number_invalid", details={"field": field}) from None
    if not number.is_finite():
        raise errors.ValidationFailed(f"{field} 须为数字", code="number_invalid", details={"field": field})
    return number


def text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def required_text(value, limit: int, code: str, message: str) -> str:
    value = text(value, limit)
    if not value:
        raise errors.ValidationFailed(message, code=code)
    return value


def not_future(day: date | None, today: date, code: str, message: str) -> None:
    if day is not None and day > today:
        raise errors.ValidationFailed(message, code=code)
