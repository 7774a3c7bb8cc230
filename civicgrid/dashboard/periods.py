"""Months as dashboard periods (pure date arithmetic, no Django)."""

from __future__ import annotations

import calendar
from datetime import date


def first_of(day: date) -> date:
    return day.replace(day=1)


def last_of(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def shift(month: date, months: int) -> date:
    """The first day of the month `months` after (negative: before) `month`'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str | None, default: date) -> date | None:
    """"2026-11" -> date(2026, 11, 1); blank -> default's month; anything else -> None."""
    if not text:
        return first_of(default)
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2099 and 1 <= month <= 12 else None
    except ValueError:
        return None


def label(month: date) -> str:
    return f"{month.year}年{month.month}月"
