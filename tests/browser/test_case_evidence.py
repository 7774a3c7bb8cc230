"""Evidence and the field verifier in the browser: a micro-grid worker 核实s a resident's report on a phone
with a photo, the handler sends the after-photos, the worker 核查s the result with a photo, and the case page
shows before and after side by side; a dispatcher merges a duplicate from the case page.
Screenshots land in test-output/evidence-*.png."""

from __future__ import annotations

import pytest

from civicgrid.cases import actions
from civicgrid.cases.actions import sync_categories
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, Notification
from civicgrid.demo.evidence import photo_bytes
from civicgrid.testing import make_department, make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)
POINT = {"lat": 41.12, "lng": 123.12}  # inside micro-grid A


@pytest.fixture
def world():
    tree = make_tree()
    cg = make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    users = {
        "res": named("王女士", "res", "resident"),
        "res2": named("李先生", "res2", "resident"),
        "mg": named("赵微网格", "mg", "micro_grid_worker", tree.micro_a),
        "disp": named("调度员", "disp", "dispatcher", tree.district),
        "hdl": named("城管处置员", "hdl", "department_handler", department=cg),
    }
    return tree, users


def named(display_name, *args, **kwargs):
    user = make_user(*args, **kwargs)
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    return user


def report(user, text):
    return actions.submit_case(actor=user, data=IntakeInput(
        description=text, channel="resident", category_code="0601", photos=[photo_bytes(text)], **POINT)).case


def shot(page, name):
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def take(page, action, photo_label, **fields):
    """Open one step's form, fill it, attach a photo as a phone would, submit."""
    if not page.locator(f"#act-{action}[open]").count():  # a refused form comes back open
        page.click(f"#act-{action} summary")
    page.wait_for_selector(f"#act-{action}[open] form")
    for name, value in fields.items():
        page.fill(f"#act-{action} [name={name}]", value)
    page.set_input_files(f"#act-{action} input[name=attachments]", files=[
        {"name": f"{photo_label}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(photo_label)}])
    page.click(f"#act-{action} button[type=submit]")
    settle(page)


def test_field_verifier_and_handler_attach_photos(phone_page, live_server, world):
    _tree, users = world
    case = report(users["res"], "幸福里小区3号楼门口井盖丢失,晚上很危险")
    page = phone_page

    # 1. the micro-grid worker's list on a phone puts the on-site 核实 first; they 核实 with a photo
    login(page, live_server, "mg", next_path="/cases/?tab=todo")
    row = page.locator(f"tr[data-case='{case.number}']")
    assert row.locator("[data-onsite]").count() == 1
    shot(page, "evidence-01-micro-grid-worklist")
    row.locator(".title a").click()
    settle(page)
    page.click("#act-confirm summary")
    page.click("#act-confirm button[type=submit]")  # no photo yet: refused, with the reason at the field
    settle(page)
    assert "请上传现场照片" in page.locator("#act-confirm").inner_text()
    take(page, "confirm", "核实照片", comment="现场核实:井盖确已丢失,已设置警示")
    assert page.locator("[data-field=state]").inner_text() == "核实属实"
    shot(page, "evidence-02-verified-on-site")
    page.context.clear_cookies()

    # the centre files and dispatches (its own journey is tested elsewhere)
    for action, facts in (("file", {}), ("dispatch", {"department": "CGJ"})):
        actions.transition_case(actor=users["disp"], case_id=case.pk, action=action, facts=facts)

    # 2. the handler signs and sends back the after-photo
    login(page, live_server, "hdl", next_path=f"/cases/{case.pk}/")
    page.click("#act-sign summary")
    page.click("#act-sign button[type=submit]")
    settle(page)
    assert page.locator("#act-feedback input[type=file]").get_attribute("accept") == "image/jpeg,image/png,image/webp"
    take(page, "feedback", "处置后照片", comment="已补装井盖并加固")
    assert page.locator("[data-field=state]").inner_text() == "待核查"
    page.context.clear_cookies()

    # 3. the micro-grid worker 核查s on site with a photo; the page shows before and after side by side
    login(page, live_server, "mg", next_path="/cases/?tab=todo")
    page.locator(f"tr[data-case='{case.number}'] .title a").click()
    settle(page)
    take(page, "verify", "核查照片")
    assert page.locator("[data-field=state]").inner_text() == "核查通过"
    before = page.locator("[data-side=before] img")
    after = page.locator("[data-side=after] img")
    assert before.count() == 2 and after.count() == 2  # report + 核实 | 处理反馈 + 核查
    box_before, box_after = (page.locator(f"[data-side={s}]").bounding_box() for s in ("before", "after"))
    assert abs(box_before["y"] - box_after["y"]) < 2 and box_before["x"] < box_after["x"]  # side by side
    shot(page, "evidence-03-checked")
    case.refresh_from_db()
    assert [e for e in case.events.values_list("action", flat=True)] == [
        "submit", "confirm", "file", "dispatch", "sign", "feedback", "verify"]


def test_dispatcher_merges_a_duplicate_from_the_case_page(desktop_page, live_server, world):
    _tree, users = world
    first = report(users["res"], "幸福里小区门口井盖丢失了")
    second = report(users["res2"], "幸福里小区门口的井盖丢了")
    page = desktop_page
    login(page, live_server, "disp", next_path=f"/cases/{second.pk}/")
    row = page.locator(f"[data-duplicate='{first.number}']")
    assert "相距 0 米" in row.inner_text() and "描述相似度" in row.inner_text()
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("同一井盖的重复反映")
    shot(page, "evidence-04-duplicates")
    row.locator("button[type=submit]").click()
    settle(page)
    assert "已合并" in page.locator(".messages").inner_text()
    assert page.locator("[data-field=state]").inner_text() == "已合并"
    assert page.locator("[data-unmerge]").count() == 1  # the same day it may be undone
    shot(page, "evidence-05-merged")
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    assert first.number in Notification.objects.get(user=users["res2"], case=second).text
    assert Case.objects.get(pk=first.pk).is_open
