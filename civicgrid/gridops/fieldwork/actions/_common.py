"""Small input rules shared by the field-work actions (Chinese messages, stable error codes)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from civicgrid.core import errors, timecheck
from civicgrid.geo.choices import RegionLevel

REASON_MAX = 200


def text(value, *, label: str, code: str, max_length: int, required: bool = False) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise errors.ValidationFailed(f"请填写{label}", code=f"{code}_required")
    if len(cleaned) > max_length:
        raise errors.ValidationFailed(f"{label}过长(最多{max_length}字)", code=f"{code}_too_long")
    return cleaned


def choice(value, choices, *, label: str, code: str) -> str:
    if value not in choices.values:
        raise errors.ValidationFailed(f"{label}无效", code=f"{code}_unknown")
    return value


def moment(value: datetime | None, now: datetime, *, label: str, code: str) -> datetime:
    """A time that has happened: defaults to now, may not lie in the future (422 `time_in_future` with
    `details.field` = `code`, core/timecheck)."""
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timecheck.not_future(value, field=code, label=label, now=now)


def later_date(value: date | None, after: date, *, label: str, code: str) -> date | None:
    if value is not None and value <= after:
        raise errors.ValidationFailed(f"{label}须晚于{after:%Y-%m-%d}", code=f"{code}_not_later")
    return value


def reason(value: str) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > REASON_MAX:
        raise errors.ValidationFailed(f"事由过长(最多{REASON_MAX}个字符)", code="reveal_reason_too_long")
    return cleaned


def field_region(region, *, code: str = "region_not_grid"):
    """A grid or micro-grid: where field work is placed."""
    if region.level not in (RegionLevel.GRID, RegionLevel.MICRO_GRID):
        raise errors.ValidationFailed("请选择网格或微网格", code=code)
    return region
