"""统计上大中小微型企业划分办法（2017）: every sector at, just below and above each lower bound; the
"every indicator for large/medium/small, one for micro" rule; sector mapping; missing data. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from civicgrid.enterprises import sizeclass
from civicgrid.enterprises.sizeclass import size_class

WAN = Decimal(10000)

# sector -> a class code of that sector (GB/T 4754-2017)
EXAMPLE_CODE = {
    "agriculture": "0111", "industry": "2614", "construction": "4710", "wholesale": "5169",
    "retail": "5211", "transport": "5431", "warehousing": "5920", "postal": "6020",
    "accommodation": "6110", "catering": "6210", "information_transmission": "6311", "software": "6513",
    "real_estate_development": "7010", "property_management": "7020", "leasing_business": "7211",
    "other": "7320",
}

# The 办法's table, written out again by hand: sector -> indicator -> (large, medium, small) lower bounds.
TABLE = {
    "agriculture": {"revenue": (20000, 500, 50)},
    "industry": {"staff": (1000, 300, 20), "revenue": (40000, 2000, 300)},
    "construction": {"revenue": (80000, 6000, 300), "total_assets": (80000, 5000, 300)},
    "wholesale": {"staff": (200, 20, 5), "revenue": (40000, 5000, 1000)},
    "retail": {"staff": (300, 50, 10), "revenue": (20000, 500, 100)},
    "transport": {"staff": (1000, 300, 20), "revenue": (30000, 3000, 200)},
    "warehousing": {"staff": (200, 100, 20), "revenue": (30000, 1000, 100)},
    "postal": {"staff": (1000, 300, 20), "revenue": (30000, 2000, 100)},
    "accommodation": {"staff": (300, 100, 10), "revenue": (10000, 2000, 100)},
    "catering": {"staff": (300, 100, 10), "revenue": (10000, 2000, 100)},
    "information_transmission": {"staff": (2000, 100, 10), "revenue": (100000, 1000, 100)},
    "software": {"staff": (300, 100, 10), "revenue": (10000, 1000, 50)},
    "real_estate_development": {"revenue": (200000, 1000, 100), "total_assets": (10000, 5000, 2000)},
    "property_management": {"staff": (1000, 300, 100), "revenue": (5000, 1000, 500)},
    "leasing_business": {"staff": (300, 100, 10), "total_assets": (120000, 8000, 100)},
    "other": {"staff": (300, 100, 10)},
}

HUGE = {"staff": 10**7, "revenue": Decimal(10**12), "total_assets": Decimal(10**12)}


def test_table_matches_the_banfa():
    assert {k: s.bounds for k, s in sizeclass.SECTORS.items()} == TABLE


def _call(sector, values):
    return size_class(EXAMPLE_CODE[sector], values.get("staff"), values.get("revenue"), values.get("total_assets"))


def _at(indicator, bound):
    return bound if indicator == "staff" else Decimal(bound) * WAN


def _just_below(indicator, bound):
    return bound - 1 if indicator == "staff" else Decimal(bound) * WAN - Decimal("0.01")


CASES = []
for _sector, _indicators in TABLE.items():
    for _indicator, _bounds in _indicators.items():
        for _size, _bound in zip(("large", "medium", "small"), _bounds, strict=True):
            CASES.append((_sector, _indicator, _size, _bound))


@pytest.mark.parametrize(("sector", "indicator", "size", "bound"), CASES,
                         ids=[f"{s}-{i}-{z}" for s, i, z, _ in CASES])
def test_each_lower_bound_at_below_and_above(sector, indicator, size, bound):
    """The other indicators are far above every bound, so this indicator alone decides the class."""
    lower = sizeclass.SIZES[sizeclass.SIZES.index(size) + 1]
    values = dict(HUGE)
    values[indicator] = _at(indicator, bound)
    assert _call(sector, values) == size
    values[indicator] = _at(indicator, bound) + (1 if indicator == "staff" else Decimal(1))
    assert _call(sector, values) == size
    values[indicator] = _just_below(indicator, bound)
    assert _call(sector, values) == lower


@pytest.mark.parametrize(("staff", "revenue_wan", "expected"), [
    (1000, 40000, "large"),
    (1000, 39999, "medium"),  # large needs both indicators
    (999, 40000, "medium"),
    (300, 2000, "medium"),
    (5000, 1999, "small"),  # medium needs both too
    (20, 300, "small"),
    (19, 3000, "micro"),  # small needs both: 19 staff is micro whatever the revenue (办法 说明 1)
    (300, 299, "micro"),
    (0, 0, "micro"),
])
def test_industry_needs_every_indicator_for_large_medium_and_small(staff, revenue_wan, expected):
    assert size_class("2614", staff, Decimal(revenue_wan) * WAN) == expected


def test_missing_data_gives_none_unless_one_indicator_is_micro():
    assert size_class("2614", None, Decimal(5 * 10**8)) is None
    assert size_class("2614", 1500, None) is None
    assert size_class("2614", 10, None) == "micro"
    assert size_class("2614", None, Decimal(100) * WAN) == "micro"
    assert size_class("4710", None, Decimal(10**9)) is None  # construction needs total assets
    assert size_class("4710", None, Decimal(10**9), Decimal(10**9)) == "large"
    assert size_class("7320", 150, None) == "medium"  # 其他未列明行业: staff only
    assert size_class("0111", None, Decimal(600) * WAN) == "medium"  # agriculture: revenue only


@pytest.mark.parametrize(("code", "sector"), [
    ("0111", "agriculture"), ("0519", "agriculture"), ("0610", "industry"), ("1110", "industry"),
    ("2614", "industry"), ("3670", "industry"), ("3841", "industry"), ("4411", "industry"), ("4610", "industry"),
    ("4710", "construction"), ("5011", "construction"), ("5169", "wholesale"), ("5292", "retail"),
    ("5411", "transport"), ("5521", "transport"), ("5611", "transport"), ("5720", "transport"),
    ("5821", "transport"), ("5910", "transport"), ("5920", "warehousing"), ("5942", "warehousing"),
    ("5990", "warehousing"), ("6010", "postal"), ("6190", "accommodation"), ("6291", "catering"),
    ("6311", "information_transmission"), ("6450", "information_transmission"), ("6513", "software"),
    ("6520", "software"), ("7010", "real_estate_development"), ("7020", "property_management"),
    ("7030", "other"), ("7090", "other"), ("7111", "leasing_business"), ("7224", "leasing_business"),
    ("7320", "other"), ("7520", "other"), ("7721", "other"), ("8010", "other"), ("8514", "other"),
    ("8810", "other"), ("C2614", "industry"), ("C", "industry"), ("65", "software"),
])
def test_sector_of_industry_codes(code, sector):
    assert sizeclass.sector_for(code).key == sector


@pytest.mark.parametrize("code", ["5311", "5320", "7040", "6621", "8341", "8411", "9221", "9700",
                                  "K", "G", "Q", "70", "9999", "", "nonsense"])
def test_sectors_the_banfa_does_not_cover(code):
    assert sizeclass.sector_for(code) is None
    assert size_class(code, 10**6, Decimal(10**12), Decimal(10**12)) is None


def test_negative_values_are_rejected():
    with pytest.raises(ValueError, match="staff"):
        size_class("2614", -1, Decimal(1))
    with pytest.raises(ValueError, match="revenue"):
        size_class("2614", 1, Decimal(-1))


def test_is_sme():
    assert sizeclass.is_sme("large") is False
    assert sizeclass.is_sme("micro") is True
    assert sizeclass.is_sme(None) is None


def test_docs_table_matches_the_code():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "docs" / "enterprises" / "registry-rules.md").read_text("utf-8")
    for sector in sizeclass.SECTORS.values():
        row = next(line for line in page.splitlines() if line.startswith(f"| {sector.label} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        for position, column in enumerate(cells[3:6]):
            assert [int(v) for v in column.split(" / ")] == [b[position] for b in sector.bounds.values()], sector.key
