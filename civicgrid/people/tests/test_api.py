"""People API: creates with idempotency keys, error answers, filters."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.people.models import Household, Resident
from civicgrid.people.tests.conftest import ID_A
from civicgrid.people.tests.factories import bearer, ident, wrong_check_digit
from civicgrid.testing import make_user


@pytest.fixture
def api(world):
    return Client(headers=bearer(make_user("gw_a", "grid_worker", world.tree.grid_a)))


def _post(client, path, body, **headers):
    return client.post(f"/api/v1/people/{path}", body, content_type="application/json", headers=headers)


def test_create_resident_answers_201_masked(world, api):
    response = _post(api, "residents", {"household_id": world.household_a.pk, "name": "王芳", "id_number": ident(4),
                                        "phone": "13800001111", "relation": "spouse"})

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["gender"], body["id_number"], body["phone"]) == (
        "王芳", "F", ident(4)[0] + "*" * 16 + ident(4)[-1], "*******1111")
    assert body["region_code"] == world.tree.micro_a.code


def test_a_wrong_check_digit_answers_422_id_number_checksum(world, api):
    response = _post(api, "residents", {"household_id": world.household_a.pk, "name": "王芳",
                                        "id_number": wrong_check_digit(ident(4))})

    assert response.status_code == 422
    assert response.json() == {"code": "id_number_checksum", "message": "身份证号校验位错误,请核对后重新输入",
                               "details": None}
    assert Resident.objects.count() == 2


def test_a_registered_id_number_answers_409(world, api):
    response = _post(api, "residents", {"household_id": world.household_a.pk, "name": "王芳", "id_number": ID_A})

    assert (response.status_code, response.json()["code"]) == (409, "id_number_exists")


def test_creating_in_a_household_of_another_grid_answers_404(world, api):
    response = _post(api, "residents", {"household_id": world.household_b.pk, "name": "王芳", "id_number": ident(4)})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert Resident.objects.count() == 2


def test_the_same_idempotency_key_twice_creates_one_resident(world, api):
    body = {"household_id": world.household_a.pk, "name": "王芳", "id_number": ident(4)}

    first = _post(api, "residents", body, **{"Idempotency-Key": "k-1"})
    second = _post(api, "residents", body, **{"Idempotency-Key": "k-1"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert Resident.objects.filter(name="王芳").count() == 1


def test_create_household_with_an_idempotency_key(world, api):
    body = {"region_code": world.tree.micro_a.code, "number": "HA-0009", "building_code": world.building_a.code,
            "room": "1单元202"}

    first = _post(api, "households", body, **{"Idempotency-Key": "h-1"})
    second = _post(api, "households", body, **{"Idempotency-Key": "h-1"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["building_code"] == world.building_a.code
    assert Household.objects.filter(number="HA-0009").count() == 1


def test_create_household_in_another_grid_answers_404(world, api):
    response = _post(api, "households", {"region_code": world.tree.micro_b.code, "number": "HB-0009"})

    assert response.status_code == 404
    assert not Household.objects.filter(number="HB-0009").exists()


@pytest.mark.parametrize("query,expected", [
    ("q=张", ["张三"]), (f"id_number={ID_A}&reason=入户走访核实", ["张三"]),
    ("phone=13812341234&reason=入户走访核实", ["张三"]), ("phone=13900001111&reason=入户走访核实", []),
    ("region=211004002", []), ("tag=elderly_alone", []), (f"q={ID_A}", []), ("q=13812341234", []),
])
def test_resident_filters(world, api, query, expected):
    response = api.get(f"/api/v1/people/residents?{query}")

    assert [r["name"] for r in response.json()["items"]] == expected


def test_lists_are_paginated_with_count_items_next(world, api):
    for n in range(3):
        Resident.objects.create(region=world.tree.micro_a, household=world.household_a, name=f"成员{n}", gender="M")

    body = api.get("/api/v1/people/residents?limit=2").json()

    assert body["count"] == 4
    assert len(body["items"]) == 2
    assert body["next"] == "http://testserver/api/v1/people/residents?limit=2&offset=2"


def test_the_export_endpoint_answers_an_xlsx_for_an_admin(world):
    admin = make_user("ca_a", "community_admin", world.tree.community_a)

    response = Client(headers=bearer(admin)).get("/api/v1/people/export")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.content[:2] == b"PK"


def test_the_export_endpoint_refuses_a_grid_worker(world, api):
    assert api.get("/api/v1/people/export").status_code == 403


def test_a_synchronous_export_over_the_cap_points_to_the_background_run(world, monkeypatch):
    from civicgrid.people import api as people_api

    admin = make_user("ca_cap", "community_admin", world.tree.community_a)
    residents = Resident.objects.visible_to(admin, "people.export_people").filter(is_active=True).count()
    assert residents >= 1
    monkeypatch.setattr(people_api, "SYNC_MAX_ROWS", residents - 1)

    response = Client(headers=bearer(admin)).get("/api/v1/people/export")

    body = response.json()
    assert response.status_code == 422 and body["code"] == "export_too_large"
    assert body["details"] == {"rows": residents, "max_rows": residents - 1} and "/api/v1/reports/runs" in body["message"]
    monkeypatch.setattr(people_api, "SYNC_MAX_ROWS", residents)
    assert Client(headers=bearer(admin)).get("/api/v1/people/export").status_code == 200
