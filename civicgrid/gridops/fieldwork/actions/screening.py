"""Dispute screening rounds (矛盾纠纷排查, every half month per grid): the worker confirms there is nothing
new, or records the disputes found; each dispute opens a `dispute` case (channel `grid`) linked to the
round in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from civicgrid.cases.actions import submit_case
from civicgrid.cases.choices import Channel
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork.actions import _common
from civicgrid.gridops.fieldwork.choices import ScreeningResult
from civicgrid.gridops.fieldwork.models import ScreeningFinding, ScreeningRound
from civicgrid.gridops.fieldwork.periods import half_month

SCREEN = "fieldwork.screen_disputes"
DEFAULT_DISPUTE_CATEGORY = "20"  # 矛盾纠纷 (the screening may leave the kind to the mediator)
MAX_FINDINGS = 20


@dataclass
class FindingInput:
    description: str
    category_code: str = DEFAULT_DISPUTE_CATEGORY  # a `dispute` category, 20xx
    parties: str = ""  # 当事人
    region_code: str = ""  # a micro-grid of the grid, if known; else the grid


def _clean_findings(findings, grid: Region) -> list[FindingInput]:
    cleaned = []
    for f in findings:
        description = _common.text(f.description, label="纠纷情况", code="finding", max_length=2000)
        if not description:
            continue
        code = (f.category_code or DEFAULT_DISPUTE_CATEGORY).strip()
        if not Category.objects.filter(code=code, case_type="dispute", is_active=True).exists():
            raise errors.ValidationFailed("请选择矛盾纠纷类别", code="category_not_dispute", details={"category": code})
        place = (f.region_code or "").strip() or grid.code
        if not place.startswith(grid.code):
            raise errors.ValidationFailed("纠纷发生地须在本网格内", code="finding_outside_grid")
        cleaned.append(FindingInput(description=description, category_code=code, region_code=place,
                                    parties=_common.text(f.parties, label="当事人", code="parties", max_length=200)))
    if len(cleaned) > MAX_FINDINGS:
        raise errors.ValidationFailed(f"每次最多登记{MAX_FINDINGS}条纠纷", code="too_many_findings")
    return cleaned


def _open_dispute(actor, finding: FindingInput):
    description = finding.description + (f"\n当事人:{finding.parties}" if finding.parties else "")
    data = IntakeInput(description=description, channel=Channel.GRID, category_code=finding.category_code,
                       region_code=finding.region_code, title=f"排查发现:{finding.description[:24]}")
    return submit_case(actor=actor, data=data).case


def record_screening(
    *, actor, grid: Region, day: date | None = None, no_new_disputes: bool = False, findings=(), notes: str = "",
    idempotency_key: str | None = None,
) -> ScreeningRound:
    """Report the screening of `grid` for the half-month holding `day` (default today). Exactly one of:
    `no_new_disputes=True`, or at least one finding. Findings may be added to a round already reported
    (the result becomes 发现矛盾纠纷); a second "nothing new" is a conflict."""
    require(actor, SCREEN, ScreeningRound(grid=grid))
    sent = {"grid": grid, "day": day, "no_new_disputes": no_new_disputes, "notes": notes}  # the idempotency body
    if grid.level != RegionLevel.GRID:
        raise errors.ValidationFailed("矛盾纠纷排查以网格为单位报告", code="region_not_grid")
    now = clock.now()
    today = timezone.localdate(now)
    day = day or today
    if day > today:
        raise errors.ValidationFailed("不能报告尚未开始的排查周期", code="period_in_future")
    start, end = half_month(day)
    notes = _common.text(notes, label="排查情况", code="notes", max_length=2000)
    findings = _clean_findings(findings, grid)
    if no_new_disputes and findings:
        raise errors.ValidationFailed("确认“无新增矛盾纠纷”时不能同时登记纠纷", code="screening_contradictory")
    if not no_new_disputes and not findings:
        raise errors.ValidationFailed("请确认本期无新增矛盾纠纷,或登记发现的纠纷", code="screening_empty")
    if findings:
        require(actor, "cases.create_case")

    def create() -> ScreeningRound:
        round_ = ScreeningRound.objects.select_for_update().filter(grid=grid, period_start=start).first()
        appended = round_ is not None
        if round_ is None:
            round_ = ScreeningRound(grid=grid, period_start=start, period_end=end, notes=notes, screened_by=actor,
                                    screened_at=now, created_at=now,
                                    result=ScreeningResult.FOUND if findings else ScreeningResult.NONE_FOUND)
            try:
                with transaction.atomic():
                    round_.save()
            except IntegrityError:
                raise errors.Conflict("本期排查结果已由他人报告,请刷新", code="screening_already_reported") from None
        elif no_new_disputes:
            raise errors.Conflict("本期已报告排查结果", code="screening_already_reported")
        else:
            round_.result = ScreeningResult.FOUND
            if notes:
                round_.notes = f"{round_.notes}\n{notes}".strip()[:2000]
            round_.save(update_fields=["result", "notes"])
        cases = []
        for f in findings:
            case = _open_dispute(actor, f)
            ScreeningFinding.objects.create(round=round_, description=f.description, parties=f.parties,
                                            category_code=f.category_code, case=case, created_at=now)
            cases.append(case.number)
        audit.record(actor=actor, action="fieldwork.record_screening", obj=round_,
                     details={"grid": grid.code, "period": start.isoformat(), "result": round_.result,
                              "cases": cases, "appended": appended})
        return round_

    with transaction.atomic():
        round_, _ = run_once(key=idempotency_key, actor=actor, action="fieldwork.record_screening",
                             model=ScreeningRound, create=create, body={**sent, "findings": findings})
    return round_
