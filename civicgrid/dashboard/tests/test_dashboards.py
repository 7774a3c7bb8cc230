"""Dashboards: the panel registry, the figures against the KPI module, every count against the list it
links to, and who may open which dashboard."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.utils import timezone

from civicgrid.cases import kpis
from civicgrid.core.scoping import grant_for
from civicgrid.dashboard import periods, registry
from civicgrid.dashboard.registry import Chart, Tiles
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def panels(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    return {p["panel"].key: p["data"] for p in response.context["panels"]}


def tiles(data: Tiles) -> dict:
    return {t.key: t for t in data.tiles}


def this_month():
    first = periods.first_of(timezone.localdate())
    return first, periods.last_of(first)


def test_registry_keys_equal_the_declared_panels():
    declared = []
    for config in apps.get_app_configs():
        if config.name.startswith("civicgrid."):
            try:
                module = importlib.import_module(f"{config.name}.panels")
            except ModuleNotFoundError:
                continue
            declared += list(module.PANELS)
    assert sorted(registry.REGISTRY) == sorted(p.key for p in declared)
    assert len({p.key for p in declared}) == len(declared)
    assert all(callable(p.handler) and p.kinds <= set(registry.KINDS) for p in declared)
    assert {"case_live", "case_kpis", "patrol_compliance", "volunteer_orders", "zone_enterprises"} <= set(registry.REGISTRY)


def test_a_panel_declared_twice_is_refused():
    panel = registry.REGISTRY["case_kpis"]
    clone = registry.Panel(panel.key, "x", panel.kinds, panel.perm, panel.handler)
    with pytest.raises(ValueError, match="already declared"):
        registry.merge([clone], "elsewhere.panels")


def test_district_figures_equal_the_kpi_module(client, cases):
    w = cases
    client.force_login(w.leader)
    data = panels(client.get(f"/dashboard/region/{w.tree.district.code}/"))
    since, until = this_month()
    reach = grant_for(w.leader, "cases.view_kpis")
    expected = kpis.kpis(region_code=w.tree.district.code, since=since, until=until, reach=reach)
    by_cases = kpis.kpis_from_cases(region_code=w.tree.district.code, since=since, until=until, reach=reach)
    shown = tiles(data["case_kpis"])
    assert shown["created"].value == expected["counts"]["created"] == by_cases["counts"]["created"] == 6
    for name in ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_close_rate", "overdue_rate"):
        value = expected[name]
        assert shown[name].value == (None if value is None else round(value * 100, 1)), name
        assert by_cases[name] == value, name
    live = tiles(data["case_live"])
    open_now = kpis.open_counts(region_code=w.tree.district.code, family="all", reach=reach)
    assert (live["open"].value, live["due_soon"].value, live["overdue"].value) == (
        open_now["open"], open_now["due_soon"], open_now["overdue"])
    assert live["overdue"].value == 1 and live["open"].value == 5
    trend: Chart = data["case_trend"]
    assert trend.series[0]["values"][-1] == expected["counts"]["created"]
    assert sum(trend.series[0]["values"][:-1]) == 0


def test_street_and_department_figures_equal_the_kpi_module(client, cases):
    w = cases
    since, until = this_month()
    client.force_login(w.street_a)
    shown = tiles(panels(client.get(f"/dashboard/region/{w.tree.street_a.code}/"))["case_kpis"])
    expected = kpis.kpis_for(w.street_a, region=w.tree.street_a.code, since=since, until=until)
    assert shown["created"].value == expected["counts"]["created"] == 4
    client.force_login(w.handler)
    shown = tiles(panels(client.get(f"/dashboard/department/{w.cg.code}/"))["case_kpis"])
    expected = kpis.kpis_for(w.handler, department=w.cg.code, since=since, until=until)
    assert shown["created"].value == expected["counts"]["created"] == 5


def _list_count(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["page"].paginator.count


def test_every_count_equals_the_list_it_opens(client, cases):
    w = cases
    client.force_login(w.leader)
    data = panels(client.get(f"/dashboard/region/{w.tree.district.code}/"))
    checked = 0
    for tile in data["case_live"].tiles:
        assert _list_count(client, tile.href) == tile.value, tile.key
        checked += 1
    created = tiles(data["case_kpis"])["created"]
    assert _list_count(client, created.href) == created.value
    for key in ("case_types", "case_categories", "case_trend"):
        chart = data[key]
        for i, href in enumerate(chart.links):
            if href:
                assert _list_count(client, href) == chart.series[0]["values"][i], (key, href)
                checked += 1
    for cells, href in data["department_ranking"].rows:
        if href:
            assert _list_count(client, href) == cells[1], href
            checked += 1
    assert checked >= 20


SCOPE_MATRIX = [
    ("leader", "/dashboard/region/{district}/", 200),
    ("leader", "/dashboard/region/{grid_b}/", 200),
    ("leader", "/dashboard/department/CGJ/", 200),
    ("street_a", "/dashboard/region/{street_a}/", 200),
    ("street_a", "/dashboard/region/{grid_a}/", 200),
    ("street_a", "/dashboard/region/{street_b}/", 404),
    ("street_a", "/dashboard/region/{district}/", 404),
    ("street_a", "/dashboard/department/CGJ/", 404),
    ("community_a", "/dashboard/region/{community_a}/", 200),
    ("community_a", "/dashboard/region/{street_a}/", 404),
    ("handler", "/dashboard/department/CGJ/", 200),
    ("handler", "/dashboard/department/SFJ/", 404),
    ("handler", "/dashboard/region/{district}/", 404),
    ("grid_a", "/dashboard/region/{grid_a}/", 403),
    ("resident", "/dashboard/", 403),
    ("leader", "/dashboard/region/999999/", 404),
    ("leader", "/dashboard/region/{district}/?month=2026-13", 400),
    ("leader", "/dashboard/zone/", 200),
    ("leader", "/dashboard/volunteers/", 200),
    ("street_a", "/dashboard/zone/", 403),
]


def test_scope_matrix(client, cases):
    w = cases
    codes = {name: getattr(w.tree, name).code for name in ("district", "street_a", "street_b", "community_a",
                                                           "grid_a", "grid_b")}
    seen = []
    for who, path, _status in SCOPE_MATRIX:
        client.force_login(getattr(w, who))
        seen.append((who, path, client.get(path.format(**codes)).status_code))
    assert seen == SCOPE_MATRIX


def test_each_user_lands_on_their_own_dashboard(client, cases):
    w = cases
    for user, target in [(w.leader, f"/dashboard/region/{w.tree.district.code}/"),
                         (w.street_a, f"/dashboard/region/{w.tree.street_a.code}/"),
                         (w.handler, f"/dashboard/department/{w.cg.code}/"),
                         (make_user("centre", "centre_admin", w.tree.district), "/dashboard/volunteers/")]:
        client.force_login(user)
        assert client.get("/dashboard/")["Location"] == target
    client.logout()
    assert client.get("/dashboard/").status_code == 302  # to the sign-in page


def test_the_switcher_offers_only_the_reach(client, cases):
    w = cases
    client.force_login(w.street_a)
    response = client.get(f"/dashboard/region/{w.tree.street_a.code}/")
    switch = response.context["switch"]
    assert [r.code for r in switch["path"]] == [w.tree.street_a.code]
    assert [r.code for r in switch["children"]] == [w.tree.community_a.code]
    assert switch["departments"] == []


def test_a_past_month_compares_with_the_month_before_and_last_year(client, cases):
    w = cases
    client.force_login(w.leader)
    month = periods.shift(periods.first_of(timezone.localdate()), -1)
    data = panels(client.get(f"/dashboard/region/{w.tree.district.code}/?month={month:%Y-%m}"))
    created = tiles(data["case_kpis"])["created"]
    assert created.value == 0
    assert [c.label for c in created.compare] == ["上月", "去年同月"]
    assert created.href.endswith(f"since={month.isoformat()}&until={periods.last_of(month).isoformat()}")


def test_heat_counts_equal_the_grid_lists(client, cases):
    w = cases
    client.force_login(w.leader)
    body = client.get(f"/dashboard/map/data/?region={w.tree.district.code}").json()
    by_code = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert set(by_code) == {w.tree.grid_a.code, w.tree.grid_b.code}
    assert (by_code[w.tree.grid_a.code]["open"], by_code[w.tree.grid_b.code]["open"]) == (3, 2)
    for props in by_code.values():
        for metric in ("open", "overdue", "month"):
            assert _list_count(client, props["urls"][metric]) == props[metric]
    client.force_login(make_user("cm_b", "community_admin", w.tree.community_b))
    assert client.get(f"/dashboard/map/data/?region={w.tree.district.code}").status_code == 404


def test_month_parsing():
    assert periods.parse_month("2026-02", date(2026, 5, 3)) == date(2026, 2, 1)
    assert periods.parse_month("", date(2026, 5, 3)) == date(2026, 5, 1)
    assert periods.parse_month("2026-2x", date(2026, 5, 3)) is None
    assert periods.shift(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert periods.shift(date(2026, 1, 1), -12) == date(2025, 1, 1)
    assert periods.last_of(date(2028, 2, 1)) == date(2028, 2, 29)


def test_domain_dashboards_count_what_their_links_open(client, cases):
    w = cases
    client.force_login(w.leader)
    data = panels(client.get("/dashboard/zone/"))
    assert set(data) >= {"zone_enterprises", "zone_enterprise_cases"}
    for tile in data["zone_enterprise_cases"].tiles[:2]:
        assert _list_count(client, tile.href) == tile.value
    orders = tiles(panels(client.get("/dashboard/volunteers/"))["volunteer_orders"])
    assert orders["orders"].href.startswith("/volunteers/stats/?since=")


def _hand_counts(now) -> dict:
    """The heat map's and the live tiles' figures counted in Python over every Case row (no SQL filter)."""
    from civicgrid.cases.models import Case

    first = periods.first_of(timezone.localdate(now))
    out = {"open": {}, "overdue": {}, "month": {}, "supervised": 0, "unassigned": 0}
    for case in Case.objects.select_related("region"):
        grid = case.region.code[:kpis.GRID_CODE_LENGTH]
        if case.is_open:
            out["open"][grid] = out["open"].get(grid, 0) + 1
            out["supervised"] += case.is_supervised
            out["unassigned"] += case.department_id is None
            if case.due_at is not None and case.due_at < now:
                out["overdue"][grid] = out["overdue"].get(grid, 0) + 1
        if first <= timezone.localdate(case.created_at) <= timezone.localdate(now):
            out["month"][grid] = out["month"].get(grid, 0) + 1
    return out


def test_heat_map_and_live_counts_are_the_kpi_modules_as_the_clock_moves(client, cases):
    from civicgrid.cases.models import Case
    from civicgrid.core import clock

    w = cases
    district = w.tree.district.code
    reach = grant_for(w.leader, "cases.view_kpis")
    Case.objects.filter(state="dispatched", due_at__gt=timezone.now()).update(is_supervised=True)  # 督办 one
    client.force_login(w.leader)
    latest_due = max(Case.objects.filter(is_open=True, due_at__isnull=False).values_list("due_at", flat=True))
    seen = []
    for now in (timezone.now(), latest_due + timezone.timedelta(minutes=1)):
        with clock.at(now):
            body = client.get(f"/dashboard/map/data/?region={district}").json()
            live = tiles(panels(client.get(f"/dashboard/region/{district}/"))["case_live"])
            board = client.get("/cases/board/").context["board"]["counts"]
            screen = client.get(f"/dashboard/screen/live/?region={district}").context["live"]
            module_open = {r["key"]: r for r in kpis.open_breakdown("grid", region_code=district, family="all",
                                                                    reach=reach)}
            first = periods.first_of(timezone.localdate(now))
            module_month = {r["key"]: r["counts"]["created"] for r in kpis.breakdown(
                "grid", region_code=district, family="all", reach=reach, since=first, until=timezone.localdate(now))}
            oversight = kpis.oversight_counts(region_code=district, family="all", reach=reach)
            hand = _hand_counts(now)
            listed = {tab: _list_count(client, live[tab].href) for tab in ("supervised", "unassigned", "overdue")}
        shown = {f["properties"]["code"]: f["properties"] for f in body["features"]}
        for metric in ("open", "overdue"):
            assert {g: p[metric] for g, p in shown.items() if p[metric]} == hand[metric] == {
                g: r[metric] for g, r in module_open.items() if r[metric]}, metric
        assert {g: p["month"] for g, p in shown.items() if p["month"]} == hand["month"] == module_month
        assert (live["supervised"].value, live["unassigned"].value) == (oversight["supervised"],
                                                                         oversight["unassigned"])
        assert (oversight["supervised"], oversight["unassigned"]) == (hand["supervised"], hand["unassigned"])
        assert {k: board[k] for k in ("supervised", "unassigned")} == oversight
        assert board["overdue"] == live["overdue"].value == screen["overdue"] == sum(hand["overdue"].values())
        assert listed == {tab: live[tab].value for tab in listed}
        seen.append((shown[w.tree.grid_a.code]["overdue"], live["overdue"].value, live["supervised"].value))
    grid_a, grid_b = w.tree.grid_a.code, w.tree.grid_b.code
    # the fixture by hand: grid A holds three open cases (one overdue), grid B two; six reported this month
    assert (seen[0], _hand_counts(timezone.now())["open"]) == ((1, 1, 1), {grid_a: 3, grid_b: 2})
    assert seen[1][0] == sum(1 for c in Case.objects.filter(is_open=True, region__code__startswith=grid_a)
                             if c.due_at is not None) > 1  # later, every open deadline in grid A has passed
    assert seen[1][1] > seen[0][1]
