"""The good-people board end to end in the browser (issue 17, Done-when): a resident nominates herself on a
phone (story, photo, consent to name and photo); the community verifies it; the 文明办 approves it and it
goes on public notice; a passer-by without an account objects on a phone; when the notice is over the
office cannot list it until the objection is answered; answered, it is listed and appears on the public
monthly board with her photo — and with her name only until she withdraws that consent, when the board
shows “某某同志”. Screenshots of every step land in test-output/recognition-*.png."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.recognition.models import Nomination, Objection
from civicgrid.testing import make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


def portrait(tmp_path):
    from PIL import Image

    path = tmp_path / "me.png"
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (220, 180, 150)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_self_nomination_notice_objection_and_the_monthly_board(live_server, browser, tmp_path):
    tree = make_tree()
    resident = make_user("res", "resident")
    resident.display_name = "滕秀敏"
    resident.save(update_fields=["display_name"])
    make_user("comm", "community_admin", tree.community_a)
    make_user("office", "centre_admin", tree.district)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN")
    page = phone.new_page()

    # the resident asks to be on the list (自荐), on her phone
    login(page, live_server, "res", next_path="/recognition/nominate/")
    page.fill("input[name=nominee_phone]", "13800001111")
    page.select_option("select[name=region_code]", tree.community_a.code)
    page.check("input[name=category][value=helping]")
    page.fill("input[name=title]", "向道德模范学习,照看留守儿童")
    page.fill("textarea[name=story]", "这些年我一直向道德模范学习,放学后在家照看楼里的留守儿童。")
    page.set_input_files("input[name=photo]", str(portrait(tmp_path)))
    page.click("button[type=submit]")
    assert "须取得被推荐人本人同意" in page.locator("[data-field=consent] .error").inner_text()  # no consent yet
    page.check("input[name=consent_story]")
    page.check("input[name=consent_name]")
    page.check("input[name=consent_photo]")
    page.set_input_files("input[name=photo]", str(portrait(tmp_path)))
    page.click("button[type=submit]")
    page.wait_for_url("**/recognition/my/**")
    nomination = Nomination.objects.get()
    assert page.locator(f"[data-nomination='{nomination.pk}'] .progress li.current").inner_text() == "已提交"
    screenshot(page, "recognition-1-my-nomination")

    # the community verifies it, the office approves it: public notice
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(desk, live_server, "comm", next_path="/recognition/work/")
    desk.click(f"[data-list=verify] [data-nomination='{nomination.pk}']")
    desk.click("[data-step=verify] button")
    settle(desk)
    login(desk, live_server, "office", next_path=f"/recognition/{nomination.pk}/")
    desk.click("[data-step=approve] button")
    settle(desk)
    assert desk.locator("[data-state]").first.get_attribute("data-state") == "notice"

    # a passer-by objects, without an account, on a phone
    anonymous = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN").new_page()
    anonymous.goto(f"{live_server.url}/recognition/notices/")
    card = anonymous.locator(f"[data-notice='{nomination.pk}']")
    card.locator("summary").click()
    card.locator("input[name=contact_name]").fill("王先生")
    card.locator("input[name=contact_phone]").fill("13900002222")
    card.locator("textarea[name=body]").fill("听说照看孩子收费,请核实。")
    screenshot(anonymous, "recognition-2-objection")
    card.locator("button[type=submit]").click()
    settle(anonymous)
    assert "异议已受理" in anonymous.locator(".messages").inner_text()
    assert Objection.objects.get().status == "open"

    # the notice period passes; listing waits for the answer
    today = timezone.localdate()
    Nomination.objects.filter(pk=nomination.pk).update(notice_start=today - timedelta(days=8),
                                                        notice_end=today - timedelta(days=1))
    desk.goto(f"{live_server.url}/recognition/{nomination.pk}/")
    desk.click("[data-step=list] button")
    settle(desk)
    assert "异议未答复" in desk.locator("[data-error]").inner_text()
    assert desk.locator("[data-objection] .mono").inner_text() == "*******2222"
    screenshot(desk, "recognition-3-objection-blocks-listing")
    desk.check("input[name=outcome][value=dismissed]")
    desk.fill("textarea[name=answer]", "经社区走访核实,照看孩子分文未取,事迹属实。")
    desk.click("[data-objection] button[type=submit]")
    settle(desk)
    desk.click("[data-step=list] button")
    settle(desk)
    assert Nomination.objects.get().state == "listed"

    # the public monthly board, no login: her name and photo, as she agreed
    board = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                locale="zh-CN").new_page()
    board.goto(f"{live_server.url}/recognition/")
    item = board.locator(f"[data-item='{nomination.pk}']")
    assert item.locator("h2").inner_text() == "滕秀敏"
    assert board.evaluate(f"document.querySelector(\"[data-item='{nomination.pk}'] img\").naturalWidth") > 0
    assert "13800001111" not in board.content()
    screenshot(board, "recognition-4-monthly-board")

    # she withdraws consent to her name: the board follows at once
    page.goto(f"{live_server.url}/recognition/my/")
    page.locator(f"#n-{nomination.pk} details summary").click()
    page.uncheck(f"#n-{nomination.pk} input[name=name]")
    page.locator(f"#n-{nomination.pk} .consent-box button").click()
    settle(page)
    board.reload()
    assert board.locator(f"[data-item='{nomination.pk}'] h2").inner_text() == "某某同志"
    assert "滕秀敏" not in board.content()
    screenshot(board, "recognition-5-board-without-name")
