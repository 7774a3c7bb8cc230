"""/api/v1/relief/cases and /blockers count and slice in the database: a page presents only its own rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.investment import actions as investment_actions
from civicgrid.investment.tests.conftest import project_input
from civicgrid.relief import actions
from civicgrid.relief import api as relief_api
from civicgrid.relief.tests.conftest import submit

pytestmark = pytest.mark.django_db


def _page(client, monkeypatch, url, present_name):
    presented = []
    original = getattr(relief_api, present_name)
    monkeypatch.setattr(relief_api, present_name, lambda link: presented.append(link.pk) or original(link))
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url).json()
    return body, presented, [q["sql"] for q in captured.captured_queries]


def test_relief_cases_page_in_the_database(client, monkeypatch, rworld):
    w = rworld
    ids = [submit(w, description=f"外资资本金账户被冻结,增资款无法结汇({i})").pk for i in range(5)]
    client.force_login(w.dispatcher)
    everything = client.get("/api/v1/relief/cases?limit=50").json()
    assert everything["count"] == 5 and [r["id"] for r in everything["items"]] == sorted(ids, reverse=True)
    body, presented, sql = _page(client, monkeypatch, "/api/v1/relief/cases?limit=2&offset=1", "_relief")
    assert body["count"] == 5 and [r["id"] for r in body["items"]] == [r["id"] for r in everything["items"][1:3]]
    assert presented == [r["id"] for r in body["items"]]  # only the page's rows were presented
    assert "offset=3" in body["next"]
    assert any("LIMIT 2" in q and "OFFSET 1" in q and "relief" in q for q in sql), sql


def test_blockers_page_in_the_database(client, monkeypatch, rworld):
    w = rworld
    project = investment_actions.register_project(actor=w.officer_a, data=project_input(w.ent_a, 1))
    for i in range(4):
        actions.raise_blocker(actor=w.contact_a, data=actions.BlockerInput(
            project_id=project.pk, category_code="8106", description=f"施工用电迟迟未接入({i})"))
    client.force_login(w.officer_zone)
    body, presented, sql = _page(client, monkeypatch, "/api/v1/relief/blockers?limit=3&offset=2", "_blocker")
    assert body["count"] == 4 and len(body["items"]) == 2 and body["next"] is None
    assert presented == [b["id"] for b in body["items"]]
    assert any("LIMIT 3" in q and "OFFSET 2" in q for q in sql), sql
    past = client.get("/api/v1/relief/blockers?limit=3&offset=10").json()
    assert past == {"count": 4, "items": [], "next": None}  # past the end: counted in the database
