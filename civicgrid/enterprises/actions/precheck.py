"""Eligibility pre-check (梯度培育), the Django half: rule-set versions published as data, the facts an
enterprise's records give the pure engine (civicgrid.enterprises.precheck), and stored reports that keep
the rule-set version they were computed with."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import require
from civicgrid.enterprises.actions._common import enterprise_for
from civicgrid.enterprises.choices import PatentKind
from civicgrid.enterprises.models import Enterprise, PrecheckReport, Qualification, RuleSetVersion
from civicgrid.enterprises.precheck import engine, shipped, spec
from civicgrid.enterprises.precheck.facts import FACTS

RUN = "enterprises.run_precheck"
CATALOGUE = "enterprises.manage_catalogue"


# --- rule sets ----------------------------------------------------------------------------------------


def _parse(rules: dict):
    try:
        return spec.parse_ruleset(rules)
    except spec.RuleSetError as exc:
        raise errors.ValidationFailed(f"规则集有误:{exc}", code="ruleset_invalid") from None


def publish_ruleset(*, actor, rules: dict, note: str = "") -> RuleSetVersion:
    """Publish a new version of a tier's rule set (no deploy): checked by the engine's parser first; the
    version number is the next one of its tier. Reports computed earlier keep their version."""
    if actor is not None:
        require(actor, CATALOGUE)
    ruleset = _parse(rules)
    tier, name = ruleset.id, ruleset.name
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = RuleSetVersion.objects.filter(tier=tier).aggregate(v=Max("version"))["v"] or 0
                row = RuleSetVersion.objects.create(tier=tier, version=last + 1, name=name, rules=rules,
                                                    published_by=actor, note=note[:200])
                audit.record(actor=actor, action="enterprises.publish_ruleset", obj=row,
                             details={"tier": tier, "version": row.version})
            return row
        except IntegrityError:
            continue  # another publisher took the number: take the next one
    raise errors.Conflict("规则集正在被他人发布,请重试", code="ruleset_publish_conflict")


def shipped_rulesets() -> list[dict]:
    """The rule sets shipped in civicgrid/enterprises/precheck/rulesets/*.json, in ladder order."""
    return list(shipped.data().values())


def seed_rulesets(*, actor=None) -> list[RuleSetVersion]:
    """Publish each shipped rule set whose content differs from its tier's newest version (so running it
    again publishes nothing)."""
    published = []
    for rules in shipped_rulesets():
        tier = _parse(rules).id
        newest = RuleSetVersion.objects.filter(tier=tier).order_by("-version").first()
        if newest is None or newest.rules != rules:
            published.append(publish_ruleset(actor=actor, rules=rules, note="随版本发布的规则集"))
    return published


# --- facts ------------------------------------------------------------------------------------------


def _ratio(part, whole) -> float | None:
    if part is None or whole in (None, 0):
        return None
    return round(float(part) * 100 / float(whole), 4)


def _growth(new, old) -> float | None:
    if new is None or old in (None, 0):
        return None
    return round((float(new) - float(old)) * 100 / float(old), 4)


def _number(value) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def facts_for(enterprise: Enterprise, on: date) -> dict[str, Any]:
    """The fact vocabulary (precheck.facts.FACTS) filled from the enterprise's records as of `on`; a fact
    the records cannot give is left out, which the engine reports as unknown with the data to collect."""
    rows = {m.year: m for m in enterprise.metrics.filter(year__lt=on.year + 1).order_by("year")}
    years = sorted(rows)
    latest = rows[years[-1]] if years else None
    previous = rows.get(years[-1] - 1) if years else None
    before = rows.get(years[-1] - 2) if years else None
    last3 = [rows[y] for y in years[-3:]] if years else []
    patents = enterprise.patents.valid_on(on)
    held = set(Qualification.objects.valid_on(on).filter(enterprise=enterprise).values_list("kind__code", flat=True))

    def total(rows_, name):
        values = [getattr(r, name) for r in rows_]
        return None if not values or any(v is None for v in values) else sum(values)

    facts: dict[str, Any] = {
        "is_resident_enterprise": True,  # registered with a valid unified social credit code
        "registered_years": ((on - enterprise.registered_on).days / 365.25) if enterprise.registered_on else None,
        "is_abnormal_operation": enterprise.is_abnormal_operation,
        "is_serious_violation": enterprise.is_serious_violation,
        "in_hightech_field": bool(enterprise.hightech_field) if enterprise.hightech_field else None,
        "valid_class_i_ip": patents.filter(ip_class="I").count(),
        "valid_class_ii_ip": patents.filter(ip_class="II").count(),
        "valid_invention_patents": patents.filter(kind=PatentKind.INVENTION).count(),
        "holds_high_tech_enterprise": "high_tech_enterprise" in held,
        "holds_tech_sme": "tech_sme" in held,
        "holds_innovative_sme": "innovative_sme" in held,
        "holds_specialised_sme": "specialised_sme" in held,
        "holds_little_giant": "little_giant" in held,
        "metrics_year": latest.year if latest else None,
    }
    if latest is not None:
        facts.update({
            "staff": latest.staff, "tech_staff": latest.tech_staff, "rd_staff": latest.rd_staff,
            "revenue": _number(latest.revenue), "total_assets": _number(latest.total_assets),
            "net_assets": _number(latest.net_assets), "hightech_revenue": _number(latest.hightech_revenue),
            "main_business_revenue": _number(latest.main_business_revenue),
            "rd_expense": _number(latest.rd_expense), "rd_expense_domestic": _number(latest.rd_expense_domestic),
            "tech_staff_ratio": _ratio(latest.tech_staff, latest.staff),
            "rd_staff_ratio": _ratio(latest.rd_staff, latest.staff),
            "hightech_revenue_ratio": _ratio(latest.hightech_revenue, latest.revenue),
            "main_business_ratio": _ratio(latest.main_business_revenue, latest.revenue),
            "rd_ratio": _ratio(latest.rd_expense, latest.revenue),
            "debt_ratio": _ratio(latest.total_liabilities, latest.total_assets),
            "revenue_growth": _growth(latest.revenue, previous.revenue if previous else None),
            "net_asset_growth": _growth(latest.net_assets, previous.net_assets if previous else None),
        })
        facts["total_liabilities"] = _number(latest.total_liabilities)
        if len(last3) == 3 and years[-1] - years[-3] == 2:
            facts["rd_ratio_3y"] = _ratio(total(last3, "rd_expense"), total(last3, "revenue"))
            facts["revenue_3y"] = _number(total(last3, "revenue"))
            facts["rd_expense_3y"] = _number(total(last3, "rd_expense"))
            facts["rd_expense_domestic_3y"] = _number(total(last3, "rd_expense_domestic"))
            facts["domestic_rd_ratio_3y"] = _ratio(total(last3, "rd_expense_domestic"), total(last3, "rd_expense"))
        if previous is not None:
            facts["revenue_previous"] = _number(previous.revenue)
            facts["rd_expense_previous"] = _number(previous.rd_expense)
            facts["rd_ratio_previous"] = _ratio(previous.rd_expense, previous.revenue)
            two = total([previous, latest], "rd_expense")
            if two is not None:
                facts["rd_expense_2y_total"] = _number(two)
                facts["rd_expense_2y_average"] = _number(two / 2)
            if before is not None:
                g1 = _growth(previous.main_business_revenue, before.main_business_revenue)
                g2 = _growth(latest.main_business_revenue, previous.main_business_revenue)
                facts["main_business_growth_2y_average"] = None if g1 is None or g2 is None else (g1 + g2) / 2
    return {key: value for key, value in facts.items() if key in FACTS and value is not None}


# --- reports ------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """The engine's report as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def evaluate(enterprise: Enterprise, version: RuleSetVersion, on: date, facts: dict | None = None,
             ruleset=None) -> tuple[dict, dict]:
    """(facts, report as data) of one enterprise against one rule-set version (`ruleset`: its parsed
    form, when the caller has it); nothing written."""
    facts = facts_for(enterprise, on) if facts is None else facts
    result = _plain(engine.evaluate(ruleset or _parse(version.rules), facts))
    _label(result.get("criteria", []))
    result["missing_labels"] = [FACTS[f].label for f in result.get("missing_facts", []) if f in FACTS]
    return facts, result


def _text(value: Any, unit: str = "") -> str:
    """A value as the page shows it: 是/否, numbers to two decimals, with the unit."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"{number} {unit}".strip() if unit and unit != "bool" else number
    return str(value)


OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def _label(criteria: list[dict]) -> None:
    """Chinese labels and display text for the page: the outcome, the value, the threshold, the facts to
    collect."""
    for criterion in criteria:
        unit = criterion.get("unit", "")
        criterion["outcome_label"] = engine.OUTCOME_LABELS.get(criterion.get("outcome"), criterion.get("outcome"))
        criterion["value_text"] = _text(criterion.get("value"), unit)
        threshold = criterion.get("threshold")
        criterion["threshold_text"] = "" if threshold is None else (
            f"{OP_TEXT.get(criterion.get('op', ''), criterion.get('op', ''))} {_text(threshold, unit)}").strip()
        criterion["missing_labels"] = [FACTS[f].label for f in criterion.get("missing", []) if f in FACTS]
        _label(criterion.get("children", []))


def _store(enterprise, version, facts, result, actor, now) -> PrecheckReport:
    return PrecheckReport(enterprise=enterprise, ruleset=version, status=str(result.get("status", "")),
                          distance=result.get("distance"), result=result, facts=facts, computed_by=actor,
                          computed_at=now)


def run_precheck(*, actor, enterprise_id: int, tiers: list[str] | None = None) -> list[PrecheckReport]:
    """Pre-check one enterprise against the newest version of every tier (or of `tiers`) and store the
    reports."""
    from civicgrid.enterprises.queries import current_rulesets

    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, RUN, enterprise)
    versions = [v for v in current_rulesets() if not tiers or v.tier in tiers]
    if not versions:
        raise errors.ValidationFailed("尚未发布预审规则", code="ruleset_missing")
    now = clock.now()
    on = timezone.localtime(now).date()
    reports = []
    facts = facts_for(enterprise, on)
    with transaction.atomic():
        for version in versions:
            facts, result = evaluate(enterprise, version, on, facts)
            report = _store(enterprise, version, facts, result, actor, now)
            report.save()
            reports.append(report)
        audit.record(actor=actor, action="enterprises.run_precheck", obj=enterprise,
                     details={"reports": {r.ruleset.tier: [r.ruleset.version, r.status] for r in reports}})
    return reports


def run_precheck_for_zone(*, enterprises=None, on: date | None = None) -> int:
    """The zone-wide batch the worklist and the ranking read (system run: the demo build and the nightly
    task), over `enterprises` or every operating one. Bulk-written; returns the reports written."""
    from civicgrid.enterprises.queries import current_rulesets

    if enterprises is None:
        enterprises = Enterprise.objects.filter(status="operating").select_related("park")
    now = clock.now()
    on = on or timezone.localtime(now).date()
    versions = current_rulesets()
    rows = []
    parsed = {version.pk: _parse(version.rules) for version in versions}
    for enterprise in enterprises:
        facts = facts_for(enterprise, on)
        for version in versions:
            facts, result = evaluate(enterprise, version, on, facts, parsed[version.pk])
            rows.append(_store(enterprise, version, facts, result, None, now))
    with transaction.atomic():
        PrecheckReport.objects.bulk_create(rows, batch_size=500)
        audit.record(actor=None, action="enterprises.run_precheck_batch", object_type="enterprises.precheckreport",
                     details={"reports": len(rows), "tiers": [v.tier for v in versions]})
    return len(rows)
