"""Year-on-year growth: hand-computed fixtures, and a zero or empty base year answered as "no base"."""

from datetime import date
from decimal import Decimal

import pytest

from civicgrid.investment import growth


@pytest.mark.parametrize("current,base,percent", [
    ("137.13", "100", "37.13"),
    ("3165000000", "2308030000", "37.13"),  # 856,970,000 / 2,308,030,000 = 0.371299… -> 37.13
    ("50", "200", "-75.00"),
    ("100", "100", "0.00"),
    ("1", "3", "-66.67"),  # -66.666… rounds half-up away to -66.67
    ("2", "3", "-33.33"),
    ("100.005", "100", "0.01"),  # 0.005 rounds half-up
    ("0", "5", "-100.00"),
])
def test_hand_computed(current, base, percent):
    result = growth.yoy(Decimal(current), Decimal(base))
    assert result.percent == Decimal(percent) and result.reason is None


@pytest.mark.parametrize("base", [Decimal("0"), None, 0])
def test_zero_or_empty_base_is_no_base(base):
    result = growth.yoy(Decimal("3165000000"), base)
    assert result.percent is None and result.reason == growth.NO_BASE
    assert result.message_zh == "上年同期为零,无法计算同比"


def test_periods():
    assert growth.first_half(date(2026, 12, 6)) == (date(2026, 1, 1), date(2026, 6, 30))
    assert growth.first_half(date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert growth.same_period_last_year(date(2024, 1, 1), date(2024, 2, 29)) == (date(2023, 1, 1), date(2023, 2, 28))
