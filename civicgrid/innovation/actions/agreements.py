"""产学研 cooperation agreements: record, move on, record their outputs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from civicgrid.core import audit, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.enterprises.actions._common import enterprise_for
from civicgrid.enterprises.queries import today
from civicgrid.innovation.actions._common import (
    CHANGE_AGREEMENT,
    fields_of,
    not_future,
    positive_amount,
    required_text,
)
from civicgrid.innovation.choices import AGREEMENT_MOVES, AgreementStatus, OutputKind, PartnerKind
from civicgrid.innovation.models import VIEW, VIEW_AGREEMENT, Agreement, AgreementOutput, Platform


@dataclass
class AgreementInput:
    enterprise_id: int
    partner_name: str
    partner_kind: str
    title: str
    field: str
    signed_on: date
    starts_on: date
    ends_on: date
    amount: object  # yuan; Decimal or its text
    platform_id: int | None = None


def record_agreement(*, actor, data: AgreementInput, idempotency_key: str | None = None) -> Agreement:
    """Record a signed agreement between an enterprise and a university, institute or platform."""
    enterprise = enterprise_for(actor, data.enterprise_id)
    require(actor, CHANGE_AGREEMENT, enterprise)
    if data.partner_kind not in PartnerKind.values:
        raise errors.ValidationFailed("合作方类型无效", code="partner_kind_invalid")
    values = {
        "partner_name": required_text(data.partner_name, 200, "partner_required", "请填写合作高校或院所"),
        "partner_kind": data.partner_kind,
        "title": required_text(data.title, 200, "title_required", "请填写合作项目名称"),
        "field": fields_of([data.field])[0],
        "signed_on": data.signed_on, "starts_on": data.starts_on, "ends_on": data.ends_on,
        "amount": positive_amount(data.amount, "amount", "amount_not_positive", "合作金额须大于0(元)"),
        "platform": None,
    }
    if None in (data.signed_on, data.starts_on, data.ends_on):
        raise errors.ValidationFailed("请填写签约、开始和结束日期", code="dates_required")
    not_future(data.signed_on, today(), "signed_in_future", "签约日期不能晚于今天")
    if data.ends_on < data.starts_on:
        raise errors.ValidationFailed("结束日期不能早于开始日期", code="dates_reversed")
    if data.platform_id is not None:
        values["platform"] = get_visible(Platform.objects, actor, VIEW, pk=data.platform_id)
    status = AgreementStatus.ACTIVE if data.starts_on <= today() else AgreementStatus.SIGNED

    def create() -> Agreement:
        agreement = Agreement.objects.create(enterprise=enterprise, status=status, recorded_by=actor, **values)
        audit.record(actor=actor, action="innovation.record_agreement", obj=agreement,
                     details={"enterprise": enterprise.pk, "partner": agreement.partner_name,
                              "amount": str(agreement.amount)})
        return agreement

    with transaction.atomic():
        agreement, _ = run_once(key=idempotency_key, actor=actor, action="innovation.record_agreement",
                                model=Agreement, create=create, body=dataclasses.asdict(data))
    return agreement


def _agreement(actor, agreement_id: int) -> Agreement:
    agreement = get_visible(Agreement.objects.select_related("enterprise"), actor, VIEW_AGREEMENT, pk=agreement_id)
    require(actor, CHANGE_AGREEMENT, agreement)
    return agreement


def set_agreement_status(*, actor, agreement_id: int, status: str) -> Agreement:
    """签约 → 执行中 → 已完成, or 已终止 before completion."""
    agreement = _agreement(actor, agreement_id)
    if status not in AgreementStatus.values:
        raise errors.ValidationFailed("协议状态无效", code="agreement_status_invalid")
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if status not in AGREEMENT_MOVES[agreement.status]:
            raise errors.Conflict("协议当前状态不能改为该状态", code="agreement_move_invalid",
                                  details={"from": agreement.status, "to": status})
        before = agreement.status
        agreement.status = status
        agreement.save(update_fields=["status"])
        audit.record(actor=actor, action="innovation.set_agreement_status", obj=agreement,
                     details={"from": before, "to": status})
    return agreement


def record_output(*, actor, agreement_id: int, kind: str, title: str, achieved_on: date,
                  idempotency_key: str | None = None) -> AgreementOutput:
    """Record one output of an agreement (专利、新产品、标准 …)."""
    agreement = _agreement(actor, agreement_id)
    if kind not in OutputKind.values:
        raise errors.ValidationFailed("成果类型无效", code="output_kind_invalid")
    title = required_text(title, 200, "title_required", "请填写成果名称")
    if achieved_on is None:
        raise errors.ValidationFailed("请填写取得日期", code="dates_required")
    not_future(achieved_on, today(), "achieved_in_future", "取得日期不能晚于今天")
    if achieved_on < agreement.signed_on:
        raise errors.ValidationFailed("成果日期不能早于协议签约日期", code="output_before_agreement")

    def create() -> AgreementOutput:
        output = AgreementOutput.objects.create(agreement=agreement, kind=kind, title=title, achieved_on=achieved_on,
                                                recorded_by=actor)
        audit.record(actor=actor, action="innovation.record_output", obj=output,
                     details={"agreement": agreement.pk, "kind": kind})
        return output

    with transaction.atomic():
        output, _ = run_once(key=idempotency_key, actor=actor, action="innovation.record_output",
                             model=AgreementOutput, create=create,
                             body={"agreement": agreement.pk, "kind": kind, "title": title, "achieved_on": achieved_on})
    return output
