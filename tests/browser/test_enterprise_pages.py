"""The enterprise contact's portal on a phone (390×844) and the enterprise 360° page at a desk (1440×900)
(issue 14, Done-when): the contact sees their enterprise, their qualifications with the expiry badge, and
submits a year's metrics; the officer's 360° page shows registry data, qualifications, patents, the
metrics trend chart and the pre-check report. Screenshots land in test-output/enterprise-*.png."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.enterprises import actions
from civicgrid.enterprises.models import YearMetrics
from civicgrid.enterprises.tests.conftest import build_world
from civicgrid.testing import make_tree
from tests.browser.conftest import login, screenshot, settle, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
WIDE = {"width": 1440, "height": 900}


@pytest.fixture
def world():
    # a transactional test's flush removes the kinds the data migration seeded: seed them again
    from django.apps import apps
    importlib.import_module("civicgrid.enterprises.migrations.0002_qualification_kinds").seed(apps, None)
    w = build_world(make_tree())
    today = timezone.localdate()
    actions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
        kind="high_tech_enterprise", issued_on=today - timedelta(days=1060), certificate_no="GR202321000456",
        issuer="辽宁省科学技术厅"))
    actions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.QualificationInput(
        kind="tech_sme", issued_on=today - timedelta(days=100), certificate_no="2025211000123"))
    for i, number in enumerate(["201710601862.3", "201920123456.7"]):
        kind = "invention" if i == 0 else "utility_model"
        from civicgrid.enterprises import patentno
        body = number.split(".")[0]
        actions.record_patent(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=actions.PatentInput(
            kind=kind, number=f"{body}.{patentno.check_digit(body)}", title=f"一种芳烃分离装置{i + 1}",
            granted_on=today - timedelta(days=400 + i)))
    for k, year in enumerate(range(today.year - 3, today.year)):
        actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=year, values={
            "revenue": str(30_000_000 + k * 6_000_000), "hightech_revenue": str(21_000_000 + k * 4_000_000),
            "rd_expense": str(1_500_000 + k * 300_000), "rd_expense_domestic": str(1_400_000 + k * 300_000),
            "staff": 80 + k * 10, "tech_staff": 16 + k * 2, "rd_staff": 10 + k, "total_assets": "40000000",
            "total_liabilities": "18000000", "net_assets": "22000000"})
    actions.seed_rulesets(actor=w.admin)
    actions.run_precheck(actor=w.officer_a, enterprise_id=w.ent_a.pk)
    return w


def test_contact_portal_on_a_phone(world, live_server, phone_page):
    page = phone_page
    login(page, live_server, "contact_a", next_path="/enterprises/my/")
    page.goto(f"{live_server.url}/enterprises/my/")
    card = page.locator(f"[data-enterprise='{world.ent_a.pk}']")
    assert world.ent_a.name in card.inner_text()
    badge = card.locator("[data-qualification='high_tech_enterprise'] [data-badge]")
    assert badge.get_attribute("data-badge") == "expiring" and "天后到期" in badge.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(page, "enterprise-portal-phone")
    card.locator("summary").click()
    form = card.locator("form[data-form=metrics]")
    year = timezone.localdate().year - 1
    form.locator("input[name=year]").fill(str(year))
    form.locator("input[name=staff]").fill("120")
    form.locator("input[name=revenue]").fill("52000000")
    screenshot(page, "enterprise-portal-phone-form")
    form.locator("button[type=submit]").click()
    settle(page)
    assert "/enterprises/my/" in page.url and "已提交" in page.locator(".messages").inner_text()
    row = YearMetrics.objects.get(enterprise=world.ent_a, year=year)
    assert row.staff == 120 and row.reported_by.username == "contact_a"
    screenshot(page, "enterprise-portal-phone-done")


def test_enterprise_360_on_a_desk(world, live_server, browser):
    context = browser.new_context(viewport=WIDE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        login(page, live_server, "officer_a", next_path=f"/enterprises/{world.ent_a.pk}/")
        page.goto(f"{live_server.url}/enterprises/{world.ent_a.pk}/")
        settle(page)
        for section in ("registry", "patents", "qualifications", "metrics", "precheck", "patent-list"):
            assert page.locator(f"[data-section='{section}']").count() == 1, section
        assert page.locator("[data-qualification='high_tech_enterprise'] [data-badge='expiring']").count() == 1
        assert page.locator("[data-table='metrics'] tbody tr").count() == 3
        wait_until(page, "document.querySelector('#chart-trend svg') !== null")  # the trend chart drew
        assert page.locator("[data-report]").count() == 4
        assert page.locator("[data-section='patents'] [data-figure='valid_invention']").inner_text() == "1"
        screenshot(page, "enterprise-360-desktop")
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    finally:
        context.close()


def test_zone_overview_map_and_charts(world, live_server, browser):
    context = browser.new_context(viewport=WIDE, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, live_server, "leader", next_path="/enterprises/zone/")
        page.goto(f"{live_server.url}/enterprises/zone/")
        wait_until(page, "document.querySelectorAll('#parks-map path.leaflet-interactive').length === 2")
        wait_until(page, "document.querySelector('#chart-park svg') !== null")
        assert page.locator("[data-table='by-park'] tbody tr").count() == 2
        assert page.locator("[data-figure='high_tech_enterprises']").inner_text() == "1"
        screenshot(page, "enterprise-zone-desktop")
    finally:
        context.close()
