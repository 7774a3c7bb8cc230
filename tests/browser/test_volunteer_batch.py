"""批量派单 in the browser (issue 18, Done-when), then the service held to a moving clock: the centre
(desktop 1440×900) opens the plan for its pending orders, raises the per-volunteer cap, leaves one order
out and sends the rest while another user has dispatched one of them meanwhile (that line is refused
with its reason, the other goes); the volunteer (phone) cannot complete the service before it has ended
— the live server runs at the test's clock, set per request through core/testclock — and can once the
clock has passed the window. Screenshots: test-output/volunteer-batch-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.core import testclock
from civicgrid.volunteers import actions
from civicgrid.volunteers.models import Order, ServiceRecord
from civicgrid.volunteers.tests.conftest import order_input, tomorrow_at, vworld  # noqa: F401 (vworld: a fixture)
from tests.browser.conftest import PHONE, login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)

DESK = {"width": 1440, "height": 900}
CLOCK = testclock.HEADER
LOCAL = "%Y-%m-%dT%H:%M"


def pending(w, category="700101", hour=9, **kw) -> Order:
    start, end = tomorrow_at(hour)
    order, _ = actions.place_order(actor=w.resident, data=order_input(category, window_start=start,
                                                                      window_end=end, **kw))
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    return Order.objects.select_related("case").get(pk=order.pk)


def go(page, action) -> None:
    action()
    settle(page)


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_the_centre_batch_assigns_pending_orders_and_service_times_follow_the_clock(browser, live_server, request):
    w = request.getfixturevalue("vworld")
    first, second = pending(w), pending(w)  # counselling at 09:00: one qualified counsellor for both
    pair = pending(w, "700302", people_needed=2)  # companionship at 09:00 for two
    afternoon = pending(w, "700302", hour=14)
    desk_context = browser.new_context(viewport=DESK, locale="zh-CN")
    desk = desk_context.new_page()

    # 1. the plan with one order per volunteer: three volunteers for five places; the counsellor, the only
    # one qualified, can take one of the two counselling orders
    login(desk, live_server, "centre", next_path="/volunteers/centre/")
    go(desk, lambda: desk.click("[data-link=batch]"))
    assert desk.locator("h1").inner_text() == "批量派单 · 智能匹配"
    plan = desk.locator("[data-table=plan] tbody tr")
    assert "已安排给其他订单" in desk.locator("[data-section=unmatched]").inner_text()
    no_horizontal_overflow(desk)

    # 2. two orders per volunteer: the afternoon order can be matched as well, the pair gets two people
    desk.select_option("#cap", "2")
    go(desk, lambda: desk.click(".batch-cap button"))
    assert plan.count() == 3 and desk.locator("[data-count=unmatched]").inner_text() == "1"
    row = desk.locator(f"[data-table=plan] tr[data-order='{pair.case.number}']")
    assert row.locator(".proposed").count() == 2 and "技能匹配" in row.inner_text()
    counselling = next(o for o in (first, second) if desk.locator(
        f"[data-table=plan] tr[data-order='{o.case.number}']").count())
    desk.evaluate("window.scrollTo(0, 0)")
    screenshot(desk, "volunteer-batch-01-plan")

    # 3. leave the afternoon order for later; meanwhile someone dispatches the pair order to a station
    desk.locator(f"tr[data-order='{afternoon.case.number}'] input[type=checkbox]").uncheck()
    actions.dispatch_order(actor=w.centre_admin, order_id=pair.pk, station_code=w.station_a.code)
    go(desk, lambda: desk.click("button[data-step=batch-assign]"))
    outcomes = desk.locator("[data-section=outcomes]")
    assert outcomes.locator("[data-outcome=ok]").count() == 1
    refused = outcomes.locator("[data-outcome=refused]")
    assert refused.count() == 1 and "已被他人处理" in refused.inner_text() and pair.case.number in refused.inner_text()
    desk.evaluate("window.scrollTo(0, 0)")
    screenshot(desk, "volunteer-batch-02-sent")
    counselling.refresh_from_db()
    afternoon.refresh_from_db()
    assert counselling.case.state == "assigned" and list(counselling.volunteers.all()) == [w.counsellor]
    assert afternoon.case.state == "reviewed"  # not ticked
    desk_context.close()

    # 4. the counsellor on a phone, at 09:30 on the service day: contacts, then tries to finish at 11:00
    start, end = counselling.window_start, counselling.window_end
    phone_context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                        locale="zh-CN")
    phone_context.set_extra_http_headers({CLOCK: (start + timedelta(minutes=30)).isoformat()})
    page = phone_context.new_page()
    login(page, live_server, w.counsellor.user.username, next_path="/volunteers/tasks/")
    task = page.locator(f"[data-order='{counselling.case.number}']")
    task.locator("textarea[name=comment]").fill("已电话联系,九点上门")
    go(page, lambda: task.locator("button[data-step=contact]").click())
    task.locator("textarea[name=report]").fill("上门进行心理疏导")
    times = task.locator("input[type=datetime-local]")
    assert times.nth(1).input_value() == f"{timezone.localtime(start + timedelta(minutes=30)):{LOCAL}}"
    times.nth(1).fill(f"{timezone.localtime(end):{LOCAL}}")
    go(page, lambda: task.locator("button[data-step=complete]").click())
    task = page.locator(f"[data-order='{counselling.case.number}']")
    # the refusal stands next to the end time it is about
    assert "不能登记尚未发生的时间" in task.locator(f"[data-volunteer='{w.counsellor.pk}']").inner_text()
    assert not ServiceRecord.objects.exists()
    no_horizontal_overflow(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "volunteer-batch-03-too-early")

    # 5. the clock moves past the window: the same service time is accepted
    phone_context.set_extra_http_headers({CLOCK: (end + timedelta(minutes=10)).isoformat()})
    page.goto(f"{live_server.url}/volunteers/tasks/")
    task = page.locator(f"[data-order='{counselling.case.number}']")
    task.locator("textarea[name=report]").fill("上门进行心理疏导")
    task.locator("input[type=datetime-local]").nth(1).fill(f"{timezone.localtime(end):{LOCAL}}")
    go(page, lambda: task.locator("button[data-step=complete]").click())
    record = ServiceRecord.objects.get()
    assert record.volunteer == w.counsellor and record.hours == 2 and record.ended_at == end
    phone_context.close()
