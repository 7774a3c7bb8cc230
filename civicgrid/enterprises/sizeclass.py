"""Enterprise size class (大/中/小/微) by 《统计上大中小微型企业划分办法（2017）》 (国统字〔2017〕213号).
Pure Python.

Each sector (行业) is classified on one or two indicators: 从业人员 (staff, end of period), 营业收入
(revenue; the 办法 uses 主营业务收入 where a sector reports it) and 资产总额 (total assets). The lower
bounds, in persons and 万元, are `SECTORS` below (the 办法's table).

The rule, in the 办法's own words (说明 1): "大型、中型和小型企业须同时满足所列指标的下限，否则下划一档；
微型企业只须满足所列指标中的一项即可。" So large, medium **and small** need every listed indicator at or
above that class's lower bound; a firm below a bound drops a class; micro needs only one indicator in the
micro range. The class is therefore the lowest class any single indicator gives. (A reading where small
needs only one condition would make a 19-person factory with 3,000万元 revenue small; the 办法 makes it
micro.) Consequences used here: when an indicator is missing the class is unknown (None), except that one
known indicator in the micro range already makes the firm micro.

Sectors are matched on GB/T 4754-2017 codes (`sector_for`), per the 办法's notes: 工业 = sections B, C, D;
交通运输业 = divisions 54-58 and 装卸搬运 5910 (铁路运输业 53 is not covered); 仓储业 = 5920-5990;
信息传输业 = 63, 64; 其他未列明行业 = M, N, O, 社会工作 85, R, 房地产中介服务 7030 and 其他房地产业 7090.
Not covered by the 办法, so `size_class` returns None: 铁路运输业, 房地产租赁经营 (自有房地产经营), 金融业 J,
教育 P, 卫生 84, 公共管理、社会保障和社会组织 S, 国际组织 T.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from civicgrid.enterprises import industry

SIZES = ("large", "medium", "small", "micro")
SIZE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
INDICATOR_LABELS = {"staff": "从业人员（人）", "revenue": "营业收入（万元）", "total_assets": "资产总额（万元）"}
SOURCE = "统计上大中小微型企业划分办法（2017）（国统字〔2017〕213号）"


@dataclass(frozen=True)
class Sector:
    key: str
    label: str
    #: indicator -> lower bounds (large, medium, small); persons for staff, 万元 for money
    bounds: dict[str, tuple[int, int, int]]


def _s(key: str, label: str, **bounds: tuple[int, int, int]) -> Sector:
    return Sector(key, label, bounds)


SECTORS: dict[str, Sector] = {s.key: s for s in (
    _s("agriculture", "农、林、牧、渔业", revenue=(20000, 500, 50)),
    _s("industry", "工业", staff=(1000, 300, 20), revenue=(40000, 2000, 300)),
    _s("construction", "建筑业", revenue=(80000, 6000, 300), total_assets=(80000, 5000, 300)),
    _s("wholesale", "批发业", staff=(200, 20, 5), revenue=(40000, 5000, 1000)),
    _s("retail", "零售业", staff=(300, 50, 10), revenue=(20000, 500, 100)),
    _s("transport", "交通运输业", staff=(1000, 300, 20), revenue=(30000, 3000, 200)),
    _s("warehousing", "仓储业", staff=(200, 100, 20), revenue=(30000, 1000, 100)),
    _s("postal", "邮政业", staff=(1000, 300, 20), revenue=(30000, 2000, 100)),
    _s("accommodation", "住宿业", staff=(300, 100, 10), revenue=(10000, 2000, 100)),
    _s("catering", "餐饮业", staff=(300, 100, 10), revenue=(10000, 2000, 100)),
    _s("information_transmission", "信息传输业", staff=(2000, 100, 10), revenue=(100000, 1000, 100)),
    _s("software", "软件和信息技术服务业", staff=(300, 100, 10), revenue=(10000, 1000, 50)),
    _s("real_estate_development", "房地产开发经营", revenue=(200000, 1000, 100), total_assets=(10000, 5000, 2000)),
    _s("property_management", "物业管理", staff=(1000, 300, 100), revenue=(5000, 1000, 500)),
    _s("leasing_business", "租赁和商务服务业", staff=(300, 100, 10), total_assets=(120000, 8000, 100)),
    _s("other", "其他未列明行业", staff=(300, 100, 10)),
)}

# Most specific prefix wins: class, then group, then division, then section letter.
_BY_CODE: dict[str, str | None] = {
    "A": "agriculture", "B": "industry", "C": "industry", "D": "industry", "E": "construction",
    "51": "wholesale", "52": "retail",
    "53": None, "54": "transport", "55": "transport", "56": "transport", "57": "transport", "58": "transport",
    "59": "warehousing", "591": "transport", "5910": "transport", "60": "postal",
    "61": "accommodation", "62": "catering", "63": "information_transmission", "64": "information_transmission",
    "65": "software", "J": None,
    "70": None, "7010": "real_estate_development", "7020": "property_management", "7030": "other", "7090": "other",
    "L": "leasing_business", "M": "other", "N": "other", "O": "other", "P": None,
    "84": None, "85": "other", "R": "other", "S": None, "T": None,
}
_YUAN_PER_WAN = Decimal(10000)


def sector_for(industry_code: str) -> Sector | None:
    """The 办法's sector of a GB/T 4754-2017 code, or None (unknown code, or a sector it does not cover).
    A section or division that spans sectors (e.g. ``70``, ``G``) has no single sector: None."""
    found = industry.lookup(industry_code)
    if found is None:
        return None
    code = found.code
    for key in (code, code[:3], code[:2]):
        if key in _BY_CODE:
            return _sector(_BY_CODE[key])
    # the section letter: listed only for sections that are one sector (A, B, C, D, E, L, M, N, O, R, ...)
    return _sector(_BY_CODE.get(industry.section_of(code) or ""))


def _sector(key: str | None) -> Sector | None:
    return None if key is None else SECTORS[key]


def _tier(value: Decimal, bounds: tuple[int, int, int], scale: Decimal) -> int:
    """0 large, 1 medium, 2 small, 3 micro: the first class whose lower bound the value reaches."""
    for index, bound in enumerate(bounds):
        if value >= bound * scale:
            return index
    return 3


def size_class(industry_code: str, staff: int | None, revenue_yuan: Decimal | None,
               total_assets_yuan: Decimal | None = None) -> str | None:
    """``"large"``, ``"medium"``, ``"small"``, ``"micro"``, or None when the sector is not covered or a
    needed indicator is missing (unless a known one is already in the micro range). Money in yuan."""
    sector = sector_for(industry_code)
    if sector is None:
        return None
    values = {"staff": staff, "revenue": revenue_yuan, "total_assets": total_assets_yuan}
    tiers, missing = [], False
    for indicator, bounds in sector.bounds.items():
        value = values[indicator]
        if value is None:
            missing = True
            continue
        value = Decimal(value)
        if value < 0:
            raise ValueError(f"{indicator} must not be negative")
        tiers.append(_tier(value, bounds, Decimal(1) if indicator == "staff" else _YUAN_PER_WAN))
    if 3 in tiers:
        return "micro"
    if missing or not tiers:
        return None
    return SIZES[max(tiers)]


def is_sme(size: str | None) -> bool | None:
    """中小微企业 (medium, small or micro); None when the size is unknown."""
    return None if size is None else size != "large"
