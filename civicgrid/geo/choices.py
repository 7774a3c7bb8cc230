from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")  # the first 2 digits of the GB/T 2260 code (21 辽宁省)
    CITY = "city", _("市")  # the first 4 digits (2110 辽阳市): a city root over many districts
    DISTRICT = "district", _("区")  # 6-digit GB/T 2260 code
    STREET = "street", _("街道/镇")  # + 3 digits (GB/T 10114: 0xx street, 1xx town)
    COMMUNITY = "community", _("社区/村")  # + 3 digits (统计用区划代码)
    GRID = "grid", _("网格")  # + 3 digits: the 15-digit base-grid code
    MICRO_GRID = "micro_grid", _("微网格")  # + 3 digits


# Code length per level: ancestry is a code prefix, so scope filters are prefix filters.
CODE_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.DISTRICT: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
    RegionLevel.GRID: 15,
    RegionLevel.MICRO_GRID: 18,
}
LEVEL_ORDER = list(CODE_LENGTH)
DEPTH = {level: i for i, level in enumerate(LEVEL_ORDER)}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
DISTRICT_CODE_LENGTH = CODE_LENGTH[RegionLevel.DISTRICT]
# the levels above a district: a role that names a district may name one of these instead (a city's leader)
ABOVE_DISTRICT = (RegionLevel.PROVINCE, RegionLevel.CITY)


def district_code(code: str) -> str:
    """The district a region code lies in ('' for a city or province code): its first 6 digits."""
    return code[:DISTRICT_CODE_LENGTH] if len(code) >= DISTRICT_CODE_LENGTH else ""


class RegionKind(models.TextChoices):
    STANDARD = "standard", _("普通")  # district, street or community as administered
    TOWN = "town", _("镇")  # a town rather than a street office
    VILLAGE = "village", _("村")  # a village rather than an urban community
    COMPREHENSIVE = "comprehensive", _("综合网格")  # a base grid covering all residents of its area
    DEDICATED = "dedicated", _("专属网格")  # a grid for one institution (park, school, hospital…), seq 9xx
