"""Helpers shared by the innovation actions: input checks with the app's 422 codes, the two sides of a
challenge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from civicgrid.core import audit, errors
from civicgrid.core.scoping import can, require
from civicgrid.enterprises.actions._common import decimal_or_none, required_text, text
from civicgrid.innovation.choices import Field
from civicgrid.innovation.models import VIEW_CHALLENGE, Challenge
from civicgrid.innovation.queries import is_department

POST = "innovation.post_challenge"
REVIEW = "innovation.review_challenge"
MANAGE = "innovation.manage_platforms"
CHANGE_AGREEMENT = "innovation.change_agreement"
MAX_FIELDS = 5

__all__ = ["CHANGE_AGREEMENT", "MANAGE", "POST", "REVIEW", "department_side", "enterprise_side", "fields_of",
           "not_future", "positive_amount", "required_text", "text"]


def fields_of(values, *, required: bool = True) -> list[str]:
    """The field codes, checked against the vocabulary, without repeats, sorted."""
    codes = sorted({str(v).strip() for v in (values or []) if str(v).strip()})
    if required and not codes:
        raise errors.ValidationFailed("请至少选择一个技术领域", code="fields_required")
    unknown = [c for c in codes if c not in Field.values]
    if unknown:
        raise errors.ValidationFailed("技术领域不在领域目录中", code="field_unknown", details={"fields": unknown})
    if len(codes) > MAX_FIELDS:
        raise errors.ValidationFailed(f"技术领域最多选择{MAX_FIELDS}个", code="fields_too_many")
    return codes


def positive_amount(value, field: str, code: str, message: str) -> Decimal:
    amount = decimal_or_none(value, field)
    if amount is None or amount <= 0:
        raise errors.ValidationFailed(message, code=code, details={"field": field})
    if amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise errors.ValidationFailed(f"{field} 须为不超过一万亿、最多两位小数的金额", code="amount_invalid",
                                      details={"field": field})
    return amount


def not_future(day: date | None, today: date, code: str, message: str) -> None:
    if day is not None and day > today:
        raise errors.ValidationFailed(message, code=code)


def enterprise_side(actor, challenge: Challenge, *, choosing: bool = False) -> None:
    """A contact of the challenge's enterprise, or an officer who reaches it (acting for it). The enterprise's
    choice of a team is never made by an officer of the 科技创新部: the two approvals stay two."""
    require(actor, POST, challenge)
    if choosing and is_department(actor, challenge):
        audit.record(actor=actor, action=POST, obj=challenge, result="denied", reason="department_for_enterprise")
        raise errors.Forbidden("科技创新部人员不能代企业遴选团队", code="department_for_enterprise")


def department_side(actor, challenge: Challenge) -> None:
    """An officer of the challenge's department (the 科技创新部): 404 when the challenge is out of reach,
    403 (audit-logged) for anyone else."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise errors.Unauthenticated()
    if not can(actor, VIEW_CHALLENGE, challenge):
        raise errors.NotFound()
    if is_department(actor, challenge):
        return
    audit.record(actor=actor, action=REVIEW, obj=challenge, result="denied", reason="not_innovation_department")
    raise errors.Forbidden("只有科技创新部可以执行此操作", code="not_innovation_department")
