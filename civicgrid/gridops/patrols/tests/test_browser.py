"""The phone page in a real browser (Debian's chromium via Playwright, with an emulated GPS): start, walk,
check in, end — the points reach the server in batches, the patrol's page plays the track back."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, login, screenshot, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gps_page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", permissions=["geolocation"],
                                  geolocation={"latitude": 41.12, "longitude": 123.12, "accuracy": 8})
    page = context.new_page()
    yield context, page
    context.close()


@pytest.fixture
def browser():
    from pathlib import Path

    from tests.browser.conftest import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield chromium
        chromium.close()


def test_a_patrol_walked_on_the_phone(live_server, gps_page, settings):
    from civicgrid.gridops.patrols import actions
    from civicgrid.gridops.patrols.models import CheckpointVisit, Patrol
    from civicgrid.testing import make_tree, make_user

    settings.MAP_TILE_URL = ""
    tree = make_tree()
    admin = make_user("cp_admin", "community_admin", tree.community_a)
    make_user("walker", "grid_worker", tree.grid_a)
    school = actions.create_checkpoint(actor=admin, data=actions.CheckpointInput(
        region_code=tree.grid_a.code, name="实验小学", kind="school", lat=41.1215, lng=123.12, radius_m=50))
    context, page = gps_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    login(page, live_server, "walker", next_path="/gridops/patrols/")
    page.goto(f"{live_server.url}/gridops/patrols/phone/")
    page.click("#start-form button[type=submit]")
    page.wait_for_selector("[data-section=active]")
    patrol = Patrol.objects.get()
    wait_until(page, "document.getElementById('gps-status').textContent.indexOf('1') >= 0", timeout=10_000)
    for step in range(1, 4):  # three moves north, 55.6 m each at walking pace: each one is recorded (≥ 50 m)
        page.wait_for_timeout(6_000)  # 55.6 m in 6 s is within the track rule's 25 km/h + 20 m
        context.set_geolocation({"latitude": 41.12 + step * 0.0005, "longitude": 123.12, "accuracy": 8})
        wait_until(page, f"document.getElementById('gps-status').textContent.indexOf('{step + 1}') >= 0",
                   timeout=10_000)
    # at 41.1215 the school is 0 m away: its check-in button is enabled
    button = page.locator(f"[data-checkpoint='{school.pk}'] [data-check-in]")
    wait_until(page, f"!document.querySelector(\"[data-checkpoint='{school.pk}'] [data-check-in]\").disabled",
               timeout=10_000)
    button.click()
    page.wait_for_selector(f"[data-checkpoint='{school.pk}'] .done")
    screenshot(page, "patrol-phone-active")

    page.click("#end-form button[type=submit]")
    page.wait_for_url(f"**/gridops/patrols/{patrol.pk}/", timeout=15_000)
    patrol.refresh_from_db()
    assert patrol.status == "ended" and patrol.point_count == 4 and patrol.kept_count == 4
    assert patrol.distance_m == pytest.approx(166.8, abs=0.5)
    assert CheckpointVisit.objects.get().checkpoint == school
    wait_until(page, "document.querySelectorAll('path.leaflet-interactive').length >= 2", timeout=10_000)
    page.click("#play")
    wait_until(page, "document.getElementById('clock').textContent !== '--:--:--'")
    screenshot(page, "patrol-playback")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('patrol:') && "
                         "JSON.parse(localStorage.getItem(k)).length).length") == 0
    assert errors == []
