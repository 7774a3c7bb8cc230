"""Dashboard panels of the high-tech zone (declared here; civicgrid.dashboard discovers them)."""

from __future__ import annotations

from urllib.parse import urlencode

from civicgrid.cases import kpis
from civicgrid.dashboard.registry import Chart, Panel, Tile, Tiles
from civicgrid.enterprises import queries
from civicgrid.enterprises.choices import EnterpriseStatus

LIST = "/enterprises/list/"


def _list_url(**params) -> str:
    return LIST + "?" + urlencode({"status": EnterpriseStatus.OPERATING, **params})


def zone_tiles(scope) -> Tiles:
    counts = queries.zone_counts(scope.user, scope.today)
    tiles = [Tile("enterprises", "在营企业", counts["enterprises"], _list_url(), unit="家")]
    tiles += [Tile(f"qualification_{q['code']}", q["name"], q["count"], _list_url(qualification=q["code"]), unit="家")
              for q in counts["by_qualification"]]
    return Tiles(tuple(tiles))


def park_chart(scope) -> Chart | None:
    parks = queries.zone_counts(scope.user, scope.today)["by_park"]
    if not parks:
        return None
    return Chart(categories=tuple(p["name"] or "—" for p in parks),
                 series=({"name": "在营企业", "type": "bar", "values": [p["count"] for p in parks]},),
                 links=tuple(_list_url(park=p["code"] or "") for p in parks), horizontal=True)


def enterprise_cases(scope) -> Tiles:
    """The enterprise family's cases (一企一策, 项目堵点) created this month within the viewer's reach, from
    the KPI module; the tiles open the same cases in the case list."""
    result = kpis.kpis_for(scope.user, since=scope.since, until=scope.until, family="enterprise")
    url = "/cases/?" + urlencode({"tab": "all", "family": "enterprise", "since": scope.since.isoformat(),
                                  "until": scope.until.isoformat()})
    counts = result["counts"]

    def percent(name):
        return None if result[name] is None else round(result[name] * 100, 1)

    return Tiles((
        Tile("enterprise_created", "本月企业诉求", counts["created"], url, unit="件"),
        Tile("enterprise_closed", "已办结", counts["closed"], url, unit="件"),
        Tile("enterprise_on_time", "按期办结率", percent("on_time_close_rate"), url, unit="%",
             hint=f"{counts['closed_in_time']}/{counts['closed']}"),
        Tile("enterprise_satisfaction", "满意率", percent("satisfaction_rate"), url, unit="%",
             hint=f"{counts['satisfied']}/{counts['rated']}"),
    ))


PANELS = (
    Panel("zone_enterprise_cases", "企业诉求(本月)", frozenset({"zone"}), "cases.view_kpis", enterprise_cases,
          order=72, wide=True),
    Panel("zone_enterprises", "高新区企业与资质(今日有效)", frozenset({"zone", "district"}), "enterprises.view_zone",
          zone_tiles, order=70, wide=True),
    Panel("zone_parks", "各园区在营企业", frozenset({"zone"}), "enterprises.view_zone", park_chart, order=71),
)
