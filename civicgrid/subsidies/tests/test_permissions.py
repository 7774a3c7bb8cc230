"""The permission matrix, UI and API: an enterprise contact never sees another enterprise's subsidies; the
paying department's officer acts, others are 403 or 404; a denied call changes nothing."""

import pytest

from civicgrid.enterprises.models import Enterprise
from civicgrid.subsidies import actions
from civicgrid.subsidies.models import Candidate, Disbursement
from civicgrid.subsidies.tests.conftest import PAID_ON, insure, pay_enterprise, pay_person


@pytest.fixture
def paid(sworld):
    w = sworld
    w.d_a = pay_enterprise(w, w.ent_a, amount="6000.00")
    w.d_b = pay_enterprise(w, w.ent_b, amount="9000.00")
    w.d_person = pay_person(w, 11)
    Enterprise.objects.filter(pk=w.ent_a.pk).update(size_class="small")
    insure(w, w.ent_a, start=100, end=100)
    actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    w.cand_a = Candidate.objects.get(enterprise=w.ent_a)
    return w


def _ids(response):
    assert response.status_code == 200, response.content
    return sorted(item["id"] for item in response.json()["items"])


def test_contact_sees_only_own_enterprise_api(client, paid):
    w = paid
    client.force_login(w.contact_a)
    assert _ids(client.get("/api/v1/subsidies/disbursements")) == [w.d_a.pk]
    assert client.get(f"/api/v1/subsidies/disbursements/{w.d_a.pk}").status_code == 200
    for other in (w.d_b.pk, w.d_person.pk):
        assert client.get(f"/api/v1/subsidies/disbursements/{other}").status_code == 404
    assert client.get(f"/api/v1/subsidies/disbursements?enterprise={w.ent_b.pk}").json()["count"] == 0
    mine = client.get("/api/v1/subsidies/my").json()
    assert [(m["enterprise_id"], m["total"], [i["id"] for i in m["items"]]) for m in mine] == [
        (w.ent_a.pk, "6000.00", [w.d_a.pk])]
    assert client.get(f"/api/v1/subsidies/candidates/{w.cand_a.pk}").status_code == 404  # not even their own
    assert client.get("/api/v1/subsidies/candidates").json()["count"] == 0
    totals = client.get("/api/v1/subsidies/totals").json()["items"]
    assert [(t["code"], t["recipients"], t["yuan"]) for t in totals] == [("job_stabilisation_refund", 1, "6000.00")]


def test_contact_sees_only_own_enterprise_ui(client, paid):
    w = paid
    client.force_login(w.contact_b)
    page = client.get("/subsidies/my/")
    text = page.content.decode()
    assert page.status_code == 200 and w.ent_b.name in text and "9,000.00" in text
    assert w.ent_a.name not in text and "6,000.00" not in text
    assert client.get(f"/subsidies/disbursements/{w.d_b.pk}/").status_code == 200
    assert client.get(f"/subsidies/disbursements/{w.d_a.pk}/").status_code == 404
    assert client.get(f"/subsidies/disbursements/{w.d_person.pk}/").status_code == 404
    assert client.get(f"/subsidies/candidate/{w.cand_a.pk}/").status_code == 404
    assert client.get("/subsidies/").url == "/subsidies/my/"


@pytest.mark.parametrize("who, status", [("officer_b", 404), ("leader", 403), ("contact_a", 404), ("resident", 404),
                                         ("kc_officer", 404)])
def test_approving_is_the_paying_department_only(client, paid, who, status):
    w = paid
    client.force_login(getattr(w, who))
    response = client.post(f"/api/v1/subsidies/candidates/{w.cand_a.pk}/transitions", {"action": "approve"},
                           content_type="application/json")
    assert response.status_code == status
    page = client.post(f"/subsidies/candidate/{w.cand_a.pk}/review/", {"action": "approve"})
    assert page.status_code == status
    w.cand_a.refresh_from_db()
    assert w.cand_a.status == "pending" and not Disbursement.objects.filter(candidate=w.cand_a).exists()


def test_officer_reach(client, paid):
    w = paid
    client.force_login(w.officer_b)  # park B's office: its enterprise's payments, nothing of the 人社局's list
    assert _ids(client.get("/api/v1/subsidies/disbursements")) == [w.d_b.pk]
    assert client.get("/api/v1/subsidies/candidates").json()["count"] == 0
    client.force_login(w.leader)  # the district: everything, read only
    assert _ids(client.get("/api/v1/subsidies/disbursements")) == sorted([w.d_a.pk, w.d_b.pk, w.d_person.pk])
    assert client.get("/api/v1/subsidies/candidates").json()["count"] == 1
    response = client.post("/api/v1/subsidies/disbursements", {"programme": "unemployment_insurance", "amount": "1",
                           "currency": "CNY", "paid_on": str(PAID_ON), "name": "张三", "id_number": "x"},
                           content_type="application/json")
    assert response.status_code == 403 and Disbursement.objects.count() == 3
    client.force_login(w.rsj_officer)
    assert client.get("/api/v1/subsidies/candidates").json()["count"] == 1
    approved = client.post(f"/api/v1/subsidies/candidates/{w.cand_a.pk}/transitions",
                           {"action": "approve", "paid_on": str(PAID_ON)}, content_type="application/json").json()
    assert approved["created"] is True and approved["candidate"]["status"] == "approved"


def test_officer_pages_render(client, paid):
    client.force_login(paid.rsj_officer)
    for url in ("/subsidies/worklist/", "/subsidies/candidates/job_stabilisation_refund/?year=2025",
                f"/subsidies/candidate/{paid.cand_a.pk}/", "/subsidies/batches/", "/subsidies/disbursements/",
                f"/subsidies/disbursements/{paid.d_person.pk}/", "/subsidies/totals/",
                "/subsidies/disbursements/?batch=99&since=2026-01-01", "/subsidies/disbursements/?batch=x"):
        assert client.get(url).status_code == 200, url
    assert client.get("/subsidies/candidates/unemployment_insurance/").status_code == 404
    client.force_login(paid.resident)
    assert client.get("/subsidies/worklist/").status_code == 403
    assert client.get("/api/v1/subsidies/disbursements").status_code == 200  # nothing in reach
    assert client.get("/api/v1/subsidies/disbursements").json()["count"] == 0
