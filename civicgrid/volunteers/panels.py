"""Dashboard panels of the volunteer service (declared here; civicgrid.dashboard discovers them). The
figures are the statistics page's (`stats_queries.stats`) for the dashboard's month, and link to that page."""

from __future__ import annotations

from urllib.parse import urlencode

from civicgrid.dashboard import periods
from civicgrid.dashboard.registry import Chart, Compare, Panel, Tile, Tiles
from civicgrid.volunteers.queries import stats as stats_queries

PERM = "volunteers.view_stats"


def _stats_url(since, until) -> str:
    return "/volunteers/stats/?" + urlencode({"since": since.isoformat(), "until": until.isoformat()})


def _month(scope, month):
    return stats_queries.stats(scope.user, since=month, until=periods.last_of(month))


def order_tiles(scope) -> Tiles:
    now = _month(scope, scope.month)
    last = _month(scope, periods.shift(scope.month, -1))
    url = _stats_url(scope.since, scope.until)

    def rate(stats):
        return None if stats["matching_rate"] is None else round(stats["matching_rate"] * 100, 1)

    def compare(key, value_of=lambda s, k: float(s[k]) if k == "hours" else s[k]):
        then = value_of(last, key)
        value = value_of(now, key)
        delta = None if value is None or then is None else round(float(value) - float(then), 1)
        return (Compare("上月", then, delta),)

    return Tiles((
        Tile("orders", "本月点单", now["orders"], url, unit="单", compare=compare("orders")),
        Tile("matched", "已对接", now["matched"], url, unit="单", compare=compare("matched")),
        Tile("matching_rate", "对接率", rate(now), url, unit="%", compare=compare("rate", lambda s, k: rate(s))),
        Tile("completed", "已完成服务", now["completed"], url, unit="单", compare=compare("completed")),
        Tile("hours", "服务时长", float(now["hours"]), url, unit="小时", compare=compare("hours")),
    ))


def category_chart(scope) -> Chart | None:
    by_category = stats_queries.stats(scope.user, since=scope.since, until=scope.until)["by_category"]
    if not by_category:
        return None
    url = _stats_url(scope.since, scope.until)
    return Chart(categories=tuple(by_category), links=tuple(url for _ in by_category), horizontal=True,
                 series=({"name": "点单", "type": "bar", "values": list(by_category.values())},))


PANELS = (
    Panel("volunteer_orders", "志愿服务点单(本月)", frozenset({"volunteers", "district"}), PERM, order_tiles,
          order=60, wide=True),
    Panel("volunteer_categories", "点单·按服务类别", frozenset({"volunteers"}), PERM, category_chart, order=61),
)
