"""Amounts in the units the zone reports in: 万元 and 亿元, from yuan (Decimal), with thousands separators."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


def _scaled(value, unit: int, places: str) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = (Decimal(str(value)) / unit).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return "—"
    return f"{number:,}"


@register.filter
def wan(value) -> str:
    """Yuan as 万元 with 2 decimals: 1234500 -> "123.45"."""
    return _scaled(value, 10_000, "0.01")


@register.filter
def yi(value) -> str:
    """Yuan as 亿元 with 2 decimals: 1270000000 -> "12.70"."""
    return _scaled(value, 100_000_000, "0.01")


@register.filter
def yuan(value) -> str:
    """Yuan with 2 decimals and thousands separators: 1234567.5 -> "1,234,567.50"."""
    return _scaled(value, 1, "0.01")
