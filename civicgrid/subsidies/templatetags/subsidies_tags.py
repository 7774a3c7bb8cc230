"""`yuan`: an amount as the subsidy pages show it, 1,234,567.80 (the Chinese locale does not group)."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return "—"
