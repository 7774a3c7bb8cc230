"""公民身份号码 (GB 11643-1999): 6-digit address code + YYYYMMDD + 3-digit sequence (odd = male)
+ ISO 7064 MOD 11-2 check character ('X' stands for 10)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from civicgrid.core import errors

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would accept other scripts' digits


def check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    gender: str  # "M" or "F"
    area_code: str


def parse(value: str, *, today: date | None = None) -> IdInfo:
    """Validate and normalise an 18-digit ID number; raises ValidationFailed with a specific code."""
    number = (value or "").strip().upper()
    if not _SHAPE.match(number):
        raise errors.ValidationFailed("身份证号须为18位:前17位数字,末位为数字或X", code="id_number_format")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise errors.ValidationFailed("身份证号中的出生日期无效", code="id_number_birth_date") from None
    if birth > (today or date.today()) or birth.year < 1880:
        raise errors.ValidationFailed("身份证号中的出生日期无效", code="id_number_birth_date")
    if check_char(number[:17]) != number[17]:
        raise errors.ValidationFailed("身份证号校验位错误,请核对后重新输入", code="id_number_checksum")
    return IdInfo(number=number, birth_date=birth, gender="M" if int(number[16]) % 2 else "F", area_code=number[:6])


def build(area_code: str, birth: date, sequence: int) -> str:
    """A well-formed number (for generated demo people): sequence 0–999, odd for men."""
    first17 = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
