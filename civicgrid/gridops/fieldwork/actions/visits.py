"""Household visits (入户走访): recording a visit with the opinions collected, and turning an opinion into
a case (channel `visit`) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from civicgrid.cases.actions import submit_case
from civicgrid.cases.choices import Channel
from civicgrid.cases.intake import IntakeInput
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.gridops.fieldwork.actions import _common
from civicgrid.gridops.fieldwork.choices import VisitPurpose
from civicgrid.gridops.fieldwork.models import HouseholdVisit, VisitOpinion
from civicgrid.people.models import Household

RECORD = "fieldwork.record_visit"
DEFAULT_OPINION_CATEGORY = "3012"  # 群众诉求 · 意见建议
MAX_OPINIONS = 10


@dataclass
class OpinionInput:
    content: str
    category_code: str = ""  # a case category; empty: 意见建议
    to_case: bool = False  # open a case for it now


def _open_case(actor, *, content: str, category_code: str, household: Household):
    data = IntakeInput(
        description=content, channel=Channel.VISIT, category_code=category_code or DEFAULT_OPINION_CATEGORY,
        region_code=household.region.code, title=content[:30],
        address=household.full_address[:200],
    )
    return submit_case(actor=actor, data=data).case


def _clean_opinions(opinions) -> list[OpinionInput]:
    cleaned = []
    for op in opinions:
        content = _common.text(op.content, label="意见内容", code="opinion", max_length=2000)
        if not content:
            continue
        cleaned.append(OpinionInput(content=content, category_code=(op.category_code or "").strip(),
                                    to_case=bool(op.to_case)))
    if len(cleaned) > MAX_OPINIONS:
        raise errors.ValidationFailed(f"每次走访最多登记{MAX_OPINIONS}条意见", code="too_many_opinions")
    return cleaned


def record_visit(
    *, actor, household: Household, purpose: str = VisitPurpose.ROUTINE, visited_at=None, participants: str = "",
    persons_met: str = "", notes: str = "", opinions=(), next_follow_up_on: date | None = None,
    idempotency_key: str | None = None,
) -> HouseholdVisit:
    """Log a visit to a household of the actor's scope. Opinions marked `to_case` become cases (channel
    `visit`) linked to the visit in the same transaction: if one case is refused, nothing is saved."""
    require(actor, RECORD, HouseholdVisit(region=household.region))
    sent = {"household": household, "purpose": purpose, "visited_at": visited_at, "participants": participants,
            "persons_met": persons_met, "notes": notes, "next_follow_up_on": next_follow_up_on}  # the idempotency body
    if not household.is_active:
        raise errors.ValidationFailed("该户已注销,不能登记走访", code="household_inactive")
    purpose = _common.choice(purpose, VisitPurpose, label="走访类型", code="purpose")
    now = clock.now()
    visited_at = _common.moment(visited_at, now, label="走访时间", code="visited_at")
    participants = _common.text(participants, label="同行人员", code="participants", max_length=200)
    persons_met = _common.text(persons_met, label="接待人", code="persons_met", max_length=200)
    notes = _common.text(notes, label="走访情况", code="notes", max_length=4000)
    if next_follow_up_on is not None and next_follow_up_on < timezone.localdate(visited_at):
        raise errors.ValidationFailed("下次回访日期不能早于走访日期", code="next_follow_up_too_early")
    opinions = _clean_opinions(opinions)
    if any(op.to_case for op in opinions):
        require(actor, "cases.create_case")

    def create() -> HouseholdVisit:
        visit = HouseholdVisit.objects.create(
            household=household, region=household.region, purpose=purpose, visited_at=visited_at, visitor=actor,
            participants=participants, persons_met=persons_met, notes=notes, next_follow_up_on=next_follow_up_on,
            created_at=now,
        )
        cases = []
        for op in opinions:
            case = _open_case(actor, content=op.content, category_code=op.category_code,
                              household=household) if op.to_case else None
            VisitOpinion.objects.create(visit=visit, content=op.content, category_code=op.category_code,
                                        case=case, created_at=now)
            if case is not None:
                cases.append(case.number)
        audit.record(actor=actor, action="fieldwork.record_visit", obj=visit,
                     details={"household": household.number, "purpose": purpose, "opinions": len(opinions),
                              "cases": cases})
        return visit

    with transaction.atomic():
        visit, _ = run_once(key=idempotency_key, actor=actor, action="fieldwork.record_visit", model=HouseholdVisit,
                            create=create, body={**sent, "opinions": opinions})
    return visit


def raise_case_from_opinion(*, actor, opinion: VisitOpinion, category_code: str = "") -> VisitOpinion:
    """Turn an opinion collected earlier into a case (channel `visit`); an opinion becomes one case only."""
    visit = opinion.visit
    require(actor, RECORD, visit)
    require(actor, "cases.create_case")
    with transaction.atomic():
        locked = VisitOpinion.objects.select_for_update().get(pk=opinion.pk)
        if locked.case_id:
            raise errors.Conflict("该意见已转为案件", code="opinion_already_case")
        code = (category_code or locked.category_code or "").strip()
        case = _open_case(actor, content=locked.content, category_code=code, household=visit.household)
        locked.case, locked.category_code = case, code or DEFAULT_OPINION_CATEGORY
        locked.save(update_fields=["case", "category_code"])
        audit.record(actor=actor, action="fieldwork.raise_case_from_opinion", obj=visit,
                     details={"opinion": locked.pk, "case": case.number})
    return locked
