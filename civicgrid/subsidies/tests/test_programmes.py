"""Programme versions as data, and the insurance-year records, through the API."""

import pytest

from civicgrid.subsidies import actions
from civicgrid.subsidies.models import Candidate, InsuranceYear
from civicgrid.subsidies.tests.conftest import add_enterprise, insure

URL = "/api/v1/subsidies/programmes/job_stabilisation_refund/versions"


def test_a_new_version_changes_new_candidates_only(client, sworld):
    w = sworld
    e = add_enterprise(w, 11)
    insure(w, e, contributions="10000.00")
    actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    first = Candidate.objects.get()
    actions.approve_candidate(actor=w.rsj_officer, candidate_id=first.pk, paid_on=None)
    current = client
    current.force_login(w.admin)
    detail = current.get("/api/v1/subsidies/programmes/job_stabilisation_refund").json()
    rules, formula = detail["rules"], detail["formula"]
    formula["expr"]["mul"][1]["then"] = 0.9  # the 2022-style SME rate
    bad = current.post(URL, {"rules": {**rules, "criteria": []}, "formula": formula, "effective_from": "2026-01-01"},
                       content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "ruleset_invalid")
    bad = current.post(URL, {"rules": rules, "formula": {"expr": {"pow": [1, 2]}}, "effective_from": "2026-01-01"},
                       content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "formula_invalid")
    bad = current.post(URL, {"rules": None, "formula": formula, "effective_from": "2026-01-01"},
                       content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "programme_rules_required")
    ok = current.post(URL, {"rules": rules, "formula": formula, "effective_from": "2026-01-01", "note": "提高比例"},
                      content_type="application/json")
    assert ok.status_code == 201 and ok.json()["version"] == 2
    e2 = add_enterprise(w, 12)
    insure(w, e2, contributions="10000.00")
    actions.compute_candidates(actor=w.rsj_officer, programme=w.refund, year=2025)
    assert {(c.enterprise_id, c.version.version, str(c.amount)) for c in Candidate.objects.all()} == {
        (e.pk, 1, "6000.00"), (e2.pk, 2, "9000.00")}
    current.force_login(w.rsj_officer)  # an officer may not publish
    assert current.post(URL, {"rules": rules, "formula": formula, "effective_from": "2026-01-01"},
                        content_type="application/json").status_code == 403


@pytest.mark.parametrize("change, code", [({"department": "NOPE"}, "department_unknown"),
                                          ({"uscc": "91211004MA0QX0X00Q"}, "enterprise_unknown"),
                                          ({"year": 1999}, "year_invalid"), ({"department": "GX-KC"}, "not_found")])
def test_insurance_year_bad_input(client, sworld, change, code):
    client.force_login(sworld.rsj_officer)
    body = {"department": "RSJ", "uscc": sworld.ent_a.uscc, "year": 2025, "paid_months": 12,
            "contributions": "12000.00", "insured_start": 40, "insured_end": 38, **change}
    response = client.put("/api/v1/subsidies/insurance-years", body, content_type="application/json")
    assert response.json()["code"] == code and not InsuranceYear.objects.exists()


def test_insurance_year_recorded_and_corrected(client, sworld):
    client.force_login(sworld.rsj_officer)
    body = {"department": "RSJ", "uscc": sworld.ent_a.uscc, "year": 2025, "paid_months": 12,
            "contributions": "12000.00", "insured_start": 40, "insured_end": 38}
    assert client.put("/api/v1/subsidies/insurance-years", body, content_type="application/json").json()[
        "layoff_rate"] == 5.0
    again = client.put("/api/v1/subsidies/insurance-years", {**body, "insured_end": 40},
                       content_type="application/json").json()
    assert again["layoff_rate"] == 0.0 and InsuranceYear.objects.count() == 1


def test_a_contact_learns_nothing_about_credit_codes(client, sworld):
    client.force_login(sworld.contact_a)
    answers = set()
    for code in (sworld.ent_b.uscc, "91211004MA0QX0X00Q"):
        response = client.put("/api/v1/subsidies/insurance-years", {
            "department": "RSJ", "uscc": code, "year": 2025, "paid_months": 12, "contributions": "1.00",
            "insured_start": 1, "insured_end": 1}, content_type="application/json")
        answers.add((response.status_code, response.json()["code"]))
    assert answers == {(403, "forbidden")} and not InsuranceYear.objects.exists()
