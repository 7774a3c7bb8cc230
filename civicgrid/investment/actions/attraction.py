"""Investment attraction: leads through 线索 → 洽谈 → 签约 → 落地 → 资金到位 (forward only, each step dated),
and funds in place recorded against a project and/or a lead."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from civicgrid.accounts.models import User
from civicgrid.core import audit, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.enterprises.actions._common import text
from civicgrid.enterprises.actions.registry import check_industry
from civicgrid.enterprises.models import Park, Zone
from civicgrid.investment.actions._common import amount, currency, lead_for, not_future, project_for, today
from civicgrid.investment.choices import LEAD_STAGE_ORDER, FundsOrigin, LeadSource, LeadStage
from civicgrid.investment.models import FundsInPlace, Lead

MANAGE = "investment.manage_attraction"
STAGE_DATE = {LeadStage.NEGOTIATING: "negotiating_on", LeadStage.SIGNED: "signed_on", LeadStage.LANDED: "landed_on",
              LeadStage.FUNDED: "funded_on"}


@dataclass
class LeadInput:
    name: str
    investor: str
    source: str
    industry_code: str
    amount: Decimal | str | None
    currency: str | None
    found_on: date
    park: str = ""  # park code (optional: where it would land)
    owner_id: int | None = None  # 负责人; the actor when None
    note: str = ""


@dataclass
class FundsInput:
    origin: str
    amount: Decimal | str | None
    currency: str | None
    received_on: date
    project_id: int | None = None
    lead_id: int | None = None
    note: str = ""


def _the_zone(park: Park | None) -> Zone:
    zone = park.zone if park is not None else Zone.objects.order_by("code").first()
    if zone is None:
        raise errors.ValidationFailed("尚未配置高新区", code="zone_missing")
    return zone


def create_lead(*, actor, data: LeadInput, idempotency_key: str | None = None) -> Lead:
    park = None
    if data.park:
        park = Park.objects.filter(code=data.park, is_active=True).select_related("zone").first()
        if park is None:
            raise errors.ValidationFailed("园区不存在", code="park_unknown", details={"field": "park"})
    zone = _the_zone(park)
    require(actor, MANAGE, Lead(zone=zone, park=park))
    name, investor = text(data.name, 200), text(data.investor, 200)
    if not name or not investor:
        raise errors.ValidationFailed("请填写项目名称和投资方", code="lead_name_required", details={"field": "name"})
    if data.source not in LeadSource.values:
        raise errors.ValidationFailed("线索来源无效", code="lead_source_invalid", details={"field": "source"})
    value = amount(data.amount, "amount", code="lead_amount_invalid", message="意向投资额须为正数(最多两位小数)")
    unit = currency(data.currency)
    not_future(data.found_on, today(), code="lead_date_future", message="日期不能晚于今天", field="found_on")
    owner = actor
    if data.owner_id is not None:
        owner = User.objects.filter(pk=data.owner_id, is_active=True).first()
        if owner is None:
            raise errors.ValidationFailed("负责人账号不存在", code="lead_owner_unknown", details={"field": "owner_id"})
    industry = check_industry(data.industry_code)

    def create() -> Lead:
        lead = Lead.objects.create(zone=zone, park=park, name=name, investor=investor, source=data.source,
                                   industry_code=industry, amount=value, currency=unit, owner=owner,
                                   found_on=data.found_on, note=text(data.note, 500), created_by=actor)
        audit.record(actor=actor, action="investment.create_lead", obj=lead,
                     details={"amount": str(value), "currency": unit, "source": data.source})
        return lead

    with transaction.atomic():
        lead, _ = run_once(key=idempotency_key, actor=actor, action="investment.create_lead", model=Lead,
                           create=create, body=dataclasses.asdict(data))
    return lead


def advance_lead(*, actor, lead_id: int, stage: str, on: date, project_id: int | None = None) -> Lead:
    """Move a lead to its next stage on `on`; 落地 may link the project it became; 资金到位 needs funds
    recorded for the lead. Repeating the last move with the same date changes nothing."""
    lead = lead_for(actor, lead_id)
    require(actor, MANAGE, lead)
    if stage not in LEAD_STAGE_ORDER or stage == LeadStage.LEAD:
        raise errors.ValidationFailed("线索阶段无效", code="lead_stage_invalid", details={"field": "stage"})
    not_future(on, today(), code="lead_date_future", message="日期不能晚于今天", field="on")
    project = project_for(actor, project_id) if project_id else None
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        if lead.stage == stage and getattr(lead, STAGE_DATE[stage]) == on:
            return lead
        index = LEAD_STAGE_ORDER.index(stage)
        if index != lead.stage_index + 1:
            raise errors.ValidationFailed("线索只能依次推进到下一阶段", code="lead_stage_not_next",
                                          details={"stage": lead.stage})
        previous = lead.found_on if lead.stage == LeadStage.LEAD else getattr(lead, STAGE_DATE[lead.stage])
        if on < previous:
            raise errors.ValidationFailed("日期不能早于上一阶段", code="lead_date_before_previous",
                                          details={"previous": previous.isoformat()})
        if stage == LeadStage.FUNDED and not lead.funds.exists():
            raise errors.ValidationFailed("尚无到位资金记录,不能标记为资金到位", code="lead_no_funds")
        setattr(lead, STAGE_DATE[stage], on)
        lead.stage = stage
        fields = ["stage", STAGE_DATE[stage]]
        if project is not None:
            lead.project = project
            fields.append("project")
        lead.save(update_fields=fields)
        audit.record(actor=actor, action="investment.advance_lead", obj=lead,
                     details={"stage": stage, "on": on.isoformat(), "project": project.pk if project else None})
    return lead


def record_funds(*, actor, data: FundsInput, idempotency_key: str | None = None) -> FundsInPlace:
    """Record money that arrived (到位资金) for a project and/or a lead: domestic or foreign, with its
    currency; for a lead never before it was signed (422 `funds_before_signing`)."""
    if not data.project_id and not data.lead_id:
        raise errors.ValidationFailed("到位资金须关联项目或招商线索", code="funds_target_required",
                                      details={"field": "project_id"})
    lead = lead_for(actor, data.lead_id) if data.lead_id else None
    project = project_for(actor, data.project_id) if data.project_id else (lead.project if lead else None)
    park = project.park if project is not None else (lead.park if lead else None)
    zone = project.park.zone if project is not None else lead.zone
    require(actor, MANAGE, FundsInPlace(zone=zone, park=park))
    if data.origin not in FundsOrigin.values:
        raise errors.ValidationFailed("资金来源须为内资或外资", code="funds_origin_invalid", details={"field": "origin"})
    value = amount(data.amount, "amount", code="funds_amount_invalid", message="到位金额须为正数(最多两位小数)")
    unit = currency(data.currency)
    not_future(data.received_on, today(), code="funds_date_future", message="到位日期不能晚于今天",
               field="received_on")
    if lead is not None:
        if lead.signed_on is None:
            raise errors.ValidationFailed("线索尚未签约,不能登记到位资金", code="funds_lead_not_signed",
                                          details={"field": "lead_id"})
        if data.received_on < lead.signed_on:
            raise errors.ValidationFailed(f"到位日期早于线索签约日期({lead.signed_on:%Y-%m-%d})",
                                          code="funds_before_signing", details={"field": "received_on"})
        if data.project_id and lead.project_id and lead.project_id != data.project_id:
            raise errors.ValidationFailed("该线索已落地为另一个项目", code="funds_project_mismatch",
                                          details={"field": "project_id"})

    def create() -> FundsInPlace:
        funds = FundsInPlace.objects.create(zone=zone, park=park, project=project, lead=lead, origin=data.origin,
                                            amount=value, currency=unit, received_on=data.received_on,
                                            note=text(data.note, 200), recorded_by=actor)
        audit.record(actor=actor, action="investment.record_funds", obj=funds,
                     details={"amount": str(value), "currency": unit, "origin": data.origin,
                              "project": project.pk if project else None, "lead": lead.pk if lead else None})
        return funds

    with transaction.atomic():
        funds, _ = run_once(key=idempotency_key, actor=actor, action="investment.record_funds", model=FundsInPlace,
                            create=create, body=dataclasses.asdict(data))
    return funds
