"""The relief pages and API: the scope matrix (an enterprise contact sees only their own enterprise's cases,
on pages and in the API; out of reach is 404 and a denied write changes nothing), the phone intake, the
triage form with co-handler tasks, a step recorded for an external department through the transitions API,
bad input with its codes, the KPIs, figure 18, the enterprise panel and a project's open blockers."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from civicgrid.cases.models import Case, CaseDepartment
from civicgrid.core import clock
from civicgrid.relief import actions, queries
from civicgrid.relief.figures import relief_case
from civicgrid.relief.models import Blocker, Outcome, ReliefCase
from civicgrid.relief.tests.conftest import TASKS, submit

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _monday():
    with clock.at(MONDAY_10):
        yield


def api(client, user, method, path, body=None, **headers):
    client.force_login(user)
    if method == "get":
        return client.get("/api/v1" + path, body or {})
    return client.post("/api/v1" + path, body or {}, content_type="application/json", headers=headers)


def transition(client, user, case, action, **facts):
    return api(client, user, "post", f"/cases/{case.pk}/transitions", {"action": action, "facts": facts})


def test_scope_matrix_pages_and_api(client, rworld):
    w = rworld
    relief = submit(w)
    other = submit(w, actor=w.contact_b, enterprise_id=w.ent_b.pk)
    for user, status in ((w.contact_a, 200), (w.officer_zone, 200), (w.leader, 200), (w.dispatcher, 200),
                         (w.contact_b, 404), (w.officer_b, 404), (w.gov_handler, 404)):
        client.force_login(user)
        assert client.get(f"/relief/{relief.pk}/").status_code == status, user
        assert api(client, user, "get", f"/relief/cases/{relief.pk}").status_code == status, user
    client.force_login(w.resident)  # no relief role at all: the page is 403, the record 404
    assert client.get(f"/relief/{relief.pk}/").status_code == 403
    assert api(client, w.resident, "get", f"/relief/cases/{relief.pk}").status_code == 404
    listed = api(client, w.contact_a, "get", "/relief/cases").json()
    assert set(listed) == {"count", "items", "next"} and [i["id"] for i in listed["items"]] == [relief.pk]
    assert api(client, w.contact_b, "get", "/relief/cases").json()["count"] == 1
    assert api(client, w.officer_zone, "get", "/relief/cases").json()["count"] == 2
    # a contact cannot file for another enterprise, nor act on its case: 404, nothing changes
    before = (Case.objects.count(), Case.objects.get(pk=other.case_id).event_count)
    assert api(client, w.contact_a, "post", "/relief/cases", {"enterprise_id": w.ent_b.pk, "category": "8001",
                                                              "description": "x"}).status_code == 404
    assert transition(client, w.contact_a, other.case, "rate", satisfaction=5, method="online").status_code == 404
    assert (Case.objects.count(), Case.objects.get(pk=other.case_id).event_count) == before


def test_phone_intake_by_the_contact(client, rworld):
    w = rworld
    client.force_login(w.contact_a)
    form = client.get("/relief/new/")
    assert form.status_code == 200 and "向高新区反映困难" in form.content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.content.decode()).group(1)
    body = {"enterprise": str(w.ent_a.pk), "category": "8007", "description": "资本金账户被冻结",
            "reporter_phone": "13800000000", "idempotency_key": key}
    response = client.post("/relief/new/", body)
    relief = ReliefCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/relief/{relief.pk}/"
    assert client.post("/relief/new/", body).status_code == 302  # a retried post: the same case
    assert ReliefCase.objects.count() == 1
    bad = client.post("/relief/new/", {**body, "category": "9999", "idempotency_key": "k2"})
    assert bad.status_code == 422 and ReliefCase.objects.count() == 1
    detail = client.get(f"/relief/{relief.pk}/").content.decode()
    assert "待分派主办单位" in detail and "资本金账户被冻结" in detail
    assert client.get("/relief/mine/").status_code == 200
    assert client.get("/relief/").status_code == 302  # a contact lands on their own list


def test_triage_page_gives_each_co_handler_a_task_and_deadline(client, rworld):
    w = rworld
    relief = submit(w)
    client.force_login(w.officer_zone)
    page = client.get(f"/relief/{relief.pk}/").content.decode()
    assert 'data-action="assign"' in page and "协办单位与任务" in page
    response = client.post(f"/relief/{relief.pk}/act/assign/", {
        "expected_event_count": relief.case.event_count, "department": "GX-TC",
        "co_1": "SSWJ", "task_1": "协调解除资本金账户限制", "due_1": "2026-12-09",
        "co_2": "BANK-ICBC", "task_2": "办理结汇", "co_3": "", "task_3": "", "co_4": "", "task_4": ""})
    assert response.status_code == 302
    client.force_login(w.officer_tc)
    page = client.get(f"/relief/{relief.pk}/").content.decode()
    assert "须于 12月7日(周一)11:00前联系企业" in page
    assert "须于 12月9日(周三)17:30前反馈" in page and "须于 12月10日(周四)10:00前反馈" in page
    # a co-handler row without its task is refused, and nothing is written
    relief2 = submit(w, description="另一件")
    client.force_login(w.officer_zone)
    response = client.post(f"/relief/{relief2.pk}/act/assign/", {
        "expected_event_count": relief2.case.event_count, "department": "GX-TC", "co_1": "SSWJ", "task_1": ""})
    assert response.status_code == 422 and Case.objects.get(pk=relief2.case_id).state == "received"


def test_external_step_through_the_transitions_api(client, rworld):
    w = rworld
    case = submit(w, is_tailored=True).case
    assert transition(client, w.officer_zone, case, "assign", department="GX-TC", tasks=TASKS).status_code == 200
    assert transition(client, w.officer_tc, case, "contact", comment="已联系").status_code == 200
    assert transition(client, w.officer_tc, case, "submit_plan", comment="方案").status_code == 200
    refused = transition(client, w.gov_handler, case, "co_feedback", comment="x", on_behalf_of="SSWJ")
    assert refused.status_code == 403 and refused.json()["code"] == "external_record_not_allowed"
    done = transition(client, w.officer_tc, case, "co_feedback", comment="账户已解除限制", on_behalf_of="SSWJ")
    assert done.status_code == 200
    assert CaseDepartment.objects.get(case=case, department=w.city).done_by == w.officer_tc
    detail = api(client, w.contact_a, "get", f"/relief/cases/{case.relief.pk}").json()
    assert [t["status"] for t in detail["tasks"]] == ["done", "pending", "pending"]
    assert detail["deadlines"][0]["status"] == "done"


def test_outcome_api_bad_input_and_success(client, rworld):
    w = rworld
    case = submit(w).case
    for action, facts in (("assign", {"department": "GX-TC"}), ("contact", {"comment": "x"}),
                          ("submit_plan", {"comment": "x"})):
        assert transition(client, w.officer_zone if action == "assign" else w.officer_tc, case, action,
                          **facts).status_code == 200
    path = f"/relief/cases/{case.relief.pk}/outcomes"
    missing = api(client, w.officer_tc, "post", path, {"kind": "capital_increase", "amount": "7200000"})
    assert missing.status_code == 422 and missing.json()["code"] == "currency_required"
    assert api(client, w.contact_a, "post", path, {"kind": "loan", "amount": "10", "currency": "CNY"}).status_code == 403
    assert api(client, w.contact_b, "post", path, {"kind": "loan", "amount": "10", "currency": "CNY"}).status_code == 404
    assert Outcome.objects.count() == 0
    made = api(client, w.officer_tc, "post", path, {"kind": "capital_increase", "amount": "7200000", "currency": "USD"})
    assert made.status_code == 201 and made.json()["text"] == "增资 7,200,000.00 美元"
    unknown = api(client, w.officer_zone, "post", "/relief/cases", {"enterprise_id": w.ent_a.pk, "category": "8099",
                                                                  "description": "x"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "category_unknown"


def test_kpis_are_the_case_engines_for_relief_cases(client, rworld):
    w = rworld
    case = submit(w).case
    transition(client, w.officer_zone, case, "assign", department="GX-TC")
    transition(client, w.officer_tc, case, "contact", comment="已联系")
    figures = api(client, w.leader, "get", "/relief/kpis").json()
    assert figures["case_type"] == "enterprise_relief"
    assert figures["response_rate"] == 1.0 and figures["counts"]["created"] == 1
    assert api(client, w.contact_a, "get", "/relief/kpis").status_code == 403
    assert api(client, w.leader, "get", "/relief/kpis", {"case_type": "dispute"}).json()["code"] == "case_type_invalid"
    client.force_login(w.leader)  # the zone overview shows the same figures
    zone = client.get("/enterprises/zone/").content.decode()
    assert 'data-kpi="response_rate">100%' in zone and "助企纾困(今年)" in zone


def _closed_tailored(w, *, tailored=True):
    case = submit(w, is_tailored=True).case
    assert case.relief.is_tailored is False  # the enterprise cannot flag its own request 一企一策
    if tailored:
        actions.set_tailored(actor=w.officer_zone, relief_id=case.relief.pk)
    from civicgrid.cases.actions import transition_case

    def go(actor, action, **facts):
        return transition_case(actor=actor, case_id=case.pk, action=action, facts=facts)

    go(w.officer_zone, "assign", department="GX-TC", tasks=TASKS[:1])
    go(w.officer_tc, "contact", comment="x")
    go(w.officer_tc, "submit_plan", comment="x")
    go(w.officer_tc, "co_feedback", comment="x", on_behalf_of="SSWJ")
    for kind, amount, currency in (("capital_increase", "7200000", "USD"), ("funds_introduced", "100000000", "CNY"),
                                   ("loan", "5000000", "CNY")):
        actions.record_outcome(actor=w.officer_tc, relief_id=case.relief.pk,
                               data=actions.OutcomeInput(kind=kind, amount=amount, currency=currency))
    go(w.officer_tc, "conclude", comment="x")
    go(w.contact_a, "rate", satisfaction=5, method="online")
    return case


def test_figure_18_sums_the_closed_tailored_cases_outcomes(rworld):
    w = rworld
    assert relief_case(date(2026, 12, 31)).values == {"capital_increase_usd": 0.0, "project_funds_yuan": 0.0}
    _closed_tailored(w)
    _closed_tailored(w, tailored=False)  # not 一企一策: not counted
    figure = relief_case(date(2026, 12, 31))
    assert figure.values == {"capital_increase_usd": 7200000.0, "project_funds_yuan": 100000000.0}
    assert relief_case(date(2027, 6, 30)).values["capital_increase_usd"] == 0.0  # another year
    panel = queries.enterprise_panel(w.contact_a, w.ent_a)
    assert len(panel["reliefs"]) == 2
    assert {(t["kind"], t["currency"], t["amount"]) for t in panel["totals"]} == {
        ("capital_increase", "USD", Decimal("14400000.00")), ("funds_introduced", "CNY", Decimal("200000000.00")),
        ("loan", "CNY", Decimal("10000000.00"))}
    assert queries.enterprise_panel(w.contact_b, w.ent_a)["reliefs"] == []


def test_blockers_on_a_project(client, rworld):
    from civicgrid.investment import actions as iactions
    from civicgrid.investment.tests.conftest import project_input

    w = rworld
    project = iactions.register_project(actor=w.officer_a, data=project_input(w.ent_a, 1))
    blocker, created = actions.raise_blocker(actor=w.contact_a, data=actions.BlockerInput(
        project_id=project.pk, category_code="8106", description="施工用电迟迟未接入"))
    assert created and blocker.enterprise == w.ent_a and blocker.case.case_type == "project_blocker"
    assert [b.pk for b in queries.open_blockers(w.officer_zone, project)] == [blocker.pk]
    assert queries.open_blockers(w.contact_b, project) == []
    case = blocker.case
    assert transition(client, w.officer_zone, case, "assign", department="GX-TC",
                      tasks=[{"department": "BANK-ICBC", "task": "项目贷款"}]).status_code == 200
    no_deadline = transition(client, w.officer_tc, case, "plan", comment="协调供电公司")
    assert no_deadline.status_code == 422 and no_deadline.json()["code"] == "missing_fields"
    assert transition(client, w.officer_tc, case, "plan", comment="协调供电公司", deadline="2026-12-18").status_code == 200
    assert Case.objects.get(pk=case.pk).due_at == datetime(2026, 12, 18, 17, 30, tzinfo=TZ)
    client.force_login(w.contact_a)
    assert client.get(f"/relief/blockers/{blocker.pk}/").status_code == 200
    client.force_login(w.contact_b)
    assert client.get(f"/relief/blockers/{blocker.pk}/").status_code == 404
    assert api(client, w.contact_b, "get", f"/relief/blockers/{blocker.pk}").status_code == 404
    assert Blocker.objects.count() == 1


def test_only_the_desk_flags_a_case_tailored(client, rworld):
    w = rworld
    relief = submit(w)
    client.force_login(w.contact_a)
    assert client.post(f"/relief/{relief.pk}/tailored/", {"tailored": "1"}).status_code == 403
    client.force_login(w.contact_b)
    assert client.post(f"/relief/{relief.pk}/tailored/", {"tailored": "1"}).status_code == 404
    assert ReliefCase.objects.get(pk=relief.pk).is_tailored is False
    client.force_login(w.officer_zone)
    assert client.post(f"/relief/{relief.pk}/tailored/", {"tailored": "1"}).status_code == 302
    assert ReliefCase.objects.get(pk=relief.pk).is_tailored is True


def test_api_intake_retry_with_the_same_key_returns_the_first_case(client, rworld):
    w = rworld
    body = {"enterprise_id": w.ent_a.pk, "category": "8003", "description": "缺操作工40人"}
    first = api(client, w.contact_a, "post", "/relief/cases", body, **{"Idempotency-Key": "k-1"})
    again = api(client, w.contact_a, "post", "/relief/cases", body, **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    other = api(client, w.contact_a, "post", "/relief/cases", {**body, "description": "另一件"},
                **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert ReliefCase.objects.count() == 1 and first.json()["state"] == "received"
