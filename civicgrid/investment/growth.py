"""Year-on-year growth (同比), the one function every page, chart and figure uses. Pure Python.

    yoy(Decimal("137.13"), Decimal("100"))  -> Growth(percent=Decimal("37.13"), reason=None)
    yoy(Decimal("5"), Decimal("0"))         -> Growth(percent=None, reason="no_base")

A base period with nothing in it (zero or no records) has no growth rate: the answer is "no base"
(percent None with the reason), never a division error or an infinite percentage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NO_BASE = "no_base"
NO_BASE_ZH = "上年同期为零,无法计算同比"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Growth:
    current: Decimal
    base: Decimal
    percent: Decimal | None  # rounded half-up to 2 decimals; None when there is no base
    reason: str | None = None  # NO_BASE when percent is None

    @property
    def message_zh(self) -> str:
        return NO_BASE_ZH if self.reason == NO_BASE else f"{self.percent:+}%"


def yoy(current, base) -> Growth:
    """Growth of `current` over `base` in percent: (current − base) ÷ base × 100."""
    current = Decimal(0) if current is None else Decimal(current)
    base = Decimal(0) if base is None else Decimal(base)
    if base <= 0:
        return Growth(current, base, None, NO_BASE)
    percent = ((current - base) * 100 / base).quantize(CENT, rounding=ROUND_HALF_UP)
    return Growth(current, base, percent)


def same_period_last_year(since: date, until: date) -> tuple[date, date]:
    """The base period of a year-on-year comparison: the same days a year earlier (29 Feb -> 28 Feb)."""
    return _year_before(since), _year_before(until)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def first_half(on: date) -> tuple[date, date]:
    """The article's "first half year" (上半年) of `on`'s year, up to `on` when the half is not over:
    1 January to the earlier of 30 June and `on`."""
    end = date(on.year, 6, 30)
    return date(on.year, 1, 1), min(end, on)
