"""The zone demo and the figures registry: GET /api/v1/figures answers figures 1–9, 13 and 14 with the
article's values, each also asserted through the query code the pages use; the `officer` and `company`
logins have work. The demo (base, volunteers, zone) is built once per run for the package (conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases.models import Notification
from civicgrid.enterprises import queries
from civicgrid.enterprises.models import Enterprise, PrecheckReport, Qualification
from civicgrid.figures import registry

ARTICLE = {
    "base_grids": {"grids": 279},
    "micro_grid_workers": {"workers": 5684, "micro_grids": 5684},
    "volunteer_orders": {"orders": 235, "matched": 235},
    "volunteer_services": {"categories": 8},
    "high_tech_enterprises": {"enterprises": 41},
    "innovation_qualifications": {"national_innovative": 2, "torch_key_high_tech": 4, "postdoctoral_stations": 2},
    "patents": {"granted": 385, "valid_invention": 135, "city_share_percent": 39.8},
    "main_board_listed": {"enterprises": 4},
    "delegated_approvals": {"items": 83, "zone_departments": 8},
    "zone_area": {"initial_km2": 4.3, "current_km2": 31.04},
}


@pytest.fixture(scope="module")
def made(built_zone):
    return built_zone  # the district, its volunteers and the zone (conftest.py builds each stage once per run)


def user(name: str) -> User:
    return User.objects.get(username=name)


@pytest.mark.django_db
def test_figures_api_answers_the_article(made, client):
    client.force_login(user("leader"))
    response = client.get("/api/v1/figures")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == timezone.localdate().isoformat()
    numbers = [i["number"] for i in body["items"]]
    assert numbers == sorted(numbers) and {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14} <= set(numbers)  # later stages add more
    values = {i["key"]: i["values"] for i in body["items"]}
    for key, expected in ARTICLE.items():
        assert values[key] == expected, key
    assert 50000 <= values["donations_to_low_income"]["yuan"] < 60000
    orders = next(i for i in body["items"] if i["key"] == "volunteer_orders")
    assert orders["period"]["until"] == body["as_of"] and orders["period"]["since"] is not None
    assert all(set(i["values"]) == set(registry.BY_KEY[i["key"]].values) for i in body["items"])


@pytest.mark.django_db
def test_figures_need_the_leader_or_an_officer(made, client):
    client.force_login(user("officer"))
    assert client.get("/api/v1/figures").status_code == 200
    for name in ("resident", "company", "gridworker"):
        client.force_login(user(name))
        response = client.get("/api/v1/figures")
        assert response.status_code == 403 and response.json()["code"] == "forbidden"


@pytest.mark.django_db
def test_zone_figures_through_the_page_queries(made):
    leader = user("leader")
    today = timezone.localdate()
    assert queries.holders_on(leader, queries.HIGH_TECH, today) == 41
    assert queries.patent_figures(leader, today) == ARTICLE["patents"]
    assert queries.listed_on_main_board(leader) == 4
    assert queries.delegated_approvals() == ARTICLE["delegated_approvals"]
    assert {k: queries.zone_area()[k] for k in ("initial_km2", "current_km2")} == ARTICLE["zone_area"]
    counts = queries.zone_counts(leader, today)
    assert len(counts["by_park"]) == 7 and 540 <= counts["enterprises"] <= 600
    assert Enterprise.objects.count() == made["enterprises"] == 600
    assert dict((r["code"], r["count"]) for r in counts["by_qualification"])["high_tech_enterprise"] == 41


@pytest.mark.django_db
def test_officer_and_company_have_work(made):
    officer, company = user("officer"), user("company")
    today = timezone.localdate()
    expiring = list(queries.expiring_qualifications(officer, on=today))
    assert any(q.kind.code == queries.HIGH_TECH for q in expiring)
    assert all(today <= q.valid_until <= today + timedelta(days=90) for q in expiring)
    assert queries.missing_metrics(officer).exists()
    assert queries.candidates(officer, "high_tech_enterprise")
    assert PrecheckReport.objects.count() == made["precheck_reports"] > 0
    mine = queries.own_enterprises(company)
    assert len(mine) == 1
    held = Qualification.objects.valid_on(today).get(enterprise=mine[0], kind__code=queries.HIGH_TECH)
    assert held.valid_until <= today + timedelta(days=90)
    kinds = set(Notification.objects.filter(user__in=[officer, company]).values_list("kind", flat=True))
    assert "qualification_expiry" in kinds


@pytest.mark.django_db
def test_pages_on_the_demo(made, client):
    client.force_login(user("officer"))
    for path in ("/enterprises/zone/", "/enterprises/worklist/", "/enterprises/candidates/?tier=high_tech_enterprise",
                 "/enterprises/list/?qualification=high_tech_enterprise", "/figures/",
                 f"/enterprises/{made['company_enterprise']}/"):
        response = client.get(path)
        assert response.status_code == 200, path
    listed = client.get("/enterprises/list/?qualification=high_tech_enterprise").content.decode()
    assert "共 41 家" in listed
    client.force_login(user("company"))
    assert client.get("/enterprises/my/").status_code == 200
    assert client.get("/enterprises/approvals/").status_code == 200
