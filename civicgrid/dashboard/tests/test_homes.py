"""Home pages by role, the resident's account page, and the seed-figures page."""

import pytest

from civicgrid.figures.registry import DECLARED, HANDLERS
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def test_leaders_and_dispatchers_land_on_their_work(client, cases):
    w = cases
    client.force_login(w.leader)
    assert client.get("/")["Location"] == f"/dashboard/region/{w.tree.district.code}/"
    client.force_login(w.dispatcher)
    assert client.get("/")["Location"] == "/cases/board/"


def test_a_resident_sees_their_requests_and_no_staff_entries(client, cases):
    w = cases
    client.force_login(w.resident)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    titles = [r["title"] for r in response.context["requests"]]
    assert len(titles) == 2 and 'data-section="requests"' in page and 'data-section="orders"' in page
    assert "/api/v1/docs" not in page and "接口文档" not in page and "调度看板" not in page
    account = client.get("/accounts/me/").content.decode()
    assert "接口令牌" not in account
    client.force_login(w.grid_a)
    assert "接口令牌" in client.get("/accounts/me/").content.decode()


def test_a_micro_grid_worker_sees_the_worklist_and_todays_patrol(client, cases):
    w = cases
    worker = make_user("mgw", "micro_grid_worker", w.tree.micro_a)
    client.force_login(worker)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["field"]["todo_count"] == len(response.context["field"]["todo"]) or \
        response.context["field"]["todo_count"] > 5
    assert 'data-section="patrol"' in page and "/gridops/patrols/phone/" in page
    assert 'data-section="worklist"' in page


def test_the_seed_figures_page_lists_every_declared_figure(client, cases):
    w = cases
    client.force_login(w.leader)
    response = client.get("/figures/")
    rows = response.context["rows"]
    assert [r["key"] for r in rows] == [d.key for d in DECLARED] and len(rows) == 20
    assert {r["key"] for r in rows if r["missing"]} == {d.key for d in DECLARED} - set(HANDLERS)
    grids = next(r for r in rows if r["key"] == "base_grids")
    assert grids["article"] == "基础网格 279 个" and grids["pairs"] == [("网格数", 2)]
    assert grids["records_url"] == "/geo/?level=grid"
    client.force_login(w.grid_a)
    assert client.get("/figures/").status_code == 403
