"""Programmes and their versions: the shipped catalogue (data/programmes.json) and new versions of a
programme's rules and formula published as data (no deploy); candidates keep the version they came from."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max

from civicgrid.accounts.models import Department
from civicgrid.core import audit, errors
from civicgrid.core.scoping import can, require
from civicgrid.enterprises.precheck import spec
from civicgrid.subsidies import formula as formulas
from civicgrid.subsidies.choices import Mode, RecipientKind
from civicgrid.subsidies.models import Programme, ProgrammeVersion

MANAGE = "subsidies.manage_programme"
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "programmes.json"


def shipped() -> list[dict]:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def programme_by_code(code) -> Programme:
    """The programme named by `code`; an unknown code is 422 `programme_unknown` (programmes are public)."""
    programme = Programme.objects.select_related("department", "department__region").filter(
        code=str(code or "").strip()).first()
    if programme is None:
        raise errors.ValidationFailed(f"补贴项目“{code}”不存在", code="programme_unknown")
    return programme


def require_programme(actor, perm: str, programme: Programme) -> None:
    """`require` for an act on a programme: the catalogue is visible to every holder of a subsidies permission,
    so a programme another department pays is 403 (not 404) for an officer who holds `perm` elsewhere."""
    if can(actor, perm, programme):
        return
    require(actor, perm)  # 401, or 403 for one who holds `perm` nowhere (audited there)
    audit.record(actor=actor, action=perm, obj=programme, result="denied", reason="forbidden")
    raise errors.Forbidden("该补贴项目由其他部门发放", code="programme_other_department")


def check_rules(rules, formula, *, mode: str, code: str) -> None:
    """A 免申即享 programme needs both; a rule set must be for this programme (its tier is the code)."""
    if mode == Mode.AUTOMATIC and (rules is None or formula is None):
        raise errors.ValidationFailed("免申即享项目须有资格规则和金额公式", code="programme_rules_required")
    if rules is not None:
        try:
            parsed = spec.parse_ruleset(rules)
        except spec.RuleSetError as exc:
            raise errors.ValidationFailed(f"资格规则有误:{exc}", code="ruleset_invalid") from None
        if parsed.tier != code:
            raise errors.ValidationFailed("规则集的 tier 须与项目编码相同", code="ruleset_tier_mismatch")
    if formula is not None:
        try:
            formulas.parse_formula(formula)
        except formulas.FormulaError as exc:
            raise errors.ValidationFailed(f"金额公式有误:{exc}", code="formula_invalid") from None


def publish_version(*, actor, programme: Programme, rules: dict | None, formula: dict | None,
                    effective_from: date, note: str = "") -> ProgrammeVersion:
    """Publish the next version of a programme's rules and formula (checked first)."""
    if actor is not None:
        require_programme(actor, MANAGE, programme)
    check_rules(rules, formula, mode=programme.mode, code=programme.code)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = programme.versions.aggregate(v=Max("version"))["v"] or 0
                row = ProgrammeVersion.objects.create(programme=programme, version=last + 1, rules=rules,
                                                      formula=formula, effective_from=effective_from,
                                                      published_by=actor, note=note[:200])
                audit.record(actor=actor, action="subsidies.publish_version", obj=row,
                             details={"programme": programme.code, "version": row.version})
            return row
        except IntegrityError:
            continue
    raise errors.Conflict("该项目正在被他人发布新版本,请重试", code="version_publish_conflict")


def seed_programmes(*, actor=None) -> list[Programme]:
    """Create the shipped programmes that do not exist yet and publish a version where the shipped rules or
    formula differ from the newest (running it again publishes nothing). Their departments must exist."""
    made = []
    for data in shipped():
        department = Department.objects.filter(code=data["department"]).first()
        if department is None:
            raise errors.ValidationFailed(f"发放部门 {data['department']} 不存在", code="department_unknown")
        if data["recipient_kind"] not in RecipientKind.values or data["mode"] not in Mode.values:
            raise errors.ValidationFailed("项目数据有误", code="programme_invalid")
        check_rules(data.get("rules"), data.get("formula"), mode=data["mode"], code=data["code"])
        with transaction.atomic():
            programme, created = Programme.objects.get_or_create(code=data["code"], defaults={
                "name": data["name"], "recipient_kind": data["recipient_kind"], "mode": data["mode"],
                "department": department, "period_start": date.fromisoformat(data["period_start"]),
                "period_end": date.fromisoformat(data["period_end"]), "basis": data["basis"],
                "description": data.get("description", "")})
            if created:
                audit.record(actor=actor, action="subsidies.create_programme", obj=programme,
                             details={"code": programme.code})
                made.append(programme)
        newest = programme.current_version()
        if newest is None or newest.rules != data.get("rules") or newest.formula != data.get("formula"):
            publish_version(actor=None, programme=programme, rules=data.get("rules"), formula=data.get("formula"),
                            effective_from=programme.period_start, note="随版本发布")
    return made
