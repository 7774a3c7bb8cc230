"""The national fixed-asset investment project code (全国投资项目在线审批监管平台 项目代码, GB/T 40058-2021).
Pure Python.

24 characters in five segments separated by hyphens: ``YYYY-RRRRRR-DD-TT-NNNNNC``

- ``YYYY`` the year the code was assigned (the platform assigns codes from 2015 on);
- ``RRRRRR`` the GB/T 2260 administrative-division code of the approving authority (first two digits a
  province-level code);
- ``DD`` the central supervising department (中央业务指导部门) code;
- ``TT`` the project-type code;
- ``NNNNN`` a random serial and ``C`` a check character.

The standard's check-character algorithm is not published in the sources we hold
(shared/docs/domain/volunteers-enterprises.md B5, open item 3), so the check character is validated
for shape only (a digit or an upper-case letter): a structure check, not a checksum. A code typed
without hyphens (20 characters) or in lower case is normalised to the hyphenated upper-case form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIRST_YEAR = 2015
# GB/T 2260 province-level prefixes (incl. 71 台湾, 81 香港, 82 澳门)
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
})
_SHAPE = re.compile(r"^(\d{4})(\d{6})(\d{2})(\d{2})(\d{5})([0-9A-Z])$")


class InvalidProjectCode(ValueError):
    def __init__(self, reason: str, message_zh: str):
        super().__init__(reason)
        self.reason = reason
        self.message_zh = message_zh


@dataclass(frozen=True)
class ProjectCode:
    year: int
    region: str
    department: str
    project_type: str
    serial: str
    check: str

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.region}-{self.department}-{self.project_type}-{self.serial}{self.check}"


def parse(raw: str, *, max_year: int) -> ProjectCode:
    """The code's segments, or InvalidProjectCode with a machine reason and a Chinese message.
    `max_year` is the latest acceptable assignment year (normally this year: a code is never from the future)."""
    text = (raw or "").strip().upper()
    compact = text.replace("-", "")
    if "-" in text and [len(part) for part in text.split("-")] != [4, 6, 2, 2, 6]:
        raise InvalidProjectCode("layout", "项目代码应为“年份-地区-部门-类型-序号校验”格式,如 2026-211004-26-03-12345X")
    match = _SHAPE.match(compact)
    if match is None:
        raise InvalidProjectCode("shape", "项目代码应为 24 位(含 4 个连字符),除末位校验码外均为数字")
    year, region, department, project_type, serial, check = match.groups()
    if not FIRST_YEAR <= int(year) <= max_year:
        raise InvalidProjectCode("year", f"项目代码的赋码年份应在 {FIRST_YEAR}–{max_year} 年之间")
    if region[:2] not in PROVINCES:
        raise InvalidProjectCode("region", "项目代码的地区码不是有效的行政区划代码")
    if department == "00" or project_type == "00":
        raise InvalidProjectCode("segment", "项目代码的部门码和类型码不能为 00")
    return ProjectCode(int(year), region, department, project_type, serial, check)


def normalise(raw: str, *, max_year: int) -> str:
    return str(parse(raw, max_year=max_year))


def is_valid(raw: str, *, max_year: int) -> bool:
    try:
        parse(raw, max_year=max_year)
    except InvalidProjectCode:
        return False
    return True
