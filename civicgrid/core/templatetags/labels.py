from django import template

from civicgrid.core import labels

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code or "")


@register.filter
def role_labels(codes: str) -> str:
    return labels.role_labels(codes or "")
