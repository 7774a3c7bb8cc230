"""The investment API (/api/v1/investment): the list shape and scope, 404 outside reach, 403 for the
leader's writes, bad input with its 422 codes and nothing written, Idempotency-Key on creates, stage and
review transitions, the year-on-year summary with "no base"."""

from datetime import date

import pytest

from civicgrid.investment import actions
from civicgrid.investment.models import FundsInPlace, InvestmentReport, Lead, Project
from civicgrid.investment.tests.conftest import code

pytestmark = pytest.mark.django_db

API = "/api/v1/investment"


def call(client, user, method, path, body=None, **headers):
    client.force_login(user)
    if method == "get":
        return client.get(API + path, body or {})
    return getattr(client, method)(API + path, body or {}, content_type="application/json", headers=headers)


def state():
    return (list(Project.objects.values_list("code", "stage")), list(InvestmentReport.objects.values_list(
        "month", "amount", "status")), Lead.objects.count(), FundsInPlace.objects.count())


def test_list_is_scoped_and_in_the_house_shape(client, iworld):
    w = iworld
    body = call(client, w.officer_a, "get", "/projects").json()
    assert set(body) == {"count", "items", "next"} and body["count"] == 1
    assert body["items"][0]["code"] == w.project_a.code
    assert call(client, w.officer_zone, "get", "/projects").json()["count"] == 2
    assert [p["code"] for p in call(client, w.contact_b, "get", "/projects").json()["items"]] == [w.project_b.code]
    assert call(client, w.resident, "get", "/projects").json()["count"] == 0
    assert call(client, w.contact_a, "get", "/leads").json()["count"] == 0


@pytest.mark.parametrize("who", ["officer_b", "contact_b", "resident"])
def test_outside_reach_is_404_everywhere_and_changes_nothing(client, iworld, who):
    w = iworld
    user = getattr(w, who)
    pk = w.project_a.pk
    report = actions.submit_report(actor=w.contact_a, project_id=pk, month=date(2026, 6, 1), amount_yuan="5")
    before = state()
    for method, path, body in [
        ("get", f"/projects/{pk}", None),
        ("get", f"/projects/{pk}/milestones", None),
        ("get", f"/projects/{pk}/reports", None),
        ("get", f"/projects/{pk}/approvals", None),
        ("post", f"/projects/{pk}/transitions", {"stage": "approved", "happened_on": "2026-02-01"}),
        ("post", f"/projects/{pk}/reports", {"month": "2026-05", "amount": "1"}),
        ("post", f"/reports/{report.pk}/transitions", {"action": "accept"}),
    ]:
        response = call(client, user, method, path, body)
        assert response.status_code == 404, (path, response.content)
        assert response.json()["code"] == "not_found"
    assert state() == before


def test_leader_reads_and_may_not_write(client, iworld):
    w = iworld
    pk = w.project_a.pk
    assert call(client, w.leader, "get", f"/projects/{pk}").json()["code"] == w.project_a.code
    before = state()
    assert call(client, w.leader, "post", f"/projects/{pk}/transitions",
                {"stage": "approved", "happened_on": "2026-02-01"}).status_code == 403
    assert call(client, w.leader, "post", f"/projects/{pk}/reports", {"month": "2026-05", "amount": "1"}).status_code == 403
    assert state() == before


def test_register_with_idempotency_key_and_bad_code(client, iworld):
    w = iworld
    body = {"code": code(8), "name": "接口项目", "enterprise_id": w.ent_a.pk, "total_investment": "3000000000",
            "currency": "CNY", "signed_on": "2026-02-01", "is_key": True, "key_level": "province"}
    first = call(client, w.officer_a, "post", "/projects", body, **{"Idempotency-Key": "k1"})
    again = call(client, w.officer_a, "post", "/projects", body, **{"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Project.objects.count() == 3
    assert [r["code"] for r in call(client, w.leader, "get", "/board").json()] == [code(8)]
    before = state()
    for extra, expected in [({"code": "2026-211004-26-03-X"}, "project_code_invalid"),
                            ({"code": code(9), "currency": None}, "currency_required"),
                            ({"code": code(9), "total_investment": None}, "project_investment_invalid")]:
        response = call(client, w.officer_a, "post", "/projects", {**body, **extra})
        assert response.status_code == 422 and response.json()["code"] == expected, response.content
        assert response.json()["message"]
    assert state() == before


def test_transitions_reports_and_review(client, iworld):
    w = iworld
    pk = w.project_a.pk
    response = call(client, w.officer_a, "post", f"/projects/{pk}/transitions",
                    {"stage": "started", "happened_on": "2026-02-01"})
    assert response.status_code == 422 and response.json()["code"] == "stage_not_next"
    response = call(client, w.officer_a, "post", f"/projects/{pk}/transitions",
                    {"stage": "approved", "happened_on": "2026-02-01"})
    assert response.status_code == 200 and response.json()["stage"] == "approved"
    report = call(client, w.contact_a, "post", f"/projects/{pk}/reports", {"month": "2026-06", "amount": "1200.50"})
    assert report.status_code == 201 and report.json()["month"] == "2026-06"
    assert report.json()["cumulative"] == "1200.50"
    before = state()
    for body, expected in [({"month": "2026-08", "amount": "1"}, "report_month_future"),
                           ({"month": "2026-07", "amount": "1", "cumulative": "100"}, "report_cumulative_falls")]:
        response = call(client, w.contact_a, "post", f"/projects/{pk}/reports", body)
        assert response.status_code == 422 and response.json()["code"] == expected
    assert state() == before
    rid = report.json()["id"]
    assert call(client, w.officer_gj, "get", "/reports/review").json()["count"] == 0
    assert call(client, w.officer_tc, "get", "/reports/review").json()["count"] == 1
    response = call(client, w.officer_gj, "post", f"/reports/{rid}/transitions", {"action": "accept"})
    assert response.status_code == 403 and response.json()["code"] == "report_not_your_department"
    response = call(client, w.officer_tc, "post", f"/reports/{rid}/transitions", {"action": "accept"})
    assert response.status_code == 200 and response.json()["status"] == "accepted"


def test_leads_funds_and_growth(client, iworld):
    w = iworld
    lead = call(client, w.officer_tc, "post", "/leads", {
        "name": "芳烃下游项目", "investor": "某化工集团", "source": "chain", "industry_code": "C2614",
        "amount": "500000000", "currency": "CNY", "found_on": "2025-01-05"}).json()
    for stage, on in (("negotiating", "2025-02-01"), ("signed", "2025-03-01")):
        assert call(client, w.officer_tc, "post", f"/leads/{lead['id']}/transitions",
                    {"stage": stage, "on": on}).status_code == 200
    funds = {"origin": "domestic", "amount": "1000", "currency": "CNY", "received_on": "2025-03-01",
             "lead_id": lead["id"]}
    response = call(client, w.officer_tc, "post", "/funds", {**funds, "received_on": "2025-02-28"})
    assert response.status_code == 422 and response.json()["code"] == "funds_before_signing"
    response = call(client, w.officer_tc, "post", "/funds", {**funds, "currency": None})
    assert response.status_code == 422 and response.json()["code"] == "currency_required"
    assert FundsInPlace.objects.count() == 0
    assert call(client, w.officer_tc, "post", "/funds", funds).status_code == 201
    growth = call(client, w.leader, "get", "/funds/growth", {"since": "2025-01-01", "until": "2025-06-30"}).json()
    assert (growth["yuan"], growth["base_yuan"], growth["yoy_percent"], growth["reason"]) == (
        "1000.00", "0.00", None, "no_base")
    assert call(client, w.officer_tc, "post", "/funds", {**funds, "received_on": "2026-03-01",
                                                        "amount": "1371.3"}).status_code == 201
    growth = call(client, w.leader, "get", "/funds/growth", {"since": "2026-01-01", "until": "2026-06-30"}).json()
    assert (growth["yuan"], growth["base_yuan"], growth["yoy_percent"], growth["base_since"]) == (
        "1371.30", "1000.00", "37.13", "2025-01-01")
    chart = call(client, w.leader, "get", "/funds/chart", {"year": 2026}).json()
    assert chart["series"][0]["data"][2] == 1371.3 and chart["last_year"][2] == 1000.0
    assert chart["by_source"] == [{"source": "chain", "name": "产业链招商", "yuan": 1371.3}]
    assert call(client, w.contact_a, "get", "/funds").json()["count"] == 0
