"""Reads over dispute screening: rounds in scope and the completion report of one period (which grids
confirmed, which found disputes, which have not reported)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet

from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork.choices import ScreeningResult
from civicgrid.gridops.fieldwork.models import ScreeningRound
from civicgrid.gridops.fieldwork.periods import half_month

VIEW = "fieldwork.view_screening"
SCREEN = "fieldwork.screen_disputes"


def rounds_visible(user, *, region: str = "", period_start: date | None = None) -> QuerySet[ScreeningRound]:
    qs = (ScreeningRound.objects.visible_to(user).select_related("grid", "screened_by")
          .annotate(findings_count=Count("findings")))
    if region.strip():
        qs = qs.filter(grid__code__startswith=region.strip())
    if period_start is not None:
        qs = qs.filter(period_start=period_start)
    return qs.order_by("-period_start", "grid__code")


def grids_visible(user, perm: str = VIEW, *, region: str = "") -> QuerySet[Region]:
    qs = Region.objects.visible_to(user, perm).filter(level=RegionLevel.GRID, is_active=True).defer("boundary")
    if region.strip():
        qs = qs.filter(code__startswith=region.strip())
    return qs.order_by("code")


def screening_report(user, *, day: date, region: str = "") -> dict:
    """完成情况 for the period holding `day`: one row per grid in scope, whether and when it reported."""
    start, end = half_month(day)
    rounds = {r.grid_id: r for r in rounds_visible(user, region=region, period_start=start)}
    rows = []
    for grid in grids_visible(user, region=region):
        found = rounds.get(grid.pk)
        rows.append({
            "grid_id": grid.pk, "grid_code": grid.code, "grid_name": grid.name, "round": found,
            "done": found is not None, "result": found.result if found else "",
            "result_label": str(found.get_result_display()) if found else "",
            "disputes": found.findings_count if found else 0, "late": bool(found and found.is_late),
            "screened_by": str(found.screened_by) if found and found.screened_by_id else "",
            "screened_at": found.screened_at if found else None,
        })
    done = sum(1 for r in rows if r["done"])
    return {
        "period_start": start, "period_end": end, "rows": rows,
        "totals": {
            "grids": len(rows), "done": done, "missing": len(rows) - done,
            "rate": round(100.0 * done / len(rows), 1) if rows else 0.0,
            "none_found": sum(1 for r in rows if r["result"] == ScreeningResult.NONE_FOUND),
            "found": sum(1 for r in rows if r["result"] == ScreeningResult.FOUND),
            "disputes": sum(r["disputes"] for r in rows), "late": sum(1 for r in rows if r["late"]),
        },
    }


def findings_of(round_: ScreeningRound):
    return round_.findings.select_related("case").order_by("id")


def present_round(round_: ScreeningRound, *, findings: bool = False) -> dict:
    data = {
        "id": round_.pk, "grid_code": round_.grid.code, "grid_name": round_.grid.name,
        "period_start": round_.period_start, "period_end": round_.period_end, "result": round_.result,
        "result_label": str(round_.get_result_display()), "notes": round_.notes,
        "screened_by": str(round_.screened_by) if round_.screened_by_id else "", "screened_at": round_.screened_at,
        "is_late": round_.is_late,
    }
    if findings:
        data["findings"] = [
            {"id": f.pk, "description": f.description, "parties": f.parties, "category_code": f.category_code,
             "case_id": f.case_id, "case_number": f.case.number} for f in findings_of(round_)]
    return data
