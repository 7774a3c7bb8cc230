"""Display masks for personal data (standards-cn §8.2 ID-3). Masked is the default everywhere."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """`211004199001011234` -> `2110**********1234`: the first 4 and the last 4 kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """`13812341234` -> `138****1234`."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """`张三丰` -> `张**`: the family name kept."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
