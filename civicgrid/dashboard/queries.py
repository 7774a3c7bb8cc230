"""The dashboards' reads. Every case figure comes from the one KPI module (`civicgrid.cases.kpis`:
`kpis_for`, `breakdown`, `open_counts`, `open_breakdown`, `oversight_counts`), for the scope's region or
department, KPI family and the caller's reach; the figures link to the case lists with the same filters,
and tests hold each figure to the count of its list."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from civicgrid.cases import kpis as kpi_module
from civicgrid.cases import queries as case_queries
from civicgrid.core.scoping import grant_for
from civicgrid.dashboard import periods

KPI_PERM = "cases.view_kpis"
# The KPIs a dashboard shows, in this order
SHOWN_KPIS = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_close_rate", "overdue_rate",
              "follow_up_rate", "mean_handling_hours")
KPI_LABELS = {k.name: k.label for k in kpi_module.KPIS}
KPI_PARTS = {k.name: (k.numerator, k.denominator) for k in kpi_module.KPIS}
LIVE_TABS = ("open", "due_soon", "overdue", "supervised", "unassigned")
LIVE_LABELS = {key: label for key, (label, _) in case_queries.WORKLISTS.items()}
LIVE_FAMILY = "all"  # the case lists' tabs count every family


def _filters(scope) -> dict:
    return {"region_code": scope.region_code or None,
            "department_id": scope.department.pk if scope.department is not None else None,
            "family": scope.family, "reach": grant_for(scope.user, KPI_PERM)}


def kpis(scope, since: date, until: date, case_type: str = "") -> dict:
    """The KPI module's answer for the scope's region or department and the period (the API's call)."""
    return kpi_module.kpis_for(scope.user, region=scope.region_code, department=scope.department_code,
                               since=since, until=until, case_type=case_type,
                               family="" if case_type else scope.family)


def month_kpis(scope, month: date) -> dict:
    return kpis(scope, month, periods.last_of(month))


def comparison(scope) -> dict:
    """This month, last month and the same month last year."""
    return {"now": month_kpis(scope, scope.month), "last_month": month_kpis(scope, periods.shift(scope.month, -1)),
            "last_year": month_kpis(scope, periods.shift(scope.month, -12))}


def shown_value(result: dict, name: str):
    """A KPI as the dashboard shows it: a ratio as a percentage with one decimal, hours with one."""
    value = result[name]
    if value is None:
        return None
    return round(value, 1) if name == "mean_handling_hours" else round(value * 100, 1)


def empty() -> dict:
    return kpi_module.figures(dict.fromkeys(kpi_module.COUNTERS, 0))


def breakdown(scope, by: str, since: date | None = None, until: date | None = None) -> list[dict]:
    filters = _filters(scope)
    if by == "region":
        filters["region_code"] = scope.region_code
    return kpi_module.breakdown(by, since=since or scope.since, until=until or scope.until, **filters)


def trend(scope, months: int = 12) -> list[tuple[date, dict]]:
    """The KPIs of each of the last `months` months up to the scope's, oldest first (months without
    cases: zeros)."""
    first = periods.shift(scope.month, -(months - 1))
    by_month = {row["key"]: row for row in breakdown(scope, "month", first, scope.until)}
    return [(m, by_month.get(m) or empty()) for m in (periods.shift(first, i) for i in range(months))]


def live_counts(scope) -> dict[str, int]:
    """Open / due soon / overdue now, under 督办 and awaiting dispatch, from the KPI module (every
    family, as the case lists count them)."""
    filters = {**_filters(scope), "family": LIVE_FAMILY}
    return {**kpi_module.open_counts(**filters), **kpi_module.oversight_counts(**filters)}


def reported(scope, since: date, until: date) -> int:
    """Cases of every family reported in [since, until] (the big screen's 今日上报)."""
    filters = {**_filters(scope), "family": LIVE_FAMILY}
    return kpi_module.kpis(since=since, until=until, **filters)["counts"]["created"]


def by_case_type(scope) -> list[dict]:
    rows = [{"case_type": r["key"], "label": case_queries.type_label(r["key"]), "kpis": r}
            for r in breakdown(scope, "case_type")]
    return sorted(rows, key=lambda r: (-r["kpis"]["counts"]["created"], r["case_type"]))


def by_category(scope) -> list[dict]:
    from civicgrid.cases.models import Category

    names = dict(Category.objects.filter(parent__isnull=True).values_list("code", "name"))
    rows = [{"code": r["key"], "label": names.get(r["key"], r["key"]) if r["key"] else "(未分类)", "kpis": r}
            for r in breakdown(scope, "category")]
    return sorted(rows, key=lambda r: (-r["kpis"]["counts"]["created"], r["code"]))


def ranked(rows: list[dict]) -> list[dict]:
    """Best first: on-time close rate, then satisfaction, then fewer overdue (None counts as worst)."""
    def key(row):
        r = row["kpis"]
        return (-(r["on_time_close_rate"] if r["on_time_close_rate"] is not None else -1),
                -(r["satisfaction_rate"] if r["satisfaction_rate"] is not None else -1),
                r["overdue_rate"] if r["overdue_rate"] is not None else 2, row["name"])
    return sorted(rows, key=key)


def departments_ranking(scope) -> list[dict]:
    """Each main department with cases in the scope's month, by its KPIs (cases without one: "(未派遣)")."""
    from civicgrid.accounts.models import Department

    rows = breakdown(scope, "department")
    departments = Department.objects.in_bulk([r["key"] for r in rows if r["key"]])
    out = []
    for r in rows:
        department = departments.get(r["key"])
        out.append({"name": department.name if department else "(未派遣)", "code": department.code if department else "",
                    "kpis": r})
    return ranked(out)


def subregions_ranking(scope) -> list[dict]:
    """The scope region's children with cases in the month (streets of a district, communities of a
    street, grids of a community)."""
    from civicgrid.geo.models import Region

    if scope.region is None or scope.kind == "grid":
        return []
    rows = breakdown(scope, "region")
    names = dict(Region.objects.filter(code__in=[r["key"] for r in rows]).values_list("code", "name"))
    return ranked([{"name": names.get(r["key"], r["key"]), "code": r["key"], "kpis": r} for r in rows])


# ---- the heat map: the KPI module's counts per grid -----------------------------------------------------

HEAT_METRICS = {"open": "在办", "overdue": "已超期", "month": "本月上报"}


def heat(scope, day: date) -> dict[str, dict[str, int]]:
    """{metric: {grid code: count}} of the scope's cases — open and overdue now, reported from the 1st of
    `day`'s month to `day` — from the KPI module's grid breakdown (every family, as the lists `heat_url`
    opens count them)."""
    filters = {**_filters(scope), "family": LIVE_FAMILY}
    live = kpi_module.open_breakdown("grid", **filters)
    reported = kpi_module.breakdown("grid", since=periods.first_of(day), until=day, **filters)
    return {"open": {r["key"]: r["open"] for r in live},
            "overdue": {r["key"]: r["overdue"] for r in live if r["overdue"]},
            "month": {r["key"]: r["counts"]["created"] for r in reported}}


def heat_url(metric: str, grid: str, day: date) -> str:
    if metric == "month":
        return "/cases/?" + urlencode({"tab": "all", "region": grid, "since": periods.first_of(day).isoformat(),
                                       "until": day.isoformat()})
    return "/cases/?" + urlencode({"tab": metric, "region": grid})
