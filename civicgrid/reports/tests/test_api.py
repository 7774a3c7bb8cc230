"""/api/v1/reports: a list export through the API is the same background run as the page's — asked for,
polled, fetched by its requester only, refused with a code when it is bad or too large."""

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.accounts.actions import issue_token
from civicgrid.cases import actions as case_actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.tests.conftest import POINT_A, world  # noqa: F401 (the fixture)
from civicgrid.reports import actions
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user=user)[0]}"})


def submit(w, title):
    return case_actions.submit_case(actor=w.dispatcher, data=IntakeInput(
        description="楼道堆物", title=title, channel="hotline", category_code="3001", **POINT_A)).case


def test_a_case_export_through_the_api(world):  # noqa: F811
    w = world
    wanted = submit(w, "要导出的案件")
    submit(w, "别的案件")
    client = api(w.dispatcher)

    asked = client.post("/api/v1/reports/runs", {"kind": "case_export", "params": {"tab": "all", "q": wanted.number}},
                        content_type="application/json")
    body = asked.json()
    assert asked.status_code == 202 and (body["status"], body["progress"], body["file_url"]) == ("queued", 0, None)
    run_url = f"/api/v1/reports/runs/{body['id']}"
    assert client.get(f"{run_url}/file").json()["code"] == "run_not_ready"
    actions.run_report(run_id=body["id"])
    done = client.get(run_url).json()
    assert (done["status"], done["progress"], done["rows"]) == ("done", 100, 1)
    response = client.get(done["file_url"])
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [wanted.number]
    assert [r["id"] for r in client.get("/api/v1/reports/runs").json()] == [body["id"]]

    other = api(make_user("disp_other", "dispatcher", w.tree.district))
    assert other.get(run_url).status_code == 404 and other.get(f"{run_url}/file").status_code == 404
    assert other.get("/api/v1/reports/runs").json() == []


def test_bad_asks_are_refused_with_a_code(world, monkeypatch):  # noqa: F811
    from civicgrid.cases import export

    w = world
    submit(w, "一")
    submit(w, "二")
    client = api(w.dispatcher)

    def ask(kind, **params):
        response = client.post("/api/v1/reports/runs", {"kind": kind, "params": params}, content_type="application/json")
        return response.status_code, response.json()["code"]

    assert ask("nope") == (404, "not_found")
    assert ask("case_export", q="a\x00b")[0] == 422  # no NUL reaches the database
    assert ask("monthly", month="2026-13", region=w.tree.district.code) == (422, "month_invalid")
    monkeypatch.setattr(export, "MAX_ROWS", 1)
    assert ask("case_export", tab="all") == (422, "export_too_large")
    assert api(w.resident).post("/api/v1/reports/runs", {"kind": "case_export"},
                                content_type="application/json").status_code == 403
