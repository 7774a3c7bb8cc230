"""The grid worker's phone home (网格工作): today's patrol, campaigns, what is due and open cases on a
phone, without horizontal overflow. Screenshot in test-output/."""

from __future__ import annotations

import pytest

from civicgrid.testing import make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_grid_worker_sees_the_day_on_a_phone(phone_page, live_server):
    tree = make_tree()
    make_user("gw", "grid_worker", tree.grid_a)
    page = phone_page
    login(page, live_server, "gw", next_path="/gridops/")

    assert page.url.endswith("/gridops/")
    today = page.locator("[data-today] li")
    texts = today.all_inner_texts()
    assert any("今日尚未巡查" in t for t in texts) and any("在办案件 0 件" in t for t in texts)
    page.locator('[data-today="patrol"] a').click()
    settle(page)
    assert "/gridops/patrols/" in page.url
    page.go_back()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
    screenshot(page, "gridops-home-phone")
