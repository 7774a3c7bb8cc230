"""The big screen's and the heat map's data: counts and titles only (no names, ID numbers or phones)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from civicgrid.cases import queries as case_queries
from civicgrid.core import clock
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.dashboard import periods, queries

LATEST = 14
PATROL_PERM = "patrols.view_compliance"


def _grids(scope):
    from civicgrid.geo.models import Region

    return Region.objects.filter(level="grid", is_active=True, code__startswith=scope.region_code,
                                 boundary__isnull=False).order_by("code")


def heat_geojson(scope, *, today: date, patrol_day: date) -> dict:
    """The scope's grids with `open`, `overdue` and `month` case counts (and their list links), and, for
    viewers of the patrol report, the day's patrol coverage per grid (workers who met the rule / under it)."""
    from civicgrid.geo import geojson

    counts = queries.heat(scope, today)
    coverage = {}
    if has_perm_anywhere(scope.user, PATROL_PERM):
        from civicgrid.gridops.patrols import compliance

        report = compliance.daily_report(scope.user, patrol_day, scope.region_code)
        coverage = {g.grid.code: g for g in report.grids}
    features = []
    for grid in _grids(scope):
        props = {metric: counts[metric].get(grid.code, 0) for metric in queries.HEAT_METRICS}
        props["urls"] = {metric: queries.heat_url(metric, grid.code, today) for metric in queries.HEAT_METRICS}
        day = coverage.get(grid.code)
        if day is not None:
            props["patrol"] = {"workers": day.workers, "met": day.met, "rate": day.rate,
                               "url": f"/gridops/patrols/compliance/?day={patrol_day}&region={grid.code}"}
        features.append(geojson.feature(grid, properties=props))
    return {"type": "FeatureCollection", "features": features, "metrics": queries.HEAT_METRICS,
            "patrol_day": patrol_day.isoformat() if coverage else None}


def counters(scope) -> dict:
    today = timezone.localtime(clock.now()).date()
    live = queries.live_counts(scope)
    month = queries.month_kpis(scope, periods.first_of(today))
    reported_today = queries.reported(scope, today, today)
    latest = (case_queries.list_cases(scope.user, worklist="", **scope.filters()).select_related(None)
              .select_related("region").only("title", "created_at", "region__name")
              .order_by("-created_at", "-id")[:LATEST])
    return {
        "live": live, "reported_today": reported_today, "month_created": month["counts"]["created"],
        "month_closed": month["counts"]["closed"],
        "month_rates": {name: queries.shown_value(month, name) for name in
                        ("response_rate", "satisfaction_rate", "on_time_close_rate")},
        "latest": [{"title": c.title, "at": c.created_at, "region": c.region.name} for c in latest],
        "now": timezone.localtime(clock.now()),
    }


def chart_data(scope) -> dict:
    months = queries.trend(scope)
    subregions = queries.subregions_ranking(scope)[:10]
    return {
        "trend": {"months": [f"{m:%m月}" for m, _ in months],
                  "created": [r["counts"]["created"] for _, r in months],
                  "closed": [r["counts"]["closed"] for _, r in months],
                  "satisfaction": [queries.shown_value(r, "satisfaction_rate") for _, r in months]},
        "ranking": {"names": [r["name"] for r in subregions],
                    "rates": [queries.shown_value(r["kpis"], "on_time_close_rate") for r in subregions]},
    }


def seed_figures(user) -> list[dict]:
    """The article's figures with their live values, for viewers of the figures page (else none)."""
    from civicgrid.figures import queries as figure_queries
    from civicgrid.figures.registry import VIEW
    from civicgrid.figures.wording import WORDING

    if not has_perm_anywhere(user, VIEW):
        return []
    out = []
    for item in figure_queries.figures()["items"]:
        wording = WORDING[item["key"]]
        out.append({"key": item["key"], "title": wording.title,
                    "values": [(wording.value_labels.get(name, name), value) for name, value in item["values"].items()]})
    return out
