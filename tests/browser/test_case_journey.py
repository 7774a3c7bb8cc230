"""A 12345 request end to end in the browser: a resident reports it on a phone, the dispatcher dispatches it
at a desk, the department handler signs, contacts and replies on a phone, and the resident rates it
satisfied, after which it shows 已办结. Screenshots of every step land in test-output/case-*.png."""

from __future__ import annotations

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.models import Case
from civicgrid.testing import make_department, make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    tree = make_tree()
    water = make_department("GS-WATER", "自来水公司")
    make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    make_user("res", "resident")
    make_user("disp", "dispatcher", tree.district)
    make_user("hdl", "department_handler", department=water)
    return tree


def shot(page, name: str) -> None:
    """A full-page screenshot from the top (the sticky top bar otherwise lands mid-page)."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def sign_out(page) -> None:
    page.context.clear_cookies()


def act(page, action: str) -> None:
    """Open one action's form on the detail page (its <details>) and return with it open."""
    page.click(f"#act-{action} summary")
    page.wait_for_selector(f"#act-{action}[open] form")


def submit_action(page, action: str) -> None:
    page.click(f"#act-{action} button[type=submit]")
    settle(page)


def test_resident_request_closed_loop(phone_page, desktop_page, live_server, world):
    tree = world
    page = phone_page

    # 1. the resident reports on a phone: category, description, place (a grid), submit
    login(page, live_server, "res", next_path="/cases/report/")
    assert page.locator("h1").inner_text() == "上报问题"
    assert "紧急情况请拨打110/119/120" in page.locator(".notice").inner_text()
    page.wait_for_selector("#report-map .leaflet-interactive")  # street outlines drawn without tiles
    page.select_option("select[name=category]", "3005")  # 噪声扰民: has an extra question
    page.wait_for_selector("[data-questions] input[value='夜间']")
    page.check("[data-questions] input[value='夜间']")
    page.fill("textarea[name=description]", "楼下商铺每天夜里施工,噪声很大,影响休息")
    page.select_option("select[name=region]", tree.grid_a.code)
    page.fill("input[name=address]", "幸福里小区3号楼")
    shot(page, "case-01-report")
    page.click("button[type=submit]")
    settle(page)

    case = Case.objects.get()
    assert case.reporter.username == "res" and case.region == tree.grid_a and case.answers == {"time": "夜间"}
    assert f"案件编号 {case.number}" in page.locator(".messages").inner_text()
    assert page.locator("[data-field=state]").inner_text() == "已受理"
    shot(page, "case-02-submitted")
    sign_out(page)

    # 2. the dispatcher dispatches it to the water company from the desk
    desk = desktop_page
    login(desk, live_server, "disp", next_path="/cases/board/")
    assert desk.locator(f"tr[data-case='{case.number}']").count() == 1  # in the board's 待派遣 list
    shot(desk, "case-03a-board")
    desk.goto(f"{live_server.url}/cases/?tab=todo")
    assert desk.locator(f"tr[data-case='{case.number}']").count() == 1
    shot(desk, "case-03-dispatcher-list")
    desk.click(f"tr[data-case='{case.number}'] .title a")
    assert "无匹配的派遣规则" in desk.locator("[data-field=routing]").inner_text()  # 噪声扰民's STHJ is missing
    act(desk, "dispatch")
    desk.select_option("#act-dispatch select[name=department]", "GS-WATER")
    desk.fill("#act-dispatch textarea[name=comment]", "请尽快联系诉求人")
    shot(desk, "case-04-dispatch-form")
    submit_action(desk, "dispatch")
    assert desk.locator("[data-field=state]").inner_text() == "已派单"
    shot(desk, "case-05-dispatched")

    # 3. the department handler signs, contacts the requester and replies, on a phone
    login(page, live_server, "hdl", next_path="/cases/")
    assert page.locator("[data-tab=todo].active .count").inner_text() == "1"
    shot(page, "case-05a-handler-list")
    page.click(f"tr[data-case='{case.number}'] .title a")
    settle(page)
    assert page.locator("#act-sign").count() == 1 and page.locator("#act-dispatch").count() == 0
    shot(page, "case-06-handler-detail")
    act(page, "sign")
    submit_action(page, "sign")
    assert page.locator("[data-field=state]").inner_text() == "已签收"
    act(page, "contact")
    page.fill("#act-contact textarea[name=comment]", "已电话联系诉求人,约定明日上门核实")
    submit_action(page, "contact")
    act(page, "reply")
    page.fill("#act-reply textarea[name=comment]", "已责令商铺停止夜间施工,并张贴告示")
    shot(page, "case-07-reply-form")
    submit_action(page, "reply")
    assert page.locator("[data-field=state]").inner_text() == "已反馈"
    sign_out(page)

    # 4. the resident rates it satisfied; the case shows 已办结
    login(page, live_server, "res", next_path="/cases/mine/")
    assert "请评价办理结果" in page.locator(f"[data-case='{case.number}']").inner_text()
    shot(page, "case-08-my-requests")
    page.click(f"[data-case='{case.number}']")
    page.wait_for_selector("#act-callback[open]")  # the card's link opens the rating form
    page.check("#act-callback input[name=satisfaction][value='4']")  # 满意
    page.check("#act-callback input[name=resolved][value=yes]")  # 已解决
    shot(page, "case-09-rating")
    submit_action(page, "callback")

    assert page.locator("[data-field=state]").inner_text() == "已办结"
    timeline = page.locator(".timeline").inner_text()
    assert "已责令商铺停止夜间施工" in timeline  # the reply is for the resident
    assert "请尽快联系诉求人" not in timeline  # the dispatcher's instruction is internal
    case.refresh_from_db()
    assert case.state == "closed" and case.satisfaction == 4 and case.resolved is True
    assert list(case.events.values_list("action", flat=True)) == [
        "submit", "dispatch", "sign", "contact", "reply", "callback"]
    shot(page, "case-10-closed")
