"""People pages on a phone: resident search, the masked detail, the audited reveal via htmx, the create
form's Chinese check-digit error, and the import report. Screenshots land in test-output/."""

from __future__ import annotations

import pytest

from civicgrid.core.models import AuditEvent
from civicgrid.people.models import Resident
from civicgrid.people.tests.factories import (
    ident,
    make_building,
    make_household,
    make_resident,
    make_tags,
    wrong_check_digit,
    xlsx,
)
from civicgrid.testing import make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    tree = make_tree()
    building = make_building(tree.micro_a, tree.micro_a.code + "001", "幸福里小区3号楼")
    household = make_household(tree.micro_a, "HA-0001", building, "幸福里小区3号楼2单元301")
    head = make_resident(household, "张建国", ident(1), "13812341234")
    make_resident(household, "李秀英", ident(2), "13900001111", relation="spouse")
    elderly, _ = make_tags()
    head.tags.create(tag=elderly)
    other = make_household(tree.micro_b, "HB-0001")
    make_resident(other, "王小明", ident(3))
    return tree, head


def test_grid_worker_finds_a_resident_and_reveals_with_a_reason(phone_page, live_server, people):
    tree, head = people
    make_user("gw", "grid_worker", tree.grid_a)
    page = phone_page
    login(page, live_server, "gw", next_path="/people/")

    assert page.locator("h1").inner_text() == "居民查询"
    names = page.locator(".person-card strong").all_inner_texts()
    assert names == ["张建国", "李秀英"]  # not 王小明 of the other grid
    masked = head.id_number[0] + "*" * 16 + head.id_number[-1]  # the first and the last character only
    assert masked in page.locator(".people-list").inner_text()
    screenshot(page, "people-list-phone")

    page.click("text=张建国")
    assert page.locator("[data-field=id_number]").inner_text() == masked
    screenshot(page, "people-resident-masked-phone")

    page.select_option("select[name=reason]", "入户走访核实")
    page.click("text=显示完整信息")
    page.wait_for_selector("text=已显示完整信息")
    assert page.locator("[data-field=id_number]").inner_text() == head.id_number
    assert page.locator("[data-field=phone]").inner_text() == "13812341234"
    assert AuditEvent.objects.filter(action="people.reveal_personal", reason="入户走访核实").count() == 1
    screenshot(page, "people-resident-revealed-phone")


def test_grid_worker_looks_up_a_resident_by_id_number_with_a_reason(phone_page, live_server, people):
    tree, head = people
    make_user("gw", "grid_worker", tree.grid_a)
    page = phone_page
    login(page, live_server, "gw", next_path="/people/")

    page.click("text=更多条件")
    page.fill("input[name=id_number]", head.id_number)
    page.click("button:has-text('查询')")
    settle(page)
    assert page.locator("[role=alert]").get_attribute("data-code") == "lookup_reason_required"
    screenshot(page, "people-lookup-reason-required-phone")

    page.select_option("select[name=reason]", "办理服务事项")
    page.click("button:has-text('查询')")
    settle(page)
    assert page.locator(".person-card strong").all_inner_texts() == ["张建国"]
    assert head.id_number not in page.locator(".people-list").inner_text()
    assert AuditEvent.objects.filter(action="people.lookup_personal", reason="办理服务事项").count() == 1
    screenshot(page, "people-lookup-found-phone")


def test_a_micro_grid_worker_sees_the_birth_year_and_no_look_up(phone_page, live_server, people):
    tree, head = people
    make_user("mg", "micro_grid_worker", tree.micro_a)
    page = phone_page
    login(page, live_server, "mg", next_path="/people/")

    page.click("text=更多条件")
    assert page.locator("input[name=id_number]").count() == 0  # no exact look-up without the permission
    page.click("text=张建国")
    facts = page.locator(".facts").first.inner_text()
    assert "出生年份" in facts and "1980" in facts and "1980-05-17" not in facts
    assert "显示完整信息" not in page.content()
    screenshot(page, "people-resident-micro-worker-phone")


def test_the_create_form_shows_the_check_digit_error_in_chinese(phone_page, live_server, people):
    tree, _ = people
    make_user("gw", "grid_worker", tree.grid_a)
    page = phone_page
    login(page, live_server, "gw", next_path="/people/residents/new/")

    page.fill("input[name=name]", "赵小红")
    page.fill("input[name=id_number]", wrong_check_digit(ident(4)))
    page.click("button[type=submit]")
    settle(page)

    assert "身份证号校验位错误" in page.locator(".errorlist").inner_text()
    screenshot(page, "people-create-error-phone")
    assert Resident.objects.filter(name="赵小红").count() == 0


def test_the_import_page_shows_a_row_report_and_imports_nothing(phone_page, live_server, people, tmp_path):
    tree, _ = people
    make_user("ca", "community_admin", tree.community_a)
    page = phone_page
    login(page, live_server, "ca", next_path="/people/import/")
    path = tmp_path / "bad.xlsx"
    row = ["HA-0100", tree.micro_a.code, "", "", "", "钱多多", wrong_check_digit(ident(11)), "123", "", "", "", ""]
    path.write_bytes(xlsx([row, ["HA-0101", "999", "", "", "", "", ident(13), "", "", "", "", ""]]).getvalue())

    page.set_input_files("input[name=file]", str(path))
    page.click("button[type=submit]")
    settle(page)

    rows = page.locator(".import-report tbody tr").all_inner_texts()
    assert len(rows) == 4
    assert "未导入任何数据" in page.locator(".alert").inner_text()
    screenshot(page, "people-import-report-phone")
    assert Resident.objects.count() == 3
