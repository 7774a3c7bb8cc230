"""The grid map draws the grid worker's grid polygons from /api/v1/geo/boundaries without a tile server."""

from __future__ import annotations

import pytest

from tests.browser.conftest import login, screenshot, wait_until


@pytest.mark.django_db(transaction=True)
def test_grid_worker_sees_their_grid_on_the_map(live_server, phone_page, settings):
    from civicgrid.testing import make_tree, make_user

    settings.MAP_TILE_URL = ""  # the map must work with no tile server
    tree = make_tree()
    make_user("map_gw", "grid_worker", tree.grid_a)
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    login(page, live_server, "map_gw", next_path="/geo/map/")
    page.goto(f"{live_server.url}/geo/map/")
    wait_until(page, "document.querySelectorAll('path.leaflet-interactive').length >= 1", timeout=15_000)

    assert page.locator("path.leaflet-interactive").count() == 1  # grid A only: grid B is out of scope
    assert page.locator("#map-status").is_hidden()
    assert "网格A" in page.locator("#map-list").inner_text()
    assert "网格B" not in page.locator("#map-list").inner_text()
    screenshot(page, "map-grid-worker")

    page.locator("path.leaflet-interactive").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert tree.grid_a.code in popup.inner_text()
    popup.get_by_role("link").click()
    page.wait_for_url(f"**/geo/regions/{tree.grid_a.code}/")
    assert errors == []
