"""Stored DOM XSS (issue 13, finding 2): text that users type and that the pages draw with JavaScript — a
patrol finding's title and a checkpoint's name on the patrol map, region names on the grid map and on the
report form's map, service category names on the volunteer statistics charts — is shown as text.

Each field holds an <img onerror> and a <script> payload. A dialog hook and a window.__xss flag catch any
that runs; the tooltips, popups and lists must show the payload literally (which also proves the scripts
put text, not markup, into the page: the Content-Security-Policy alone would stop the handler but would
leave a broken image where the name should be). No page may log a CSP violation either: every script the
pages need is a static file. Screenshots at phone size: test-output/xss-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import login, screenshot, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

IMG = "<img src=x onerror=\"alert('{0}');window.__xss='{0}'\">"
SCRIPT = "<script>alert('{0}');window.__xss='{0}'</script>"


def payload(where: str) -> str:
    return f"{IMG.format(where)}{SCRIPT.format(where)}"


@pytest.fixture
def watched(phone_page):
    """The phone page with hooks: dialogs opened, page errors, CSP refusals and header errors logged."""
    seen = {"dialogs": [], "errors": [], "csp": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    phone_page.on("dialog", on_dialog)
    phone_page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    phone_page.on("console", lambda msg: seen["csp"].append(msg.text)  # a refusal, or a feature Chromium doesn't know
                  if "Content Security Policy" in msg.text or "Permissions-Policy" in msg.text else None)
    return phone_page, seen


def assert_nothing_ran(page, seen) -> None:
    page.wait_for_timeout(300)  # an image's error event fires after its (failed) load
    assert page.evaluate("window.__xss === undefined"), page.evaluate("window.__xss")
    assert seen["dialogs"] == [] and seen["errors"] == [] and seen["csp"] == []


def test_user_text_on_maps_and_charts_is_shown_as_text(live_server, watched, settings):
    from civicgrid.cases.actions import sync_categories
    from civicgrid.cases.models import Category
    from civicgrid.geo.models import Region
    from civicgrid.gridops.patrols import actions as patrols
    from civicgrid.testing import make_tree, make_user
    from civicgrid.volunteers import actions as volunteers

    settings.MAP_TILE_URL = ""
    page, seen = watched
    tree = make_tree()
    sync_categories()
    Region.objects.filter(pk=tree.grid_a.pk).update(name=payload("grid"))
    Region.objects.filter(pk=tree.street_a.pk).update(name=payload("street"))
    Category.objects.filter(code="7008").update(name=payload("category"))
    admin = make_user("xss_admin", "community_admin", tree.community_a)
    worker = make_user("xss_gw", "grid_worker", tree.grid_a)
    make_user("xss_centre", "centre_admin", tree.district)
    checkpoint = patrols.create_checkpoint(actor=admin, data=patrols.CheckpointInput(
        region_code=tree.grid_a.code, name=payload("cp"), kind="school", lat=41.1215, lng=123.12, radius_m=50))
    patrol, _ = patrols.start_patrol(actor=worker)
    finding, _ = patrols.report_finding(actor=worker, patrol_id=patrol.pk, data=patrols.FindingInput(
        description="人行道井盖缺失", lat=41.12, lng=123.12, category_code="0601", title=payload("finding")))
    start = timezone.localtime() + timedelta(hours=2)
    volunteers.place_order(actor=worker, data=volunteers.OrderInput(
        category_code="7008", description="老人在家摔倒,家属请求志愿者协助送医", window_start=start,
        window_end=start + timedelta(hours=2), lat=41.12, lng=123.12, address="幸福里5号楼", channel="grid",
        reporter_phone="13900000009", on_behalf_of="刘奶奶"))

    # the patrol's map, opened by the community admin: the checkpoint's permanent label, the finding's tooltip
    login(page, live_server, "xss_admin", next_path=f"/gridops/patrols/{patrol.pk}/")
    page.goto(f"{live_server.url}/gridops/patrols/{patrol.pk}/")
    page.wait_for_selector(".leaflet-tooltip")
    assert page.locator(".leaflet-tooltip").first.inner_text() == checkpoint.name
    page.locator("path.leaflet-interactive[fill='#1849a9']").hover()
    wait_until(page, "document.querySelectorAll('.leaflet-tooltip').length >= 2")
    assert f"{finding.case.number} {payload('finding')}" in page.locator(".leaflet-tooltip").all_inner_texts()
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
    screenshot(page, "xss-patrol-map")
    assert_nothing_ran(page, seen)

    # the grid map: the region's label, its popup and the list under the map
    page.goto(f"{live_server.url}/geo/map/?level=grid")
    wait_until(page, "document.querySelectorAll('path.leaflet-interactive').length >= 1")
    label = page.locator(".leaflet-tooltip.region-tip").filter(has_text=tree.grid_a.code)
    assert label.inner_text().startswith(payload("grid"))
    page.locator("#map-list").get_by_text(payload("grid")).wait_for()
    page.locator("path.leaflet-interactive").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert payload("grid") in popup.inner_text()
    assert page.locator(".leaflet-pane img, .leaflet-pane script, #map-list img, #map-list script").count() == 0
    screenshot(page, "xss-grid-map")
    assert_nothing_ran(page, seen)

    # the report form's map: street names are labels on the map
    page.goto(f"{live_server.url}/cases/report/")
    label = page.locator(".map-label.street").filter(has_text="street")
    label.first.wait_for()
    assert label.first.inner_text() == payload("street")
    assert page.locator(".map-label img, .map-label script").count() == 0
    screenshot(page, "xss-report-map")
    assert_nothing_ran(page, seen)

    # the volunteer statistics: the category's axis label and its tooltip
    page.context.clear_cookies()
    login(page, live_server, "xss_centre", next_path="/volunteers/stats/")
    page.wait_for_selector("#chart-category svg")
    assert payload("category") in page.locator("#chart-category svg").text_content()
    page.evaluate("document.getElementById('chart-category').scrollIntoView()")  # clear of the tab bar
    page.locator("#chart-category svg path[fill='#b3261e']").first.hover(position={"x": 4, "y": 8})
    tooltip = page.locator("#chart-category .chart-tip")
    tooltip.wait_for()
    assert tooltip.inner_text() == f"{payload('category')}: 1"
    assert page.locator("#chart-category img, #chart-category script").count() == 0
    screenshot(page, "xss-volunteer-stats")
    assert_nothing_ran(page, seen)


def test_the_api_explorer_runs_under_the_policy(live_server, watched):
    """Swagger UI (django-ninja's own static files) needs no inline script or eval: the CSP leaves it working."""
    from civicgrid.testing import make_tree, make_user

    page, seen = watched
    tree = make_tree()
    make_user("xss_docs", "grid_worker", tree.grid_a)
    login(page, live_server, "xss_docs", next_path="/api/v1/docs")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 50
    assert_nothing_ran(page, seen)


def test_what_the_inline_handlers_did_still_happens(live_server, phone_page):
    """The templates' inline scripts and on*= handlers moved into js/app.js: a data-autosubmit control
    submits its form, a data-confirm form asks first, a data-idempotency input gets a key."""
    from civicgrid.testing import make_tree, make_user

    page, problems, answers = phone_page, [], iter([False, True])
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: dialog.accept() if next(answers) else dialog.dismiss())
    tree = make_tree()
    make_user("xss_ca", "community_admin", tree.community_a)
    login(page, live_server, "xss_ca", next_path="/geo/map/")
    page.goto(f"{live_server.url}/geo/map/")
    assert page.evaluate("document.documentElement.classList.contains('js')")
    page.select_option("#map-level", "grid")
    page.wait_for_url("**/geo/map/?*level=grid*")

    # a form built here (the DevTools protocol is outside the policy) with the attribute the templates use
    page.evaluate("""() => { const f = document.createElement('form'); f.method = 'get'; f.action = '/geo/';
        f.dataset.confirm = 'sure?'; f.id = 'probe'; f.innerHTML = '<button type=submit>go</button>';
        document.getElementById('main').prepend(f); }""")
    page.click("#probe button")  # declined: nothing is submitted
    page.wait_for_timeout(300)
    assert "/geo/map/" in page.url
    page.click("#probe button")  # accepted
    page.wait_for_url(lambda url: url.split("?")[0].endswith("/geo/"))

    page.goto(f"{live_server.url}/people/residents/new/")
    assert len(page.locator("input[data-idempotency]").input_value()) == 36  # a UUID
    assert problems == []
