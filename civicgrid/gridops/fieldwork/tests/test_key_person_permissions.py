"""Done-when of issue #5 (key persons, PIPL art. 28): key-person data is invisible to a micro-grid worker —
of another grid, and even of the same grid —, to a volunteer, to a leader and to the police liaison of the
other community; the grid worker of the grid, the community admin and the community's police liaison see
it masked; unmasking needs people.unmask_personal and a reason; every view (list or detail, masked or
not) writes one audit row, and every denied attempt on a record writes a denied row.

The matrix runs through the actions, the API and the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.queries import key_persons as q
from civicgrid.people.tests.factories import bearer

API = "/api/v1/gridops/key-persons"
FULL_NAME, MASKED_NAME = "钱小二", "钱**"
ALLOWED = ["grid_a", "community_a", "police_a"]
DENIED = ["grid_b", "micro_a", "micro_b", "police_b", "volunteer", "leader"]


def viewer(world, name):
    return getattr(world, name)


def views(**filters):
    return AuditEvent.objects.filter(result="ok", action__in=["fieldwork.view_key_person",
                                                               "fieldwork.list_key_persons"], **filters)


# ---- the chokepoint ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALLOWED + DENIED)
def test_who_can_select_key_person_a(world, key_persons, name):
    visible = [a.resident.name for a in q.key_persons_visible(viewer(world, name))]

    assert visible == {**dict.fromkeys(ALLOWED, [FULL_NAME]), "grid_b": ["孙小三"], "police_b": ["孙小三"]}.get(name, [])


# ---- actions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALLOWED)
def test_the_responsible_side_reads_a_masked_record_and_each_read_is_audited(world, key_persons, name):
    user = viewer(world, name)

    first = actions.read_key_person(actor=user, assignment_id=key_persons[0].pk)
    actions.read_key_person(actor=user, assignment_id=key_persons[0].pk)

    person = first["person"]
    assert (person["name"], person["is_masked"], person["address"], person["birth_date"]) == (
        MASKED_NAME, True, "", None)
    assert person["id_number"] == world.kp_a.id_number[0] + "*" * 16 + world.kp_a.id_number[-1]
    assert person["phone"] == "*******0002"
    rows = views(actor=user, action="fieldwork.view_key_person")
    assert rows.count() == 2
    assert {(r.object_id, r.fields, r.reason) for r in rows} == {(str(key_persons[0].pk), "key_person", "")}


@pytest.mark.parametrize("name", DENIED)
def test_everyone_else_gets_404_and_the_attempt_is_audited(world, key_persons, name):
    user = viewer(world, name)

    with pytest.raises(errors.NotFound):
        actions.read_key_person(actor=user, assignment_id=key_persons[0].pk)
    with pytest.raises(errors.NotFound):
        actions.read_key_person(actor=user, assignment_id=key_persons[0].pk, reason="入户走访核实")

    assert views().count() == 0
    denied = AuditEvent.objects.filter(result="denied", actor=user)
    assert denied.count() == 2 and {d.object_id for d in denied} == {str(key_persons[0].pk)}


def test_anonymous_readers_are_refused_without_reading(world, key_persons):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(errors.Unauthenticated):
        actions.read_key_person(actor=AnonymousUser(), assignment_id=key_persons[0].pk)
    with pytest.raises(errors.Unauthenticated):
        actions.read_key_person_list(actor=AnonymousUser(), assignments=[])
    assert views().count() == 0


@pytest.mark.parametrize("name", ["micro_a", "micro_b", "volunteer", "leader"])
def test_a_list_read_without_the_permission_is_forbidden(world, key_persons, name):
    with pytest.raises(errors.Forbidden):
        actions.read_key_person_list(actor=viewer(world, name), assignments=[])

    assert views().count() == 0


@pytest.mark.parametrize("name", ALLOWED)
def test_unmasking_needs_a_reason_and_every_unmasked_view_is_audited(world, key_persons, name):
    user = viewer(world, name)

    for _ in range(3):
        shown = actions.read_key_person(actor=user, assignment_id=key_persons[0].pk, reason="帮教走访核实身份")

    person = shown["person"]
    assert (person["name"], person["id_number"], person["phone"], person["is_masked"]) == (
        FULL_NAME, world.kp_a.id_number, "13800000002", False)
    assert person["address"] == "幸福里2号楼 101"
    rows = views(actor=user)
    assert rows.count() == 3
    assert all(r.fields == "key_person,name,id_number,phone,address,birth_date" and r.reason == "帮教走访核实身份"
               and r.details["unmasked"] is True for r in rows)


def test_an_unmasked_list_names_the_records_it_showed(world, key_persons):
    rows = list(q.key_persons_visible(world.grid_a))

    shown = actions.read_key_person_list(actor=world.grid_a, assignments=rows, reason="数据核对更正")

    assert [p["name"] for p in shown["people"]] == [FULL_NAME] and shown["unmasked"] is True
    event = views(action="fieldwork.list_key_persons").get()
    assert event.details["ids"] == [key_persons[0].pk] and event.details["unmasked"] == [key_persons[0].pk]
    assert "id_number" in event.fields and event.reason == "数据核对更正"


def test_a_masked_list_is_audited_too(world, key_persons):
    shown = actions.read_key_person_list(actor=world.police_a, assignments=list(q.key_persons_visible(world.police_a)))

    assert [p["name"] for p in shown["people"]] == [MASKED_NAME]
    event = views(action="fieldwork.list_key_persons").get()
    assert (event.fields, event.details["unmasked"], event.details["ids"]) == ("key_person", [], [key_persons[0].pk])


# ---- API ---------------------------------------------------------------------------------------------------


def api(world, name) -> Client:
    return Client(headers=bearer(viewer(world, name)))


@pytest.mark.parametrize("name,status,names", [
    ("grid_a", 200, [MASKED_NAME]), ("community_a", 200, [MASKED_NAME]), ("police_a", 200, [MASKED_NAME]),
    ("grid_b", 200, ["孙**"]), ("police_b", 200, ["孙**"]),
    ("micro_a", 403, None), ("micro_b", 403, None), ("volunteer", 403, None), ("leader", 403, None),
])
def test_api_list_matrix(world, key_persons, name, status, names):
    response = api(world, name).get(API)

    assert response.status_code == status
    if names is not None:
        assert [p["name"] for p in response.json()["items"]] == names
        assert views(action="fieldwork.list_key_persons").count() == 1
    else:
        assert response.json()["code"] == "forbidden" and views().count() == 0
    assert FULL_NAME not in response.content.decode()


@pytest.mark.parametrize("name,status", [(n, 200) for n in ALLOWED] + [(n, 404) for n in DENIED])
def test_api_detail_matrix(world, key_persons, name, status):
    response = api(world, name).get(f"{API}/{key_persons[0].pk}")

    assert response.status_code == status
    assert FULL_NAME not in response.content.decode()
    assert views().count() == (1 if status == 200 else 0)


@pytest.mark.parametrize("name,status", [(n, 200) for n in ALLOWED] + [(n, 404) for n in DENIED])
def test_api_reveal_matrix(world, key_persons, name, status):
    client = api(world, name)

    responses = [client.post(f"{API}/{key_persons[0].pk}/reveal", {"reason": "入户走访核实"},
                             content_type="application/json") for _ in range(2)]

    assert [r.status_code for r in responses] == [status, status]
    if status == 200:
        assert responses[0].json()["person"]["name"] == FULL_NAME
        assert views(fields__contains="id_number").count() == 2
    else:
        assert FULL_NAME not in responses[0].content.decode() and views().count() == 0


def test_api_list_unmasks_with_a_reason_only(world, key_persons):
    client = api(world, "grid_a")

    masked = client.get(API).json()
    full = client.get(API, {"reason": "入户走访核实"}).json()

    assert masked["items"][0]["name"] == MASKED_NAME and full["items"][0]["name"] == FULL_NAME
    assert views(action="fieldwork.list_key_persons").count() == 2
    assert views(action="fieldwork.list_key_persons", fields__contains="id_number").count() == 1


# ---- pages -------------------------------------------------------------------------------------------------


def page(world, name) -> Client:
    client = Client()
    client.force_login(viewer(world, name))
    return client


@pytest.mark.parametrize("name,status", [
    ("grid_a", 200), ("community_a", 200), ("police_a", 200), ("grid_b", 200), ("police_b", 200),
    ("micro_a", 403), ("micro_b", 403), ("volunteer", 403), ("leader", 403),
])
def test_page_list_matrix(world, key_persons, name, status):
    response = page(world, name).get("/gridops/key-persons/")

    body = response.content.decode()
    assert response.status_code == status and FULL_NAME not in body
    assert (MASKED_NAME in body) == (name in ALLOWED)


@pytest.mark.parametrize("name,status", [(n, 200) for n in ALLOWED] + [
    ("grid_b", 404), ("police_b", 404), ("micro_a", 403), ("micro_b", 403), ("volunteer", 403), ("leader", 403)])
def test_page_detail_matrix(world, key_persons, name, status):
    response = page(world, name).get(f"/gridops/key-persons/{key_persons[0].pk}/")

    assert response.status_code == status and FULL_NAME not in response.content.decode()
    assert views().count() == (1 if status == 200 else 0)


def test_the_page_reveal_swaps_in_the_full_identity_and_is_audited_each_time(world, key_persons):
    client = page(world, "grid_a")
    url = f"/gridops/key-persons/{key_persons[0].pk}/reveal/"

    missing = client.post(url, {"reason": ""}, headers={"HX-Request": "true"})
    first = client.post(url, {"reason": "入户走访核实"}, headers={"HX-Request": "true"})
    second = client.post(url, {"reason": "其他", "note": "协助民警核查"})

    assert missing.status_code == 422 and FULL_NAME not in missing.content.decode()
    assert first.status_code == 200 and FULL_NAME in first.content.decode() and "<html" not in first.content.decode()
    assert second.status_code == 200 and FULL_NAME in second.content.decode()
    unmasked = views(fields__contains="id_number").order_by("id")
    assert [e.reason for e in unmasked] == ["入户走访核实", "其他:协助民警核查"]


def test_the_page_reveal_is_404_out_of_scope(world, key_persons):
    response = page(world, "police_b").post(f"/gridops/key-persons/{key_persons[0].pk}/reveal/",
                                             {"reason": "入户走访核实"})

    assert response.status_code == 404 and views().count() == 0


def test_the_list_page_unmasks_on_a_posted_reason(world, key_persons):
    client = page(world, "police_a")

    response = client.post("/gridops/key-persons/", {"reason": "矛盾纠纷调处"})

    assert response.status_code == 200 and FULL_NAME in response.content.decode()
    event = views(action="fieldwork.list_key_persons").get()
    assert event.reason == "矛盾纠纷调处" and event.details["unmasked"] == [key_persons[0].pk]
