"""The web shell in chromium: phone login, Chinese home, language switch, logout, login errors,
the dispatcher's desktop home and the audit page. Screenshots land in test-output/."""

from __future__ import annotations

import pytest

from civicgrid.core import audit
from civicgrid.testing import make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tree():
    return make_tree()


def test_grid_worker_on_a_phone_signs_in_switches_language_and_signs_out(phone_page, live_server, tree):
    make_user("gw", "grid_worker", tree.grid_a)
    page = phone_page

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    screenshot(page, "login-phone")
    login(page, live_server, "gw")

    assert page.url == f"{live_server.url}/"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "基层治理综合服务平台" in page.locator(".brand").inner_text()
    assert page.locator("h1").inner_text().endswith("，gw")
    assert "网格员" in page.locator(".scopes").inner_text()
    assert "网格A(211004001001001)" in page.locator(".scopes").inner_text()
    cards = page.locator(".entry-card .title").all_inner_texts()
    assert cards[:2] == ["我的责任区地图", "责任区居民"]  # field work first
    assert page.locator(".tabbar").is_visible()
    assert not page.locator("#site-menu").is_visible()  # the phone menu starts folded
    screenshot(page, "home-phone")

    page.click("[data-menu-toggle]")
    assert page.locator("#site-menu").is_visible()
    assert page.locator("#site-menu nav a").all_inner_texts() == [
        "首页", "区域网格", "网格地图", "人口管理", "案件", "上报问题", "志愿服务", "网格工作", "日常巡查", "专项排查",
        "人员交接", "接口文档"]
    screenshot(page, "home-phone-menu")

    page.click(".lang-switch button")
    settle(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Grassroots Governance Service Platform" in page.locator(".brand").inner_text()
    assert "Your roles and areas of responsibility" in page.content()
    assert "My area on the map" in page.locator(".cards").inner_text()
    screenshot(page, "home-phone-en")

    page.reload()  # the choice persists in the language cookie
    assert page.locator("html").get_attribute("lang") == "en"

    page.click("[data-menu-toggle]")
    page.click(".logout button")
    settle(page)
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "Sign in"
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_wrong_password_shows_the_chinese_error(phone_page, live_server, tree):
    make_user("gw", "grid_worker", tree.grid_a)

    login(phone_page, live_server, "gw", password="wrong-Passw0rd")

    alert = phone_page.locator("[role=alert]")
    assert alert.is_visible()
    assert "用户名或密码错误" in alert.inner_text()
    assert phone_page.input_value("input[name=username]") == "gw"
    screenshot(phone_page, "login-error-phone")


def test_idle_logout_notice(phone_page, live_server, db):
    phone_page.goto(f"{live_server.url}/accounts/login/?next=/&idle=1")
    assert "长时间未操作" in phone_page.locator(".notice").inner_text()


def test_desktop_home_shows_overview(desktop_page, live_server, tree):
    make_user("sys", "system_admin", tree.district)
    page = desktop_page

    login(page, live_server, "sys")

    assert page.locator("#site-menu nav").is_visible()  # inline on desktop, no toggle
    assert not page.locator("[data-menu-toggle]").is_visible()
    assert not page.locator(".tabbar").is_visible()
    stats = dict(zip(page.locator(".stat .label").all_inner_texts(), page.locator(".stat .value").all_inner_texts(),
                     strict=True))
    assert stats == {"区": "1", "街道/镇": "2", "社区/村": "2", "网格": "2", "微网格": "2"}
    assert page.locator(".entry-card .title").all_inner_texts()[:3] == ["区域网格", "网格地图", "派遣规则"]
    screenshot(page, "home-desktop-overview")


def test_the_dispatcher_lands_on_the_board(desktop_page, live_server, tree):
    make_user("disp", "dispatcher", tree.district)
    login(desktop_page, live_server, "disp")
    assert desktop_page.url.endswith("/cases/board/")  # the board's live counts are the dispatcher's home
    assert desktop_page.locator(".board-stats .stat").count() == 6


def test_audit_admin_browses_the_log(phone_page, desktop_page, live_server, tree):
    gw = make_user("gw", "grid_worker", tree.grid_a)
    make_user("auditor", "audit_admin", tree.district)
    audit.record(actor=gw, action="people.unmask_personal", object_type="people.resident", object_id=8,
                 fields=["id_number"])

    login(desktop_page, live_server, "auditor", next_path="/audit/")
    assert desktop_page.locator("h1").inner_text() == "审计日志"
    table = desktop_page.locator("table.data")
    assert "查看完整身份证号和电话" in table.inner_text() and "people.unmask_personal" not in table.inner_text()
    assert table.locator("[data-code='people.unmask_personal']").get_attribute("title") == "people.unmask_personal"
    assert "网格员" in table.inner_text() and "grid_worker" not in table.inner_text()
    desktop_page.fill("input[name=actor]", "gw")
    desktop_page.click(".filters button[type=submit]")
    settle(desktop_page)
    assert "actor=gw" in desktop_page.url
    assert desktop_page.locator("table.data tbody tr").count() == 1
    screenshot(desktop_page, "audit-desktop")

    login(phone_page, live_server, "auditor", next_path="/audit/")
    screenshot(phone_page, "audit-phone")


def test_403_page_for_a_grid_worker_on_the_audit_page(phone_page, live_server, tree):
    make_user("gw", "grid_worker", tree.grid_a)
    login(phone_page, live_server, "gw", next_path="/audit/")
    assert "没有权限" in phone_page.locator("h1").inner_text()
    screenshot(phone_page, "403-phone")


def test_the_grid_workers_desktop_bar_fits(desktop_page, live_server, tree):
    """The field roles carry the most entries; the desktop bar must not overflow the window."""
    make_user("gw2", "grid_worker", tree.grid_a)
    page = desktop_page
    login(page, live_server, "gw2")
    screenshot(page, "home-desktop-grid-worker")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
