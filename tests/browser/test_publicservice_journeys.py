"""Public services in a browser (issue 17, Done-when): a resident books on a phone and gets the QR code, the
window checks the code in; an online application with 补正 and the result mailed to another city; the
public 办不成事 statistics page without login. Screenshots land in test-output/publicservice-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civicgrid.core import testclock
from civicgrid.publicservice.actions import requests
from civicgrid.publicservice.models import Booking, ServiceRequest, Slot
from civicgrid.publicservice.tests.conftest import PDF, build_world, ten_today
from tests.browser.conftest import DESKTOP, login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ps(tree):
    return build_world(tree)


def test_booking_on_a_phone_and_check_in_at_the_window(ps, live_server, phone_page, browser):
    page = phone_page
    # the journey runs at 10:00 today (the live server at the test's clock, core/testclock)
    now = ten_today()
    at_ten = {testclock.HEADER: now.isoformat()}
    page.context.set_extra_http_headers(at_ten)
    start = now + timedelta(minutes=50)
    # The world's opening hours may already hold a slot at this minute (on the hour or half past).
    Slot.objects.update_or_create(
        window=ps.window, starts_at=start, defaults={"ends_at": start + timedelta(minutes=30), "capacity": 2}
    )
    login(page, live_server, ps.resident.username, next_path="/publicservice/")
    page.goto(f"{live_server.url}/publicservice/")
    screenshot(page, "publicservice-hub-phone")
    page.click("[data-entry=book]")
    page.click("[data-item=HK01]")
    page.goto(f"{live_server.url}/publicservice/book/?item=HK01&office=PCS1&day={start.date().isoformat()}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "publicservice-book-phone")
    page.click(f"button[data-slot='{start:%H:%M}']")
    settle(page)
    booking = Booking.objects.get(user=ps.resident)
    assert page.locator("[data-code]").inner_text() == booking.code
    assert page.locator(".qr svg").count() == 1
    screenshot(page, "publicservice-booking-qr-phone")

    staff = browser.new_context(viewport=DESKTOP, locale="zh-CN", extra_http_headers=at_ten).new_page()
    login(staff, live_server, ps.clerk.username, next_path="/publicservice/window/")
    staff.goto(f"{live_server.url}/publicservice/window/")
    staff.fill("#code", booking.code.lower())
    staff.click(".checkin button[type=submit]")
    settle(staff)
    assert "已签到" in staff.locator(".messages").inner_text()
    screenshot(staff, "publicservice-window-day")
    assert Booking.objects.get(pk=booking.pk).status == "checked_in"
    staff.context.close()


@pytest.mark.slow
def test_online_request_with_correction_mailed_to_another_city(ps, live_server, phone_page, browser, tmp_path):
    page = phone_page
    scan = tmp_path / "id.pdf"
    scan.write_bytes(PDF)
    login(page, live_server, ps.resident.username, next_path="/publicservice/apply/?item=HK01")
    page.goto(f"{live_server.url}/publicservice/apply/?item=HK01")
    page.fill("input[name=field_reason]", "户口簿搬家遗失,人已在上海")
    page.set_input_files("input[name=material_id_card]", str(scan))
    page.check("input[name=delivery][value=mail]")
    page.fill("input[name=mail_city]", "上海市")
    page.fill("input[name=mail_address]", "浦东新区张杨路500号 张三收")
    screenshot(page, "publicservice-apply-phone")
    page.click("button[type=submit].wide")
    settle(page)
    sr = ServiceRequest.objects.get(applicant=ps.resident)
    assert sr.mail_city == "上海市" and sr.materials.count() == 1
    requests.accept(actor=ps.clerk, request_id=sr.pk)
    requests.request_correction(actor=ps.clerk, request_id=sr.pk, note="请补充遗失说明")
    page.goto(f"{live_server.url}/publicservice/requests/")
    card = page.locator(f"[data-request='{sr.case.number}']")
    assert "请补充遗失说明" in card.inner_text() and "前补正" in card.locator("[data-correction-due]").inner_text()
    screenshot(page, "publicservice-correction-phone")
    card.locator("input[name=material_statement]").set_input_files(str(scan))
    card.locator("button[type=submit]").click()
    settle(page)
    sr.refresh_from_db()
    assert sr.case.state == "reviewing" and sr.materials.filter(is_correction=True).count() == 1
    requests.approve(actor=ps.clerk, request_id=sr.pk)
    requests.conclude(actor=ps.clerk, request_id=sr.pk, result="户口簿已补办")

    staff = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    login(staff, live_server, ps.clerk.username, next_path="/publicservice/queue/?q=delivering")
    staff.goto(f"{live_server.url}/publicservice/queue/?q=delivering")
    row = staff.locator(f"[data-request='{sr.case.number}']")
    row.locator("input[name=tracking_number]").fill("EMS1100234567")
    screenshot(staff, "publicservice-queue-deliver")
    row.locator("button[type=submit]").click()
    settle(staff)
    staff.context.close()

    page.goto(f"{live_server.url}/publicservice/requests/")
    card = page.locator(f"[data-request='{sr.case.number}']")
    assert "EMS1100234567" in card.locator("[data-tracking]").inner_text()
    screenshot(page, "publicservice-mailed-phone")
    card.locator("select[name=satisfaction]").select_option("5")
    card.locator("details button[type=submit]").click()
    settle(page)
    sr.refresh_from_db()
    assert sr.case.state == "closed" and sr.case.satisfaction == 5


def test_public_hard_case_statistics_page(ps, live_server, phone_page):
    from civicgrid.cases.actions import sync_categories
    from civicgrid.publicservice.actions import hardcases

    sync_categories()
    hardcases.register(actor=ps.dispatcher, intake="counter", data=hardcases.HardCaseInput(
        category_code="9001", description="证明两个部门互相推", name="李四", phone="13900000002"))
    page = phone_page
    page.goto(f"{live_server.url}/publicservice/hard-cases/stats/")
    assert page.locator("[data-total=received]").inner_text() == "1"
    assert "李四" not in page.content() and "登录" not in page.locator("h1").inner_text()
    screenshot(page, "publicservice-hard-case-stats-phone")
