"""Reads over publicity activities (普法、政策宣讲 …): scoped lists and the counts per grid."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr

from civicgrid.gridops.fieldwork.choices import ActivityKind
from civicgrid.gridops.fieldwork.models import Activity
from civicgrid.gridops.fieldwork.queries.visits import GRID_LEN, region_names

VIEW = "fieldwork.view_activity"
RECORD = "fieldwork.record_activity"


def activities_visible(user, *, region: str = "", kind: str = "", since: date | None = None,
                       until: date | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.visible_to(user).select_related("region", "organiser")
    if region.strip():
        qs = qs.filter(region__code__startswith=region.strip())
    if kind:
        qs = qs.filter(kind=kind)
    if since:
        qs = qs.filter(held_on__gte=since)
    if until:
        qs = qs.filter(held_on__lte=until)
    return qs.order_by("-held_on", "-id")


def activity_stats(user, *, start: date, end: date, region: str = "") -> dict:
    """Activities and attendance per grid (an activity in a micro-grid counts for its grid), by kind."""
    qs = activities_visible(user, region=region, since=start, until=end).annotate(
        grid=Substr("region__code", 1, GRID_LEN))
    grids: dict[str, dict] = {}
    for row in qs.values("grid", "kind").annotate(n=Count("id"), people=Sum("attendance")).order_by():
        entry = grids.setdefault(row["grid"], {"activities": 0, "attendance": 0,
                                               **{k: 0 for k in ActivityKind.values}})
        entry["activities"] += row["n"]
        entry["attendance"] += row["people"] or 0
        entry[row["kind"]] += row["n"]
    names = region_names(grids)
    rows = [{"grid_code": code, "grid_name": names.get(code, code), **values} for code, values in sorted(grids.items())]
    by_kind = {k: sum(r[k] for r in rows) for k in ActivityKind.values}
    return {"start": start, "end": end, "rows": rows,
            "kinds": [{"kind": k, "label": str(label), "count": by_kind[k]} for k, label in ActivityKind.choices],
            "totals": {"activities": sum(r["activities"] for r in rows),
                       "attendance": sum(r["attendance"] for r in rows)}}


def present_activity(a: Activity) -> dict:
    return {
        "id": a.pk, "region_code": a.region.code, "region_name": a.region.name, "kind": a.kind,
        "kind_label": str(a.get_kind_display()), "title": a.title, "place": a.place, "held_on": a.held_on,
        "attendance": a.attendance, "notes": a.notes, "organiser": str(a.organiser) if a.organiser_id else "",
    }
