"""The permission matrix for Building, Household and Resident: anonymous / no permission / the right
role in another region / the right role in the same region, through visible_to, actions, the API and
the pages. A denied call changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.people import actions
from civicgrid.people.models import Building, Household, Resident
from civicgrid.people.tests.factories import bearer
from civicgrid.testing import make_matrix, make_user

VIEWERS = ["anonymous", "no_permission", "other_region", "same_region"]


@pytest.fixture
def matrix(world):
    return make_matrix(world.tree, "grid_worker", "grid")


def _pair(world, name):
    """(the object in region A, its twin in region B)."""
    return {"building": (world.building_a, world.building_b), "household": (world.household_a, world.household_b),
            "resident": (world.resident_a, world.resident_b)}[name]


@pytest.mark.parametrize("model,name", [(Building, "building"), (Household, "household"), (Resident, "resident")])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_visible_to(world, matrix, model, name, viewer):
    a, b = _pair(world, name)

    visible = list(model.objects.visible_to(getattr(matrix, viewer)))

    assert visible == {"anonymous": [], "no_permission": [], "other_region": [b], "same_region": [a]}[viewer]


UPDATES = {
    "building": lambda actor, w: actions.update_building(actor=actor, building=w.building_a, name="改名"),
    "household": lambda actor, w: actions.update_household(actor=actor, household=w.household_a, address="改址"),
    "resident": lambda actor, w: actions.update_resident(actor=actor, resident=w.resident_a, name="改名"),
}
DENIALS = {"anonymous": errors.Unauthenticated, "no_permission": errors.NotFound, "other_region": errors.NotFound}


def _snapshot(world):
    return (
        Building.objects.count(), Household.objects.count(), Resident.objects.count(),
        Building.objects.get(pk=world.building_a.pk).name, Household.objects.get(pk=world.household_a.pk).address,
        Resident.objects.get(pk=world.resident_a.pk).name,
    )


@pytest.mark.parametrize("obj", ["building", "household", "resident"])
@pytest.mark.parametrize("viewer", ["anonymous", "no_permission", "other_region"])
def test_a_denied_update_changes_nothing(world, matrix, obj, viewer):
    before = _snapshot(world)

    with pytest.raises(DENIALS[viewer]):
        UPDATES[obj](getattr(matrix, viewer), world)

    assert _snapshot(world) == before
    assert not AuditEvent.objects.filter(result="ok").exists()
    assert AuditEvent.objects.filter(result="denied").count() == (0 if viewer == "anonymous" else 1)


@pytest.mark.parametrize("obj", ["building", "household", "resident"])
def test_an_update_in_the_same_region_succeeds_and_is_audited(world, matrix, obj):
    UPDATES[obj](matrix.same_region, world)

    assert AuditEvent.objects.get(result="ok").action == f"people.update_{obj}"


def test_a_reader_without_the_change_permission_is_forbidden_and_changes_nothing(world):
    dispatcher = make_user("dispatcher", "dispatcher", world.tree.district)  # reads people, changes nothing
    before = _snapshot(world)

    for obj in UPDATES:
        with pytest.raises(errors.Forbidden):
            UPDATES[obj](dispatcher, world)

    assert _snapshot(world) == before
    assert AuditEvent.objects.filter(result="denied").count() == 3


API_STATUS = {"anonymous": 401, "no_permission": 404, "other_region": 404, "same_region": 200}


def _api(client_user):
    headers = {} if client_user is None else bearer(client_user)
    return Client(headers=headers)


def _user(matrix, viewer):
    return None if viewer == "anonymous" else getattr(matrix, viewer)


@pytest.mark.parametrize("path", ["/api/v1/people/households/{household}", "/api/v1/people/residents/{resident}"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_api_detail(world, matrix, path, viewer):
    url = path.format(household=world.household_a.pk, resident=world.resident_a.pk)

    response = _api(_user(matrix, viewer)).get(url)

    assert response.status_code == API_STATUS[viewer]
    if response.status_code == 404:
        assert response.json() == {"code": "not_found", "message": "对象不存在或无权查看", "details": None}


@pytest.mark.parametrize("path,key", [("buildings", "code"), ("households", "number"), ("residents", "name")])
@pytest.mark.parametrize("viewer", ["no_permission", "other_region", "same_region"])
def test_api_lists_hold_only_what_the_viewer_may_see(world, matrix, path, key, viewer):
    response = _api(getattr(matrix, viewer)).get(f"/api/v1/people/{path}")

    expected = {
        "no_permission": [],
        "other_region": {"buildings": [world.building_b.code], "households": ["HB-0001"], "residents": ["李四"]}[path],
        "same_region": {"buildings": [world.building_a.code], "households": ["HA-0001"], "residents": ["张三"]}[path],
    }[viewer]
    assert response.status_code == 200
    assert [item[key] for item in response.json()["items"]] == expected


def test_api_lists_refuse_anonymous_callers(world):
    assert Client().get("/api/v1/people/residents").status_code == 401


UI_STATUS = {"anonymous": 302, "no_permission": 403, "other_region": 404, "same_region": 200}


@pytest.mark.parametrize("path", ["/people/households/{household}/", "/people/residents/{resident}/"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_ui_detail(world, matrix, path, viewer):
    client = Client()
    if viewer != "anonymous":
        client.force_login(getattr(matrix, viewer))

    response = client.get(path.format(household=world.household_a.pk, resident=world.resident_a.pk))

    assert response.status_code == UI_STATUS[viewer]
    if viewer == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("viewer", ["other_region", "same_region"])
def test_ui_lists_hold_only_what_the_viewer_may_see(world, matrix, viewer):
    client = Client()
    client.force_login(getattr(matrix, viewer))

    residents = client.get("/people/").content.decode()
    households = client.get("/people/households/").content.decode()

    mine, theirs = ("张三", "李四") if viewer == "same_region" else ("李四", "张三")
    assert mine in residents and theirs not in residents
    mine, theirs = ("HA-0001", "HB-0001") if viewer == "same_region" else ("HB-0001", "HA-0001")
    assert mine in households and theirs not in households


def test_a_grid_worker_gets_404_for_a_resident_of_another_grid_in_ui_and_api(world):
    worker = make_user("gw_a_only", "grid_worker", world.tree.grid_a)
    client = Client()
    client.force_login(worker)

    page = client.get(f"/people/residents/{world.resident_b.pk}/")
    reveal = client.post(f"/people/residents/{world.resident_b.pk}/reveal/", {"reason": "入户走访核实"})
    api = _api(worker).get(f"/api/v1/people/residents/{world.resident_b.pk}")
    api_reveal = _api(worker).post(f"/api/v1/people/residents/{world.resident_b.pk}/reveal",
                                   {"reason": "入户走访核实"}, content_type="application/json")

    assert (page.status_code, reveal.status_code, api.status_code, api_reveal.status_code) == (404, 404, 404, 404)
    assert api.json()["code"] == "not_found"
    assert "李四" not in page.content.decode()
    assert not AuditEvent.objects.filter(action="people.reveal_personal").exists()
