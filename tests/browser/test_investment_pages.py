"""A project's month on a phone and at a desk (issue 15, items 1 and 3): the enterprise contact reports
this month's investment on the phone page (390×844); the 投资促进部 officer accepts it in the review queue;
the board draws its charts under the Content-Security-Policy. Screenshots land in test-output/investment-*.png."""

from __future__ import annotations

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.enterprises import actions as eactions
from civicgrid.enterprises.tests.conftest import build_world
from civicgrid.investment import actions
from civicgrid.investment.models import InvestmentReport
from civicgrid.testing import make_tree, make_user
from tests.browser.conftest import login, screenshot, settle, wait_until

# slow: the actions and pages are covered in the default run; this journey keeps the CI run near 12 minutes
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def world():
    w = build_world(make_tree())
    w.tc = Department.objects.create(code="GX-TC", name="高新区投资促进部", kind=DepartmentKind.ZONE)
    eactions.set_zone_departments(actor=w.admin, zone=w.zone, department_codes=["GXJFJ", "GX-TC"])
    w.officer_tc = make_user("officer_tc", "enterprise_officer", department=w.tc)
    today = timezone.localdate()
    w.project = actions.register_project(actor=w.officer_a, data=actions.ProjectInput(
        code=f"{today.year}-211004-26-03-000017", name="芳烃下游一体化项目", enterprise_id=w.ent_a.pk,
        total_investment="3000000000", currency="CNY", signed_on=today.replace(day=1), is_key=True,
        key_level="province", review_department="GX-TC"))
    actions.advance_stage(actor=w.officer_a, project_id=w.project.pk, stage="approved", happened_on=today.replace(day=1))
    actions.advance_stage(actor=w.officer_a, project_id=w.project.pk, stage="started", happened_on=today.replace(day=1))
    return w


def test_contact_reports_and_the_department_accepts(world, live_server, phone_page, browser):
    page = phone_page
    login(page, live_server, "contact_a", next_path="/investment/my/")
    page.goto(f"{live_server.url}/investment/my/")
    card = page.locator(f"[data-project='{world.project.code}']")
    assert "芳烃下游一体化项目" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    card.locator("input[name=amount_yuan]").fill("12500000")
    screenshot(page, "investment-report-phone")
    card.locator("button[type=submit]").click()
    settle(page)
    assert "/investment/my/" in page.url and "等待审核" in page.locator(".messages").inner_text()
    report = InvestmentReport.objects.get(project=world.project)
    assert (report.amount, report.status, report.reported_by.username) == (12500000, "submitted", "contact_a")
    screenshot(page, "investment-report-phone-done")

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    desk = context.new_page()
    errors: list[str] = []
    desk.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        login(desk, live_server, "officer_tc", next_path="/investment/review/")
        desk.goto(f"{live_server.url}/investment/review/")
        desk.locator(f"[data-report='{report.pk}'] button[value=accept]").click()
        settle(desk)
        report.refresh_from_db()
        assert report.status == "accepted" and report.reviewed_by.username == "officer_tc"
        desk.goto(f"{live_server.url}/investment/board/")
        wait_until(desk, "document.querySelector('#chart-investment-month svg') !== null")
        assert desk.locator(f"[data-table='board'] [data-project='{world.project.code}']").count() == 1
        assert desk.locator("[data-figure='fixed_asset_investment']").inner_text() == "0.13"  # 1,250 万元 in 亿元
        screenshot(desk, "investment-board-desktop")
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    finally:
        context.close()
