"""The case panels of every region and department dashboard (declared like any domain's panels)."""

from __future__ import annotations

from civicgrid.dashboard import periods, queries
from civicgrid.dashboard.registry import REGION_KINDS, Chart, Compare, Panel, Ranking, Tile, Tiles

CASE_KINDS = frozenset({*REGION_KINDS, "department"})
KPI_PERM = "cases.view_kpis"


def _delta(now, then):
    return None if now is None or then is None else round(now - then, 1)


def kpi_tiles(scope) -> Tiles:
    data = queries.comparison(scope)
    now, last_month, last_year = data["now"], data["last_month"], data["last_year"]
    period = (scope.since, scope.until)
    created = now["counts"]["created"]
    tiles = [Tile("created", "本月报件", created, scope.cases_url("all", period=period), unit="件", compare=(
        Compare("上月", last_month["counts"]["created"], created - last_month["counts"]["created"]),
        Compare("去年同月", last_year["counts"]["created"], created - last_year["counts"]["created"])))]
    for name in queries.SHOWN_KPIS:
        value = queries.shown_value(now, name)
        numerator, denominator = queries.KPI_PARTS[name]
        hours = name == "mean_handling_hours"
        hint = "" if hours else f"{now['counts'][numerator]}/{now['counts'][denominator]}"
        tiles.append(Tile(name, queries.KPI_LABELS[name], value, scope.cases_url("all", period=period),
                          unit="小时" if hours else "%", hint=hint, compare=tuple(
                              Compare(label, queries.shown_value(other, name),
                                      _delta(value, queries.shown_value(other, name)))
                              for label, other in (("上月", last_month), ("去年同月", last_year)))))
    return Tiles(tuple(tiles))


def live_tiles(scope) -> Tiles:
    counts = queries.live_counts(scope)
    return Tiles(tuple(Tile(tab, queries.LIVE_LABELS[tab], counts[tab],
                            scope.cases_url(tab, family=queries.LIVE_FAMILY), unit="件",
                            tone="hot" if tab == "overdue" and counts[tab] else "")
                       for tab in queries.LIVE_TABS))


def trend_chart(scope) -> Chart:
    months = queries.trend(scope)
    return Chart(
        categories=tuple(f"{m:%Y-%m}" for m, _ in months),
        series=(
            {"name": "报件", "type": "bar", "values": [r["counts"]["created"] for _, r in months]},
            {"name": "结案", "type": "bar", "values": [r["counts"]["closed"] for _, r in months]},
            {"name": "响应率%", "type": "line", "axis": 1,
             "values": [queries.shown_value(r, "response_rate") for _, r in months]},
            {"name": "满意率%", "type": "line", "axis": 1,
             "values": [queries.shown_value(r, "satisfaction_rate") for _, r in months]},
            {"name": "按期结案率%", "type": "line", "axis": 1,
             "values": [queries.shown_value(r, "on_time_close_rate") for _, r in months]},
        ),
        links=tuple(scope.cases_url("all", period=(m, periods.last_of(m))) for m, _ in months),
    )


def type_chart(scope) -> Chart | None:
    rows = queries.by_case_type(scope)
    if not rows:
        return None
    period = (scope.since, scope.until)
    return Chart(categories=tuple(r["label"] for r in rows),
                 series=({"name": "报件", "type": "bar", "values": [r["kpis"]["counts"]["created"] for r in rows]},),
                 links=tuple(scope.cases_url("all", period=period, case_type=r["case_type"]) for r in rows),
                 horizontal=True)


def category_chart(scope) -> Chart | None:
    rows = queries.by_category(scope)
    if not rows:
        return None
    period = (scope.since, scope.until)
    return Chart(categories=tuple(r["label"] for r in rows),
                 series=({"name": "报件", "type": "bar", "values": [r["kpis"]["counts"]["created"] for r in rows]},),
                 links=tuple(scope.cases_url("all", period=period, category=r["code"]) if r["code"] else ""
                             for r in rows),
                 horizontal=True)


RANKING_COLUMNS = ("名称", "报件", "结案", "按期结案率%", "满意率%", "超期率%")


def _ranking_row(row, href):
    r = row["kpis"]
    return ((row["name"], r["counts"]["created"], r["counts"]["closed"], queries.shown_value(r, "on_time_close_rate"),
             queries.shown_value(r, "satisfaction_rate"), queries.shown_value(r, "overdue_rate")), href)


def department_ranking(scope) -> Ranking | None:
    rows = queries.departments_ranking(scope)
    if not rows:
        return None
    period = (scope.since, scope.until)
    return Ranking(RANKING_COLUMNS, tuple(
        _ranking_row(row, scope.cases_url("all", period=period, department=row["code"]) if row["code"] else "")
        for row in rows),
        note="按按期结案率、满意率排序;点名称看该部门本月的案件")


def subregion_ranking(scope) -> Ranking | None:
    rows = queries.subregions_ranking(scope)
    if not rows:
        return None
    return Ranking(RANKING_COLUMNS, tuple(
        _ranking_row(row, scope.url().replace(f"/region/{scope.region_code}/", f"/region/{row['code']}/"))
        for row in rows),
        note="按按期结案率、满意率排序;点名称进入下一级驾驶舱")


PANELS = (
    Panel("case_live", "当前在办", CASE_KINDS, KPI_PERM, live_tiles, order=10, wide=True),
    Panel("case_kpis", "本月考核指标(与上月、去年同月比较)", CASE_KINDS, KPI_PERM, kpi_tiles, order=20, wide=True),
    Panel("case_trend", "近 12 个月趋势", CASE_KINDS, KPI_PERM, trend_chart, order=30, wide=True),
    Panel("case_types", "本月报件·按案件类型", CASE_KINDS, KPI_PERM, type_chart, order=40),
    Panel("case_categories", "本月报件·按问题类别", CASE_KINDS, KPI_PERM, category_chart, order=41),
    Panel("subregion_ranking", "下级区域排名", frozenset({"district", "street", "community"}), KPI_PERM,
          subregion_ranking, order=50),
    Panel("department_ranking", "部门排名", frozenset({"district", "street"}), KPI_PERM, department_ranking,
          order=51),
)
