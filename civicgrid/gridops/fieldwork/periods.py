"""Reporting periods, pure date arithmetic: the half-month of dispute screening (1st–15th, 16th–end of
month) and calendar months for the joint-work summary."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from civicgrid.core import inputs


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def half_month(day: date) -> tuple[date, date]:
    """The screening period holding `day`: the 1st–15th or the 16th–last day of its month."""
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    return day.replace(day=16), month_end(day)


def previous_half_month(day: date) -> tuple[date, date]:
    start, _ = half_month(day)
    return half_month(start - timedelta(days=1))


def half_months_between(first: date, last: date) -> list[tuple[date, date]]:
    """Every screening period that touches [first, last], oldest first."""
    periods, start = [], half_month(first)[0]
    while start <= last:
        period = half_month(start)
        periods.append(period)
        start = period[1] + timedelta(days=1)
    return periods


def month(day: date) -> tuple[date, date]:
    return day.replace(day=1), month_end(day)


def parse_month(text: str, default: date) -> date:
    """`YYYY-MM` (or a full date) -> the first day of that month; `default`'s month when empty or invalid.
    A month outside the years every input keeps to is refused (inputs.InvalidInput): its sums would overflow."""
    text = (text or "").strip()
    try:
        if len(text) == 7:
            return inputs.check_day(date.fromisoformat(text + "-01"))
        return inputs.check_day(date.fromisoformat(text).replace(day=1))
    except ValueError:
        return default.replace(day=1)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) as aware local datetimes."""
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(first, time.min), tz),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz))
