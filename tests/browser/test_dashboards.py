"""Dashboards in the browser (issue 16, Done-when): a leader drills from a dashboard figure to the case
list and the list's count equals the figure (default run). The screenshot sweep (slow) keeps every
dashboard at a desk, the 数据大屏 at 1920×1080, the heat map, the report pages and the monthly PDF's pages
(pdftoppm) in test-output/dashboard-*.png."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.utils import timezone

from civicgrid.dashboard.tests.conftest import cases, world  # noqa: F401 (the fixtures)
from civicgrid.reports import actions
from civicgrid.testing import make_user
from tests.browser.conftest import OUTPUT, login, screenshot, settle, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
BIG = {"width": 1920, "height": 1080}


def listed_count(page) -> int:
    text = page.locator(".toolbar .muted").first.inner_text()
    return int(re.search(r"共\s*(\d+)\s*件", text).group(1))


def test_a_dashboard_figure_drills_down_to_its_list(cases, live_server, desktop_page):  # noqa: F811
    w = cases
    page = desktop_page
    login(page, live_server, "boss", next_path="/")
    assert page.url.endswith(f"/dashboard/region/{w.tree.district.code}/")  # the leader lands on it
    wait_until(page, "document.querySelectorAll('[data-chart] svg').length >= 3")
    screenshot(page, "dashboard-district")
    for panel, figure in (("case_live", "overdue"), ("case_kpis", "created"), ("case_live", "open")):
        tile = page.locator(f"[data-panel={panel}] [data-figure={figure}]")
        value = int(tile.get_attribute("data-value"))
        tile.click()
        settle(page)
        assert "/cases/" in page.url and listed_count(page) == value > 0, (panel, figure)
        page.go_back()
        settle(page)


@pytest.mark.slow
def test_screenshot_sweep(cases, live_server, browser, tmp_path):  # noqa: F811
    w = cases
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(page, live_server, "boss", next_path="/")
    codes = {"district": w.tree.district.code, "street": w.tree.street_a.code, "community": w.tree.community_a.code,
             "grid": w.tree.grid_a.code}
    for kind, code in codes.items():
        page.goto(f"{live_server.url}/dashboard/region/{code}/")
        page.wait_for_selector("[data-panel=case_kpis]")
        page.wait_for_timeout(300)
        screenshot(page, f"dashboard-{kind}")
    for name, path in (("department", f"/dashboard/department/{w.cg.code}/"), ("zone", "/dashboard/zone/"),
                       ("volunteers", "/dashboard/volunteers/"), ("figures", "/figures/")):
        page.goto(live_server.url + path)
        settle(page)
        screenshot(page, f"dashboard-{name}")
    page.goto(f"{live_server.url}/dashboard/map/?region={w.tree.district.code}")
    wait_until(page, "document.body.getAttribute('data-heat-ready') === 'open'")
    page.locator("#heat-map path.leaflet-interactive").first.click()
    page.wait_for_selector(".heat-popup a[data-grid-link=open]")
    screenshot(page, "dashboard-map")

    big = browser.new_context(viewport=BIG, locale="zh-CN").new_page()
    login(big, live_server, "boss", next_path="/")
    big.goto(f"{live_server.url}/dashboard/screen/?region={w.tree.district.code}")
    wait_until(big, "document.querySelectorAll('#screen-map path').length >= 2 && "
                    "document.querySelectorAll('#screen-trend svg').length == 1")
    assert big.evaluate("document.documentElement.scrollWidth") <= BIG["width"]
    assert big.locator("[data-count=overdue]").inner_text() == "1"
    big.screenshot(path=str(OUTPUT / "dashboard-big-screen.png"))
    big.evaluate("document.querySelector('[data-count=open]').textContent = 'x'")  # htmx puts it back
    assert big.locator("#screen-live").get_attribute("hx-trigger") == "every 30s"
    big.evaluate("htmx.ajax('GET', document.querySelector('#screen-live').getAttribute('hx-get'), "
                 "{target: '#screen-live', swap: 'innerHTML'})")  # what the poll does, without waiting 30 s
    wait_until(big, "document.querySelector('[data-count=open]').textContent === '5'")

    # the monthly report: requested on the page, built by the worker's function, its PDF pages kept
    page.goto(f"{live_server.url}/reports/")
    page.select_option("select[name=format]", "pdf")
    page.click("form.report-form button[type=submit]")
    settle(page)
    screenshot(page, "dashboard-report-queued")
    run_id = int(page.url.rstrip("/").split("/")[-1])
    actions.run_report(run_id=run_id)
    wait_until(page, "document.querySelector('[data-download]') !== null")
    screenshot(page, "dashboard-report-done")
    run = actions.ReportRun.objects.get(pk=run_id)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(run.file.read())
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(OUTPUT / "dashboard-monthly-pdf")], check=True)
    assert list(OUTPUT.glob("dashboard-monthly-pdf-*.png"))

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True).new_page()
    login(phone, live_server, "res", next_path="/")
    screenshot(phone, "dashboard-home-resident-phone")
    make_user("mgw", "micro_grid_worker", w.tree.micro_a)
    phone.context.clear_cookies()
    login(phone, live_server, "mgw", next_path="/")
    screenshot(phone, "dashboard-home-micro-grid-worker-phone")
    assert timezone.now()  # the sweep ran to the end
