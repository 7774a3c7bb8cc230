"""免申即享: the officer-recorded insurance facts, the candidate list computed from a programme's rules (the
pre-check engine) and formula over the records, and the review — approving pays once, even when two
officers approve at the same moment (the candidate row locked, a one-to-one disbursement)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from civicgrid.accounts.models import Department
from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import get_visible, require
from civicgrid.enterprises.actions.precheck import facts_for as registry_facts
from civicgrid.enterprises.choices import EnterpriseStatus, SizeClass
from civicgrid.enterprises.models import Enterprise
from civicgrid.enterprises.precheck import engine, spec
from civicgrid.subsidies import formula as formulas
from civicgrid.subsidies.actions.programmes import require_programme
from civicgrid.subsidies.choices import CandidateStatus, Mode, Source
from civicgrid.subsidies.models import VIEW_CANDIDATE, Candidate, Disbursement, InsuranceYear, Programme

RECORD = "subsidies.record_facts"
REVIEW = "subsidies.review_candidate"
# the facts this app fills; any other fact a rule or formula reads comes from the enterprise registry
OWN_FACTS = {"is_sme", "ui_paid_months", "ui_contributions", "insured_start", "insured_end", "layoff_rate",
             "hired_unemployed", "is_serious_violation", "is_abnormal_operation"}
CANDIDATE_STATUSES = (engine.ELIGIBLE, engine.NEEDS_REVIEW)


def today() -> date:
    return timezone.localtime(clock.now()).date()


# --- insurance facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InsuranceInput:
    uscc: str
    year: int
    paid_months: int
    contributions: Decimal | str | int
    insured_start: int
    insured_end: int
    hired_unemployed: int = 0


def _insurance_values(data: InsuranceInput, on: date) -> dict:
    if not 2000 <= int(data.year) <= on.year:
        raise errors.ValidationFailed("年度须在2000年至今年之间", code="year_invalid")
    if not 0 <= int(data.paid_months) <= 12:
        raise errors.ValidationFailed("足额缴费月数应为0至12", code="paid_months_invalid")
    try:
        contributions = Decimal(str(data.contributions))
    except ArithmeticError:
        raise errors.ValidationFailed("缴费金额须为数字", code="number_invalid") from None
    if not contributions.is_finite() or contributions < 0 or contributions >= Decimal("1e12"):
        raise errors.ValidationFailed("缴费金额须为不小于0的数字", code="number_invalid")
    counts = [int(data.insured_start), int(data.insured_end), int(data.hired_unemployed)]
    if min(counts) < 0 or max(counts) > 10_000_000:
        raise errors.ValidationFailed("人数须为不小于0的整数", code="count_invalid")
    return {"paid_months": int(data.paid_months), "contributions": contributions.quantize(Decimal("0.01")),
            "insured_start": counts[0], "insured_end": counts[1], "hired_unemployed": counts[2]}


def record_insurance_year(*, actor, department: Department, data: InsuranceInput) -> InsuranceYear:
    """Record (or correct) one enterprise's unemployment-insurance figures for a year, for `department`
    (the 人社 agency: its officers act for every enterprise of the district, found by its credit code)."""
    require(actor, RECORD)  # before the look-up: no answer about which codes exist to anyone else
    enterprise = Enterprise.objects.filter(uscc=(data.uscc or "").strip().upper()).first()
    if enterprise is None:
        raise errors.ValidationFailed("未找到该统一社会信用代码的企业", code="enterprise_unknown")
    require(actor, RECORD, InsuranceYear(enterprise=enterprise, department=department))
    values = _insurance_values(data, today())
    with transaction.atomic():
        row, created = InsuranceYear.objects.update_or_create(
            enterprise=enterprise, year=int(data.year),
            defaults={**values, "department": department, "recorded_by": actor, "recorded_at": clock.now()})
        audit.record(actor=actor, action="subsidies.record_insurance_year", obj=row,
                     details={"enterprise": enterprise.pk, "year": row.year, "created": created})
    return row


# --- facts and candidates --------------------------------------------------------------------------------


def facts_for(enterprise: Enterprise, year: int, insurance: InsuranceYear | None, *, registry: bool) -> dict:
    """The fact vocabulary for one enterprise and assessed year: the registry's facts (the pre-check's own
    `facts_for` as of the year's end) when a rule needs them, and the insurance year's figures."""
    facts = registry_facts(enterprise, date(year, 12, 31)) if registry else {}
    facts["is_serious_violation"] = enterprise.is_serious_violation
    facts["is_abnormal_operation"] = enterprise.is_abnormal_operation
    if enterprise.size_class:
        facts["is_sme"] = enterprise.size_class != SizeClass.LARGE
    if insurance is not None:
        facts.update({"ui_paid_months": insurance.paid_months, "ui_contributions": float(insurance.contributions),
                      "insured_start": insurance.insured_start, "insured_end": insurance.insured_end,
                      "hired_unemployed": insurance.hired_unemployed})
        if insurance.layoff_rate is not None:
            facts["layoff_rate"] = insurance.layoff_rate
    return facts


def _criteria(report: engine.Report) -> list[dict]:
    return [{"key": r.key, "label": r.label, "outcome": r.outcome, "value": r.value, "threshold": r.threshold,
             "op": r.op, "unit": r.unit, "gap_text": r.gap_text, "detail": r.detail} for r in report.criteria]


def _used(ruleset: spec.RuleSet, formula: dict) -> set[str]:
    used = set(ruleset.facts_used())
    stack = [formula["expr"]]
    while stack:
        e = stack.pop()
        if isinstance(e, dict):
            used |= {v for k, v in e.items() if k in ("fact", "if", "band") and isinstance(v, str)}
            stack += [v for v in e.values() if isinstance(v, dict | list)]
        elif isinstance(e, list):
            stack += e
    return used


def evaluate(programme: Programme, version, enterprise: Enterprise, year: int, insurance,
             ruleset: spec.RuleSet | None = None) -> dict | None:
    """One enterprise against a programme version (`ruleset`: its rules parsed, when the caller has them):
    {eligibility, amount, facts, report, basis} when it is a candidate (eligible or eligible pending a
    person's judgement, with a positive amount), else None."""
    ruleset = ruleset or spec.parse_ruleset(version.rules)
    registry = bool(_used(ruleset, version.formula) - OWN_FACTS)
    facts = facts_for(enterprise, year, insurance, registry=registry)
    report = engine.evaluate(ruleset, facts)
    if report.status not in CANDIDATE_STATUSES:
        return None
    try:
        amount = formulas.amount(version.formula, facts)
    except formulas.MissingFact:
        return None
    if amount <= 0:
        return None
    return {"eligibility": report.status, "amount": amount, "facts": facts, "report": _criteria(report),
            "basis": f"{formulas.describe(version.formula)} = {amount:,.2f} 元"[:300]}


def compute_candidates(*, actor, programme: Programme, year: int) -> dict:
    """Compute the programme's candidate list for an assessed year from its newest version: new candidates
    are added, pending ones updated (or removed when no longer eligible); approved and rejected ones stay as
    they were. Computing twice gives the same list; two officers computing at once take turns."""
    require_programme(actor, REVIEW, programme)
    if programme.mode != Mode.AUTOMATIC:
        raise errors.ValidationFailed("该项目不是免申即享项目,没有候选名单", code="programme_not_automatic")
    if not 2000 <= int(year) <= today().year:
        raise errors.ValidationFailed("年度须在2000年至今年之间", code="year_invalid")
    version = programme.current_version()
    insurance = {row.enterprise_id: row for row in InsuranceYear.objects.filter(year=year)}
    enterprises = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).order_by("id")
    found = {}
    ruleset = spec.parse_ruleset(version.rules)
    for enterprise in enterprises:
        result = evaluate(programme, version, enterprise, year, insurance.get(enterprise.pk), ruleset)
        if result is not None:
            found[enterprise.pk] = result
    counts = {"candidates": len(found), "added": 0, "updated": 0, "removed": 0, "kept": 0}
    now = clock.now()
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)  # one computation of a programme at a time
        existing = {c.enterprise_id: c for c in Candidate.objects.filter(programme=programme, year=year)}
        stale = [c.pk for eid, c in existing.items() if eid not in found and c.status == CandidateStatus.PENDING]
        counts["removed"] = Candidate.objects.filter(pk__in=stale).delete()[0]
        new = []
        for eid, result in found.items():
            current = existing.get(eid)
            values = {"version": version, "amount": result["amount"], "eligibility": result["eligibility"],
                      "facts": result["facts"], "report": result["report"], "basis": result["basis"],
                      "computed_at": now}
            if current is None:
                new.append(Candidate(programme=programme, year=year, enterprise_id=eid, **values))
            elif current.status == CandidateStatus.PENDING:
                for key, value in values.items():
                    setattr(current, key, value)
                current.save()
                counts["updated"] += 1
            else:
                counts["kept"] += 1
        Candidate.objects.bulk_create(new, batch_size=500)
        counts["added"] = len(new)
        audit.record(actor=actor, action="subsidies.compute_candidates", obj=programme,
                     details={"year": year, "version": version.version, **counts})
    return counts


def candidate_for(actor, candidate_id: int) -> Candidate:
    return get_visible(Candidate.objects.select_related("programme", "programme__department", "enterprise"),
                       actor, VIEW_CANDIDATE, pk=candidate_id)


def approve_candidate(*, actor, candidate_id: int, paid_on: date | None = None,
                      reference: str = "") -> tuple[Disbursement, bool]:
    """Approve a candidate: one disbursement of its amount to the enterprise. Approving an approved candidate
    returns its disbursement (created=False): a second approval, at the same moment or later, pays nothing."""
    candidate = candidate_for(actor, candidate_id)
    require(actor, REVIEW, candidate)
    on = today()
    paid_on = paid_on or on
    check_paid_on(candidate.programme, paid_on, on)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
                if locked.status == CandidateStatus.APPROVED:
                    return Disbursement.objects.get(candidate=locked), False
                if locked.status == CandidateStatus.REJECTED:
                    raise errors.Conflict("该候选已被标记为不予发放", code="candidate_rejected")
                disbursement = Disbursement.objects.create(
                    programme=candidate.programme, enterprise_id=locked.enterprise_id, amount=locked.amount,
                    currency=locked.currency, paid_on=paid_on, reference=(reference or "").strip()[:40],
                    basis=locked.basis, source=Source.CANDIDATE, candidate=locked, created_by=actor)
                locked.status = CandidateStatus.APPROVED
                locked.reviewed_by, locked.reviewed_at = actor, clock.now()
                locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
                audit.record(actor=actor, action="subsidies.approve_candidate", obj=locked,
                             details={"disbursement": disbursement.pk, "amount": str(locked.amount)})
            return disbursement, True
        except IntegrityError:  # the other approval committed its disbursement first
            existing = Disbursement.objects.filter(candidate_id=candidate.pk).first()
            if existing is not None:
                return existing, False
    raise errors.Conflict("核准冲突,请刷新后重试", code="approve_conflict")


def reject_candidate(*, actor, candidate_id: int, reason: str) -> Candidate:
    candidate = candidate_for(actor, candidate_id)
    require(actor, REVIEW, candidate)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("不予发放须填写理由", code="reject_reason_required")
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status != CandidateStatus.PENDING:
            raise errors.Conflict("该候选已审核", code="candidate_reviewed")
        locked.status, locked.note = CandidateStatus.REJECTED, reason[:200]
        locked.reviewed_by, locked.reviewed_at = actor, clock.now()
        locked.save(update_fields=["status", "note", "reviewed_by", "reviewed_at"])
        audit.record(actor=actor, action="subsidies.reject_candidate", obj=locked, reason=reason)
    return locked


def check_paid_on(programme: Programme, paid_on: date, on: date) -> None:
    if paid_on > on:
        raise errors.ValidationFailed("发放日期不能晚于今天", code="paid_on_future")
    if not programme.period_start <= paid_on <= programme.period_end:
        raise errors.ValidationFailed(
            f"发放日期不在项目期限内({programme.period_start} 至 {programme.period_end})", code="paid_on_outside_period")
