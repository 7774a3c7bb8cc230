"""Every write of the relief app. Intake opens the case through the case engine's intake and links it to
its enterprise (or project) in the same transaction; every later step of the case goes through the case
engine (`cases.actions.transition_case`, `POST /api/v1/cases/{id}/transitions`); outcomes are recorded
here, against the locked case, while it is being handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from civicgrid.accounts.models import Department
from civicgrid.cases.actions import submit_case
from civicgrid.cases.choices import Channel, ContactPreference
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, CaseDepartment, Category
from civicgrid.core import audit, errors
from civicgrid.core.scoping import get_visible, require
from civicgrid.enterprises.choices import Currency
from civicgrid.enterprises.models import Enterprise
from civicgrid.relief.choices import BLOCKER_TYPE, MONEY_KINDS, RELIEF_TYPE, OutcomeKind
from civicgrid.relief.models import VIEW, Blocker, Outcome, ReliefCase

RECORD = "relief.record_outcome"
# outcomes are recorded while the case is being worked on, or once concluded before the enterprise rates it
OUTCOME_STATES = ("planning", "handling", "concluded")
MAX_AMOUNT = Decimal("99999999999999.99")


@dataclass
class ReliefInput:
    enterprise_id: int
    category_code: str
    description: str
    title: str = ""
    channel: str = ""  # enterprise (the contact), officer, hotline (12345); blank: by role
    reporter_name: str = ""
    reporter_phone: str = ""
    contact_preference: str = ContactPreference.PHONE
    is_tailored: bool = False  # 一企一策 (taken from staff only; a contact's request is flagged at triage)


@dataclass
class BlockerInput:
    project_id: int
    category_code: str
    description: str
    title: str = ""
    channel: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""


def _category(code: str, case_type: str) -> Category:
    category = Category.objects.filter(code=(code or "").strip(), case_type=case_type, is_active=True).first()
    if category is None or category.children.exists():
        raise errors.ValidationFailed("请选择有效的诉求类别", code="category_unknown", details={"category": code})
    return category


def _place(enterprise: Enterprise) -> dict:
    """Where the case is: the enterprise's point when it has one, else the zone's region."""
    if enterprise.lat is not None and enterprise.lng is not None:
        return {"lat": enterprise.lat, "lng": enterprise.lng, "address": enterprise.address}
    return {"region_code": enterprise.park.zone.region.code, "address": enterprise.address}


def _intake(actor, *, case_type: str, category: Category, enterprise: Enterprise, description: str, title: str,
            channel: str, reporter_name: str, reporter_phone: str, contact_preference: str) -> IntakeInput:
    if channel == Channel.ENTERPRISE or (not channel and actor.has_role("enterprise_contact")):
        reporter_name = reporter_name or (actor.display_name or actor.username)
    return IntakeInput(
        description=description, channel=channel, category_code=category.code, case_type=case_type,
        title=(title or "").strip() or f"{enterprise.name}:{category.name}", reporter_name=reporter_name,
        reporter_phone=reporter_phone, contact_preference=contact_preference or ContactPreference.PHONE,
        **_place(enterprise))


def submit_relief(*, actor, data: ReliefInput, idempotency_key: str | None = None) -> tuple[ReliefCase, bool]:
    """An enterprise's relief request: from its contact on the phone page, an officer, or the 12345 desk.
    The enterprise must be within the actor's reach (a contact: their own) — else 404. Returns
    (relief case, created); a retry with the same key returns the first one."""
    enterprise = get_visible(Enterprise.objects.select_related("park__zone__region"), actor,
                             "enterprises.view_enterprise", pk=data.enterprise_id)
    category = _category(data.category_code, RELIEF_TYPE)
    intake = _intake(actor, case_type=RELIEF_TYPE, category=category, enterprise=enterprise,
                     description=data.description, title=data.title, channel=data.channel,
                     reporter_name=data.reporter_name, reporter_phone=data.reporter_phone,
                     contact_preference=data.contact_preference)
    with transaction.atomic():
        result = submit_case(actor=actor, data=intake, idempotency_key=idempotency_key, body=data, managed=True)
        if not result.created:
            return ReliefCase.objects.get(case=result.case), False
        tailored = bool(data.is_tailored) and result.case.channel != Channel.ENTERPRISE
        relief = ReliefCase.objects.create(case=result.case, enterprise=enterprise, is_tailored=tailored,
                                           created_at=result.case.created_at)
        audit.record(actor=actor, action="relief.submit_relief", obj=relief,
                     details={"case": result.case.number, "enterprise": enterprise.uscc, "category": category.code,
                              "tailored": relief.is_tailored})
    return relief, True


def raise_blocker(*, actor, data: BlockerInput, idempotency_key: str | None = None) -> tuple[Blocker, bool]:
    """A blocker (堵点) of an investment project, raised by the enterprise's contact or an officer."""
    from civicgrid.investment.models import Project

    project = get_visible(Project.objects.select_related("enterprise__park__zone__region"), actor,
                          "investment.view_project", pk=data.project_id)
    category = _category(data.category_code, BLOCKER_TYPE)
    intake = _intake(actor, case_type=BLOCKER_TYPE, category=category, enterprise=project.enterprise,
                     description=data.description, title=data.title or f"{project.name}:{category.name}",
                     channel=data.channel, reporter_name=data.reporter_name, reporter_phone=data.reporter_phone,
                     contact_preference=ContactPreference.PHONE)
    with transaction.atomic():
        result = submit_case(actor=actor, data=intake, idempotency_key=idempotency_key, body=data, managed=True)
        if not result.created:
            return Blocker.objects.get(case=result.case), False
        blocker = Blocker.objects.create(case=result.case, project=project, enterprise=project.enterprise,
                                         created_at=result.case.created_at)
        audit.record(actor=actor, action="relief.raise_blocker", obj=blocker,
                     details={"case": result.case.number, "project": project.pk, "category": category.code})
    return blocker, True


@dataclass
class OutcomeInput:
    kind: str
    amount: Decimal | str | None = None
    currency: str = ""
    jobs: int | None = None
    note: str = ""
    department: str = ""  # code of the agency that brought it about (the lead or a co-handler)


def _clean_outcome(data: OutcomeInput) -> dict:
    kind = (data.kind or "").strip()
    if kind not in OutcomeKind.values:
        raise errors.ValidationFailed("成效类型无效", code="outcome_kind_unknown", details={"choices": OutcomeKind.values})
    amount = None
    if data.amount not in (None, ""):
        try:
            amount = Decimal(str(data.amount).replace(",", "").strip())
        except InvalidOperation:
            raise errors.ValidationFailed("金额格式有误", code="amount_invalid") from None
        if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            raise errors.ValidationFailed("金额须为正数,最多两位小数", code="amount_invalid")
    currency = (data.currency or "").strip().upper()
    note = (data.note or "").strip()
    if len(note) > 300:
        raise errors.ValidationFailed("说明最多300字", code="note_too_long")
    jobs = data.jobs if data.jobs not in (None, "") else None
    if kind in MONEY_KINDS:
        if amount is None:
            raise errors.ValidationFailed("请填写金额", code="amount_required")
        if not currency:
            raise errors.ValidationFailed("金额须注明币种", code="currency_required")
        if currency not in Currency.values:
            raise errors.ValidationFailed(f"未知的币种:{currency}", code="currency_unknown",
                                          details={"choices": Currency.values})
    elif amount is not None or currency:
        raise errors.ValidationFailed("此类成效不填金额和币种", code="amount_not_allowed")
    if kind == OutcomeKind.JOBS_KEPT:
        try:
            jobs = int(jobs)
        except (TypeError, ValueError):
            raise errors.ValidationFailed("请填写稳定或新增的岗位数", code="jobs_required") from None
        if not 0 < jobs <= 1_000_000:
            raise errors.ValidationFailed("岗位数须为正整数", code="jobs_required")
    elif jobs is not None:
        raise errors.ValidationFailed("只有稳岗成效填写岗位数", code="jobs_not_allowed")
    if kind in (OutcomeKind.APPROVAL_UNBLOCKED, OutcomeKind.OTHER) and not note:
        raise errors.ValidationFailed("请说明打通了哪项审批或取得了什么成效", code="note_required")
    return {"kind": kind, "amount": amount, "currency": currency if kind in MONEY_KINDS else "", "jobs": jobs,
            "note": note}


def record_outcome(*, actor, relief_id: int, data: OutcomeInput) -> Outcome:
    """Record one typed outcome of a relief case being handled (or concluded and awaiting the rating).
    Bad input is 422, a case in another state 409; nothing is written either way."""
    relief = get_visible(ReliefCase.objects.select_related("case"), actor, VIEW, pk=relief_id)
    require(actor, RECORD, relief)
    values = _clean_outcome(data)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=relief.case_id)
        if case.state not in OUTCOME_STATES:
            raise errors.Conflict("只有办理中或已办结待评价的诉求可以登记成效", code="case_not_in_handling",
                                  details={"state": case.state})
        department = None
        if (data.department or "").strip():
            department = Department.objects.filter(code=data.department.strip()).first()
            on_case = department is not None and (department.pk == case.department_id or CaseDepartment.objects.filter(
                case=case, department=department).exists())
            if not on_case:
                raise errors.ValidationFailed("成效所属单位须为本案的主办或协办单位", code="department_not_on_case")
        outcome = Outcome.objects.create(relief=relief, department=department, recorded_by=actor, **values)
        audit.record(actor=actor, action="relief.record_outcome", obj=outcome,
                     details={"case": case.number, "kind": outcome.kind, "amount": str(outcome.amount or ""),
                              "currency": outcome.currency, "jobs": outcome.jobs,
                              "department": department.code if department else ""})
    return outcome


def set_tailored(*, actor, relief_id: int, tailored: bool = True) -> ReliefCase:
    """Flag (or unflag) a relief case as 一企一策: a multi-agency package for this one enterprise — the desk's
    decision at triage, not the enterprise's."""
    relief = get_visible(ReliefCase.objects.all(), actor, VIEW, pk=relief_id)
    require(actor, RECORD, relief)
    with transaction.atomic():
        locked = ReliefCase.objects.select_for_update().get(pk=relief.pk)
        if locked.is_tailored != bool(tailored):
            locked.is_tailored = bool(tailored)
            locked.save(update_fields=["is_tailored"])
            audit.record(actor=actor, action="relief.set_tailored", obj=locked, details={"tailored": locked.is_tailored})
    return locked
