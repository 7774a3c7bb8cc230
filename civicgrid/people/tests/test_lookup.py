"""Exact look-up by a complete ID number or phone is a sensitive read: it needs people.lookup_personal and a
reason, is rate-limited per user and audit-logged, and every refusal is the same whatever was guessed. A
create or update that finds the ID number already registered counts as a look-up."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.people import actions
from civicgrid.people.models import Resident
from civicgrid.people.tests.conftest import ID_A, PHONE_A
from civicgrid.people.tests.factories import bearer, ident
from civicgrid.testing import answer_text, make_user

API = "/api/v1/people/residents"
WRONG_ID = ident(9)  # well-formed, nobody's
WRONG_PHONE = "13812349999"


@pytest.fixture
def worker(world):
    return make_user("gw_a", "grid_worker", world.tree.grid_a)


@pytest.fixture
def micro_worker(world):
    return make_user("mg_a", "micro_grid_worker", world.tree.micro_a)


def api(user) -> Client:
    return Client(headers=bearer(user))


def lookups(**filters):
    return AuditEvent.objects.filter(action="people.lookup_personal", **filters)


def test_a_look_up_with_a_reason_finds_the_resident_masked_and_is_audited_without_the_value(world, worker):
    response = api(worker).get(API, {"id_number": ID_A, "reason": "办理服务事项"})

    assert response.status_code == 200
    assert [(r["name"], r["id_number"]) for r in response.json()["items"]] == [("张三", ID_A[0] + "*" * 16 + ID_A[-1])]
    event = lookups().get()
    assert (event.actor, event.result, event.fields, event.reason) == (worker, "ok", "id_number", "办理服务事项")
    assert event.details == {"found": [world.resident_a.pk]}
    assert ID_A not in str(event.details) + event.reason + event.object_id


def test_a_look_up_by_phone_and_a_wrong_guess_are_audited_alike(world, worker):
    found = api(worker).get(API, {"phone": PHONE_A, "reason": "入户走访核实"}).json()["items"]
    missed = api(worker).get(API, {"phone": WRONG_PHONE, "reason": "入户走访核实"}).json()["items"]

    assert ([r["name"] for r in found], missed) == (["张三"], [])
    assert [(e.fields, e.details["found"]) for e in lookups().order_by("id")] == [
        ("phone", [world.resident_a.pk]), ("phone", [])]


def test_a_look_up_finds_nobody_outside_the_reach(world, worker):
    response = api(worker).get(API, {"id_number": world.resident_b.id_number, "reason": "办理服务事项"})

    assert response.json()["items"] == []


@pytest.mark.parametrize("role,region", [("micro_grid_worker", "micro_a"), ("dispatcher", "district"),
                                         ("leader", "district")])
def test_without_the_permission_every_guess_answers_the_same_403(world, role, region):
    user = make_user("u", role, getattr(world.tree, region))
    client = api(user)

    answers = [client.get(API, {field: value, "reason": "办理服务事项"})
               for field, value in (("id_number", ID_A), ("id_number", WRONG_ID), ("phone", PHONE_A),
                                    ("phone", WRONG_PHONE))]

    assert {(r.status_code, r.content) for r in answers} == {(403, answers[0].content)}
    assert answers[0].json()["code"] == "lookup_forbidden"
    assert lookups(result="ok").count() == 0
    assert lookups(result="denied").count() == 4


def test_without_a_reason_every_guess_answers_the_same_422(world, worker):
    answers = [api(worker).get(API, {"id_number": value}) for value in (ID_A, WRONG_ID)]

    assert answers[0].status_code == answers[1].status_code == 422
    assert answers[0].content == answers[1].content
    assert answers[0].json()["code"] == "lookup_reason_required"
    assert not lookups().exists()


def test_the_hourly_budget_refuses_the_next_look_up_whatever_it_guesses(world, worker, settings):
    settings.LOOKUP_MAX_PER_HOUR = 2
    client = api(worker)
    for value in (WRONG_ID, WRONG_ID):
        assert client.get(API, {"id_number": value, "reason": "数据核对更正"}).status_code == 200

    right = client.get(API, {"id_number": ID_A, "reason": "数据核对更正"})
    wrong = client.get(API, {"id_number": WRONG_ID, "reason": "数据核对更正"})

    assert right.status_code == wrong.status_code == 429 and right.content == wrong.content
    assert right.json()["code"] == "lookup_rate_limited"
    assert lookups(result="ok").count() == 2
    assert list(lookups(result="denied").values_list("reason", flat=True)) == ["lookup_rate_limited"] * 2


def test_the_budget_is_per_user(world, worker, settings):
    settings.LOOKUP_MAX_PER_HOUR = 1
    other = make_user("gw_a2", "grid_worker", world.tree.grid_a)
    actions.look_up_residents(actor=worker, id_number=WRONG_ID, reason="办理服务事项")

    with pytest.raises(errors.RateLimited):
        actions.look_up_residents(actor=worker, id_number=WRONG_ID, reason="办理服务事项")
    assert list(actions.look_up_residents(actor=other, id_number=ID_A, reason="办理服务事项")) == [world.resident_a]


def test_q_matches_names_only_never_a_number(world, worker):
    for value in (ID_A, PHONE_A, ID_A[-4:], PHONE_A[-4:]):
        assert api(worker).get(API, {"q": value}).json()["items"] == []
    assert not lookups().exists()


# ---- pages -------------------------------------------------------------------------------------------------


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_search_page_offers_the_look_up_only_with_the_permission(world, worker, micro_worker):
    with_lookup = page(worker).get("/people/").content.decode()
    without = page(micro_worker).get("/people/").content.decode()

    assert 'name="id_number"' in with_lookup and 'name="reason"' in with_lookup
    assert 'name="id_number"' not in without and 'name="phone"' not in without


def test_the_page_look_up_finds_the_resident_with_a_reason(world, worker):
    response = page(worker).get("/people/", {"id_number": ID_A, "reason": "其他", "note": "窗口核验"})

    assert response.status_code == 200 and "张三" in response.content.decode()
    assert lookups().get().reason == "其他:窗口核验"


@pytest.mark.parametrize("who,params,status,code", [
    ("micro", {"id_number": ID_A}, 403, "lookup_forbidden"),
    ("micro", {"phone": PHONE_A, "reason": "办理服务事项"}, 403, "lookup_forbidden"),
    ("worker", {"id_number": ID_A}, 422, "lookup_reason_required"),
])
def test_page_refusals_are_the_same_page_for_a_right_and_a_wrong_guess(world, worker, micro_worker, who, params,
                                                                        status, code):
    client = page(micro_worker if who == "micro" else worker)
    wrong = {k: WRONG_ID if k == "id_number" else WRONG_PHONE if k == "phone" else v for k, v in params.items()}

    right_page, wrong_page = client.get("/people/", params), client.get("/people/", wrong)

    assert right_page.status_code == wrong_page.status_code == status
    assert f'data-code="{code}"' in right_page.content.decode()
    assert "张三" not in right_page.content.decode()
    right_value, wrong_value = next(iter(params.values())), next(iter(wrong.values()))
    assert answer_text(right_page, right_value) == answer_text(wrong_page, wrong_value)


# ---- creates that find the number taken ---------------------------------------------------------------------


def test_a_create_that_finds_the_number_registered_is_audited_and_spends_the_budget(world, worker, settings):
    settings.LOOKUP_MAX_PER_HOUR = 1

    with pytest.raises(errors.Conflict):
        actions.create_resident(actor=worker, household=world.household_a, name="冒名", id_number=ID_A)
    with pytest.raises(errors.RateLimited) as caught:
        actions.create_resident(actor=worker, household=world.household_a, name="新人", id_number=ident(4))

    assert caught.value.code == "lookup_rate_limited"
    assert Resident.objects.count() == 2  # neither was created
    event = AuditEvent.objects.get(action="people.create_resident")
    assert (event.result, event.reason, event.fields) == ("denied", "id_number_exists", "id_number")


def test_an_update_to_a_registered_number_is_audited_too(world, worker):
    with pytest.raises(errors.Conflict):
        actions.update_resident(actor=worker, resident=world.resident_a, id_number=world.resident_b.id_number)

    assert AuditEvent.objects.get(action="people.update_resident").reason == "id_number_exists"
    assert Resident.objects.get(pk=world.resident_a.pk).id_number == ID_A
