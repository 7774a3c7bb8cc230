"""Display masks for personal data (standards-cn §8.2 ID-3): the one home of every mask. Masked is the
default everywhere; the full values appear only through an audited reveal.

A mask must not be undone by what else the same answer shows. A 公民身份号码 is area code (6 digits) +
birth date (8) + sequence (3, odd for men) + check character; the area code of most residents is the
district's own and the gender is shown. Keeping the first 4 and last 4 characters beside the birth date
left two or three digits to guess, and the check character cut even those to a handful. So:

- ID number: the first and the last character only (`2****************4`). The first digit names one of
  eight parts of the country; the last is the check character. Even with the district's area code and the
  birth year known, month, day and sequence stay hidden: about 365 × 1000 / 11 ≈ 33,000 candidates.
- Birth date: the year only (`birth_year`) for a viewer who may not unmask the person.
- Phone: the last 4 digits (`*******1234`): `138****1234` showed 7 of 11 digits.
- Name: the family name (`张**`), where a name is masked at all (key persons, certificate checks).
"""

from __future__ import annotations

from datetime import date


def mask_id_number(value: str | None) -> str:
    """`211004199001011234` -> `2****************4`: the first and the last character kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_phone(value: str | None) -> str:
    """`13812341234` -> `*******1234`: the last 4 digits kept."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_name(value: str | None) -> str:
    """`张三丰` -> `张**`: the family name kept."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def birth_year(value: date | None) -> int | None:
    """What a masked answer shows of a birth date: the year (an age is no closer than that)."""
    return value.year if value else None
