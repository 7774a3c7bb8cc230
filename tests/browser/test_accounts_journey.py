"""Account administration in the browser (desktop 1440×900): the security administrator signs in with a
TOTP code, imports 20 staff accounts from Excel and assigns a role; a new worker activates their account
through the SMS link; the system administrator deactivates a micro-grid worker whose open case moves to
a successor."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook

from civicgrid.accounts.actions import handover
from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.cases import actions as case_actions
from civicgrid.cases.actions import sync_categories
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import sms
from civicgrid.core.xlsx import write_row
from civicgrid.testing import make_department, make_user, totp_code
from tests.browser.conftest import OUTPUT, login, screenshot, settle

DESKTOP_1440 = {"width": 1440, "height": 900}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP_1440, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(90_000)  # a shared 2-core machine: the live server's first answers can be slow
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm prompts
    yield page
    context.close()


def staff_file(tree, n: int = 20):
    book = Workbook()
    sheet = book.active
    write_row(sheet, ["用户名", "姓名", "手机号", "角色", "区域编码", "部门编码"])
    for i in range(n):
        write_row(sheet, [f"wgy{i:02d}", f"微网格员{i:02d}", f"1390000{i:04d}", "微网格员", tree.micro_a.code, ""])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "staff-import.xlsx"
    book.save(path)
    return path


def test_onboarding_handover_and_totp(page, live_server, tree):
    sms.LogBackend.outbox.clear()
    make_user("sec", "security_admin", tree.district)
    make_user("sys", "system_admin", tree.district)
    make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    leaver = make_user("mg_old", "micro_grid_worker", tree.micro_a)
    leaver.display_name = "王离岗"
    leaver.save()
    resident = make_user("res", "resident")
    case = case_actions.submit_case(actor=resident, data=IntakeInput(
        description="3号楼楼道灯不亮", channel="resident", category_code="3001", **POINT_A)).case

    # the security administrator's first sign-in: password, then bind an authenticator (QR code)
    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/users/")
    page.fill("input[name=username]", "sec")
    page.fill("input[name=password]", "Passw0rd!x")
    page.click("button[type=submit]")
    settle(page)
    assert page.url.endswith("/accounts/login/enrol/")
    assert page.locator(".qr svg").is_visible() and page.locator("[data-secret]").inner_text()
    screenshot(page, "accounts-totp-enrol-desktop")
    page.fill("input[name=code]", totp_code(User.objects.get(username="sec")))
    page.click("button[type=submit]")
    settle(page)
    assert page.locator("[data-recovery-codes] li").count() == 10
    screenshot(page, "accounts-recovery-codes-desktop")
    page.click("text=我已保存,继续")
    settle(page)
    assert page.locator("h1").inner_text() == "授权管理"

    # import 20 staff accounts from Excel
    page.click("text=批量导入")
    page.set_input_files("input[name=file]", str(staff_file(tree)))
    page.click("form button[type=submit]")
    settle(page)
    assert "已创建 20 个账号" in page.locator("[data-import-result]").inner_text()
    screenshot(page, "accounts-import-done-desktop")
    assert User.objects.filter(username__startswith="wgy").count() == 20
    assert len(sms.LogBackend.outbox) == 20 and "/accounts/activate/" in sms.LogBackend.outbox[0][1]

    # ... and assigns a further role to one of them: 网格员 of grid B
    page.goto(f"{live_server.url}/accounts/users/?q=wgy03")
    page.click("a:text('微网格员03')")
    page.select_option("select[name=role]", "grid_worker")
    page.fill("input[name=region]", tree.grid_b.code)
    page.click(".assign-form button[type=submit]")
    settle(page)
    assert "已分配角色:网格员" in page.locator(".messages").inner_text()
    assert set(RoleAssignment.objects.filter(user__username="wgy03", is_active=True).values_list("role", flat=True)) \
        == {"micro_grid_worker", "grid_worker"}
    screenshot(page, "accounts-user-roles-desktop")
    page.click(".logout button")

    # a new worker opens the SMS link and sets a password, then signs in (no second factor for the role)
    link = re.search(r"http\S+/accounts/activate/\S+/", sms.LogBackend.outbox[0][1]).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.fill("input[name=password]", "Neue-Pass-2026")
    page.fill("input[name=password2]", "Neue-Pass-2026")
    page.click("form button[type=submit]")
    settle(page)
    login(page, live_server, "wgy00", password="Neue-Pass-2026")
    assert page.locator(".who-name").inner_text() == "微网格员00"
    page.goto(link)
    assert "已使用过" in page.locator(".alert").inner_text()  # single use
    page.click(".logout button")

    # the system administrator: enrolled at once by the helper, then asked for the code at the next sign-in
    login(page, live_server, "sys")
    page.click(".logout button")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "sys")
    page.fill("input[name=password]", "Passw0rd!x")
    page.click("button[type=submit]")
    settle(page)
    assert page.url.endswith("/accounts/login/verify/")
    screenshot(page, "accounts-totp-verify-desktop")
    page.fill("input[name=code]", totp_code(User.objects.get(username="sys")))
    page.click("button[type=submit]")
    settle(page)
    assert page.locator(".who-name").inner_text() == "sys"

    # deactivating the leaving micro-grid worker: refused without a successor, done with one
    page.goto(f"{live_server.url}/accounts/users/{leaver.pk}/")
    assert "1</strong> 件在办案件" in page.content()
    page.click("form[data-confirm] button.danger")
    settle(page)
    assert "请先选择接替人" in page.locator(".messages").inner_text()
    assert User.objects.get(pk=leaver.pk).is_active
    page.select_option("select[name=successor]", label="微网格员05(wgy05)")
    page.fill("input[name=reason]", "调往其他社区")
    screenshot(page, "accounts-deactivate-successor-desktop")
    page.click("form[data-confirm] button.danger")
    settle(page)
    assert "1 件在办案件" in page.locator(".messages").inner_text()
    assert not User.objects.get(pk=leaver.pk).is_active
    successor = User.objects.get(username="wgy05")
    assert handover.open_tasks(successor).case_ids == [case.pk]
    screenshot(page, "accounts-deactivated-desktop")
