"""The enterprise registry: register and change enterprises, credit flags, contacts, yearly metrics."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from civicgrid.accounts.models import User
from civicgrid.accounts.roles import Role
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.enterprises import industry, sizeclass, uscc
from civicgrid.enterprises.actions._common import UNSET, decimal_or_none, enterprise_for, text
from civicgrid.enterprises.choices import (
    Currency,
    EnterpriseStatus,
    Exchange,
    HighTechField,
    ListingBoard,
    Ownership,
)
from civicgrid.enterprises.models import Enterprise, EnterpriseContact, Park, YearMetrics

CHANGE = "enterprises.change_enterprise"
REPORT = "enterprises.report_metrics"


@dataclass
class EnterpriseInput:
    uscc: str
    name: str
    park: str  # park code
    industry_code: str
    legal_rep: str = ""
    registered_on: date | None = None
    registered_capital: Decimal | None = None
    currency: str = Currency.CNY
    ownership: str = Ownership.DOMESTIC
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    hightech_field: str = ""
    is_above_size: bool = False
    listing_board: str = ""
    exchange: str = ""
    stock_code: str = ""
    former_names: list[str] = field(default_factory=list)
    status: str = EnterpriseStatus.OPERATING


def check_uscc(value: str) -> str:
    """The normalised code, or 422 with the check's own code (uscc_length, uscc_check_character …)."""
    try:
        return uscc.validate(value)
    except uscc.UsccError as exc:
        raise errors.ValidationFailed(exc.message, code=exc.code, details={"field": "uscc"}) from None


def check_industry(code: str) -> str:
    """The code as stored: section letter and digits (``2614`` and ``c2614`` -> ``C2614``)."""
    found = industry.lookup(code or "")
    if found is None or found.level == "section":
        raise errors.ValidationFailed("国民经济行业代码不存在(GB/T 4754-2017)", code="industry_code_unknown",
                                      details={"field": "industry_code"})
    return industry.section_of(found.code) + found.code


def clean(data: EnterpriseInput, *, parks: dict[str, Park] | None = None, today: date | None = None) -> dict:
    """The model fields for `data`, or ValidationFailed naming the first problem (import checks each row
    with this same function)."""
    values = {"uscc": check_uscc(data.uscc)}
    name = text(data.name, 200)
    if not name:
        raise errors.ValidationFailed("请填写企业名称", code="enterprise_name_required", details={"field": "name"})
    values["name"] = name
    park = (parks or {}).get(data.park) if parks is not None else Park.objects.filter(code=data.park).first()
    if park is None or not park.is_active:
        raise errors.ValidationFailed("园区不存在", code="park_unknown", details={"field": "park"})
    values["park"] = park
    values["industry_code"] = check_industry(data.industry_code)
    for name_, choices, code in (("currency", Currency, "currency_invalid"), ("ownership", Ownership, "ownership_invalid"),
                                 ("status", EnterpriseStatus, "enterprise_status_invalid")):
        value = getattr(data, name_)
        if value not in choices.values:
            raise errors.ValidationFailed(f"{name_} 取值无效", code=code, details={"field": name_})
        values[name_] = value
    for name_, choices, code in (("hightech_field", HighTechField, "hightech_field_invalid"),
                                 ("listing_board", ListingBoard, "listing_board_invalid"),
                                 ("exchange", Exchange, "exchange_invalid")):
        value = getattr(data, name_) or ""
        if value and value not in choices.values:
            raise errors.ValidationFailed(f"{name_} 取值无效", code=code, details={"field": name_})
        values[name_] = value
    stock_code = text(data.stock_code, 12)
    if values["listing_board"] and not stock_code:
        raise errors.ValidationFailed("上市或挂牌企业须填写证券代码", code="stock_code_required",
                                      details={"field": "stock_code"})
    values["stock_code"] = stock_code if values["listing_board"] else ""
    today = today or clock.now().date()
    if data.registered_on and data.registered_on > today:
        raise errors.ValidationFailed("成立日期不能晚于今天", code="registered_on_future",
                                      details={"field": "registered_on"})
    capital = decimal_or_none(data.registered_capital, "registered_capital")
    if capital is not None and capital < 0:
        raise errors.ValidationFailed("注册资本不能为负数", code="registered_capital_negative",
                                      details={"field": "registered_capital"})
    if (data.lat is None) != (data.lng is None) or (data.lat is not None and not (-90 <= data.lat <= 90
                                                                                  and -180 <= data.lng <= 180)):
        raise errors.ValidationFailed("位置坐标无效", code="location_invalid", details={"field": "lat"})
    values.update(
        legal_rep=text(data.legal_rep, 50), registered_on=data.registered_on, registered_capital=capital,
        address=text(data.address, 200), lat=data.lat, lng=data.lng, is_above_size=bool(data.is_above_size),
        former_names=[text(n, 200) for n in data.former_names if text(n, 200)][:20],
    )
    return values


def register_enterprise(*, actor, data: EnterpriseInput, idempotency_key: str | None = None) -> Enterprise:
    """Register one enterprise in a park the actor serves."""
    values = clean(data)
    require(actor, CHANGE, Enterprise(park=values["park"]))
    if Enterprise.objects.filter(uscc=values["uscc"]).exists() and not idempotency_key:
        raise errors.Conflict("该统一社会信用代码已登记", code="uscc_taken")

    def create() -> Enterprise:
        if Enterprise.objects.filter(uscc=values["uscc"]).exists():
            raise errors.Conflict("该统一社会信用代码已登记", code="uscc_taken")
        enterprise = Enterprise.objects.create(**values)
        audit.record(actor=actor, action="enterprises.register_enterprise", obj=enterprise,
                     details={"uscc": enterprise.uscc, "park": enterprise.park.code})
        return enterprise

    with transaction.atomic():
        enterprise, _ = run_once(key=idempotency_key, actor=actor, action="enterprises.register_enterprise",
                                 model=Enterprise, create=create, body=dataclasses.asdict(data))
    return enterprise


def update_enterprise(*, actor, enterprise_id: int, data: EnterpriseInput) -> Enterprise:
    """Replace the registry fields (the USCC may not change: it is the enterprise's key)."""
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, CHANGE, enterprise)
    values = clean(data)
    if values["uscc"] != enterprise.uscc:
        raise errors.ValidationFailed("统一社会信用代码不可修改", code="uscc_immutable", details={"field": "uscc"})
    require(actor, CHANGE, Enterprise(park=values["park"]))  # moving it to a park the actor also serves
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        changed = [k for k, v in values.items() if getattr(enterprise, k) != v]
        if enterprise.name != values["name"] and enterprise.name not in values["former_names"]:
            values["former_names"] = [enterprise.name, *values["former_names"]][:20]
            changed.append("former_names")
        for key, value in values.items():
            setattr(enterprise, key, value)
        enterprise.updated_at = clock.now()
        enterprise.save()
        audit.record(actor=actor, action="enterprises.update_enterprise", obj=enterprise,
                     details={"changed": sorted(set(changed))})
    return enterprise


def set_credit_flags(*, actor, enterprise_id: int, is_abnormal_operation=UNSET, is_serious_violation=UNSET,
                     reason: str = "") -> Enterprise:
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, CHANGE, enterprise)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        changed = {}
        for name, value in (("is_abnormal_operation", is_abnormal_operation),
                            ("is_serious_violation", is_serious_violation)):
            if value is not UNSET and getattr(enterprise, name) != bool(value):
                setattr(enterprise, name, bool(value))
                changed[name] = bool(value)
        if changed:
            enterprise.updated_at = clock.now()
            enterprise.save(update_fields=[*changed, "updated_at"])
            audit.record(actor=actor, action="enterprises.set_credit_flags", obj=enterprise,
                         fields=sorted(changed), reason=reason[:200], details=changed)
    return enterprise


def add_contact(*, actor, enterprise_id: int, user: User, title: str = "") -> EnterpriseContact:
    """Link a user holding the enterprise_contact role to the enterprise (idempotent)."""
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, CHANGE, enterprise)
    if not user.is_active or not user.has_role(Role.ENTERPRISE_CONTACT):
        raise errors.ValidationFailed("该账号没有“企业联系人”角色", code="contact_role_missing")
    with transaction.atomic():
        contact, created = EnterpriseContact.objects.update_or_create(
            enterprise=enterprise, user=user, defaults={"title": text(title, 50), "is_active": True})
        audit.record(actor=actor, action="enterprises.add_contact", obj=enterprise,
                     details={"user": user.pk, "created": created})
    return contact


def remove_contact(*, actor, enterprise_id: int, user_id: int) -> None:
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, CHANGE, enterprise)
    with transaction.atomic():
        updated = EnterpriseContact.objects.filter(enterprise=enterprise, user_id=user_id, is_active=True).update(
            is_active=False)
        if not updated:
            raise errors.NotFound("该联系人不存在", code="contact_unknown")
        audit.record(actor=actor, action="enterprises.remove_contact", obj=enterprise, details={"user": user_id})


# --- yearly metrics ----------------------------------------------------------------------------------

MONEY_FIELDS = ("revenue", "hightech_revenue", "main_business_revenue", "total_assets", "net_assets",
                "total_liabilities", "rd_expense", "rd_expense_domestic", "tax_paid")
COUNT_FIELDS = ("staff", "tech_staff", "rd_staff", "patents_applied")
METRIC_FIELDS = MONEY_FIELDS + COUNT_FIELDS
# (part, whole, label): a part may not exceed its whole (a share above 100%)
PARTS = (("hightech_revenue", "revenue", "高新技术产品收入占营业收入"),
         ("main_business_revenue", "revenue", "主营业务收入占营业收入"),
         ("rd_expense_domestic", "rd_expense", "境内研发费用占研发费用总额"),
         ("rd_expense", "revenue", "研发费用占营业收入"),
         ("tech_staff", "staff", "科技人员占职工总数"),
         ("rd_staff", "staff", "研发人员占职工总数"))


def clean_metrics(year, values: dict, today: date) -> tuple[int, dict]:
    """(year, field values): numbers only, none negative, no share above 100%; 422 with a code otherwise."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= today.year:
        raise errors.ValidationFailed(f"年度须在2000年至{today.year}年之间", code="metrics_year_invalid",
                                      details={"field": "year"})
    unknown = set(values) - set(METRIC_FIELDS)
    if unknown:
        raise errors.ValidationFailed("未知的指标:" + "、".join(sorted(unknown)), code="metrics_field_unknown")
    cleaned: dict = {}
    for name in METRIC_FIELDS:
        if name not in values:
            continue
        number = decimal_or_none(values[name], name)
        if number is not None and number < 0:
            raise errors.ValidationFailed("经营数据不能为负数", code="metrics_negative", details={"field": name})
        if number is not None and name in COUNT_FIELDS:
            if number != number.to_integral_value():
                raise errors.ValidationFailed("人数须为整数", code="number_invalid", details={"field": name})
            number = int(number)
        cleaned[name] = number
    return year, cleaned


def _check_shares(row: YearMetrics) -> None:
    for part, whole, label in PARTS:
        p, w = getattr(row, part), getattr(row, whole)
        if p is not None and w is not None and p > w:
            raise errors.ValidationFailed(f"{label}超过100%,请核对", code="metrics_share_above_100",
                                          details={"field": part, "whole": whole})


def _size_class(enterprise: Enterprise, row: YearMetrics) -> str:
    if row.staff is None and row.revenue is None:
        return enterprise.size_class
    return sizeclass.size_class(enterprise.industry_code, row.staff, row.revenue, row.total_assets) or ""


def report_metrics(*, actor, enterprise_id: int, year, values: dict) -> YearMetrics:
    """Record (or correct) one year's figures: the officer or the enterprise's own contact. Fields not
    given keep their value; the size class is recomputed from the latest year."""
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, REPORT, enterprise)
    now = clock.now()
    year, cleaned = clean_metrics(year, values, now.date())
    with transaction.atomic():
        row = YearMetrics.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
        created = row is None
        if created:
            row = YearMetrics(enterprise=enterprise, year=year)
        before = {k: getattr(row, k) for k in cleaned}
        for key, value in cleaned.items():
            setattr(row, key, value)
        _check_shares(row)
        row.reported_by, row.reported_at = actor, now
        row.save()
        latest = enterprise.metrics.order_by("-year").first()
        size = _size_class(enterprise, latest)
        if size != enterprise.size_class:
            Enterprise.objects.filter(pk=enterprise.pk).update(size_class=size, updated_at=now)
        audit.record(actor=actor, action="enterprises.report_metrics", obj=enterprise, fields=["metrics"],
                     details={"year": year, "created": created,
                              "changed": sorted(k for k, v in cleaned.items() if before[k] != v)})
    return row
