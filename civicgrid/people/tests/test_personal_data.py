"""Personal data: encrypted at rest, found by keyed hash, masked in every list and detail, and shown in
full only through the audited reveal (API and page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from civicgrid.core import crypto
from civicgrid.core.models import AuditEvent
from civicgrid.people import actions
from civicgrid.people.models import Resident, id_number_hash
from civicgrid.people.tests.conftest import ID_A, PHONE_A
from civicgrid.people.tests.factories import bearer
from civicgrid.testing import make_user

MASKED_ID = ID_A[0] + "*" * 16 + ID_A[-1]  # the first and the last character
MASKED_PHONE = "*******1234"  # the last 4 digits


def test_the_raw_columns_hold_ciphertext_not_the_plaintext(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_hash FROM people_resident WHERE id = %s",
                       [world.resident_a.pk])
        raw_id, raw_phone, raw_hash = cursor.fetchone()

    assert ID_A not in raw_id and ID_A[6:14] not in raw_id
    assert PHONE_A not in raw_phone
    sealed = crypto.current_key_id() + ":"  # the id of the key that sealed them (core/crypto.py)
    assert raw_id.startswith(sealed) and raw_phone.startswith(sealed)
    assert ID_A not in raw_hash
    assert Resident.objects.get(pk=world.resident_a.pk).id_number == ID_A


def test_two_encryptions_of_one_value_differ(world):
    Resident.objects.filter(pk=world.resident_b.pk).update(id_number=ID_A)  # same plaintext, fresh nonce
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_resident ORDER BY id")
        first, second = (row[0] for row in cursor.fetchall())

    assert first != second
    assert Resident.objects.get(pk=world.resident_b.pk).id_number == ID_A


def test_the_hash_finds_the_resident_by_id_number_and_phone(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)

    def look_up(**value):
        return list(actions.look_up_residents(actor=worker, reason="办理服务事项", **value))

    assert Resident.objects.get(id_number_hash=id_number_hash(ID_A.lower())) == world.resident_a
    assert look_up(id_number=ID_A) == [world.resident_a]
    assert look_up(phone="+86 138 1234 1234") == [world.resident_a]
    assert look_up(id_number=world.resident_b.id_number) == []  # out of scope


@pytest.fixture
def micro_worker(world):
    """May view and change residents of micro-grid A, but not unmask them."""
    return make_user("mgw_a", "micro_grid_worker", world.tree.micro_a)


def test_api_list_and_detail_are_masked(world, micro_worker):
    client = Client(headers=bearer(micro_worker))

    listed = client.get("/api/v1/people/residents").json()["items"][0]
    detail = client.get(f"/api/v1/people/residents/{world.resident_a.pk}").json()
    members = client.get(f"/api/v1/people/households/{world.household_a.pk}").json()["members"][0]

    for shown in (listed, detail, members):
        assert (shown["id_number"], shown["phone"], shown["is_masked"]) == (MASKED_ID, MASKED_PHONE, True)
        assert (shown["birth_date"], shown["birth_year"]) == (None, 1980)  # the year only
        assert shown["can_reveal"] is False


def test_a_viewer_who_may_unmask_sees_the_birth_date_but_still_the_masked_numbers(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)

    shown = Client(headers=bearer(worker)).get(f"/api/v1/people/residents/{world.resident_a.pk}").json()

    assert (shown["id_number"], shown["phone"], shown["birth_date"]) == (MASKED_ID, MASKED_PHONE, "1980-05-17")


def test_api_search_by_full_id_number_answers_masked(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)

    response = Client(headers=bearer(worker)).get(
        "/api/v1/people/residents", {"id_number": ID_A, "reason": "入户走访核实"})

    assert [r["id_number"] for r in response.json()["items"]] == [MASKED_ID]


def test_pages_show_masked_values_only(world, micro_worker):
    client = Client()
    client.force_login(micro_worker)

    pages = [client.get(url).content.decode() for url in (
        "/people/", f"/people/residents/{world.resident_a.pk}/", f"/people/households/{world.household_a.pk}/")]

    for html in pages:
        assert MASKED_ID in html and MASKED_PHONE in html
        assert ID_A not in html and PHONE_A not in html and "1980-05-17" not in html
    assert "显示完整信息" not in pages[1]  # no unmask permission, no button


def test_api_reveal_requires_the_permission(world, micro_worker):
    response = Client(headers=bearer(micro_worker)).post(
        f"/api/v1/people/residents/{world.resident_a.pk}/reveal", {"reason": "入户走访核实"},
        content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not AuditEvent.objects.filter(action="people.reveal_personal").exists()


def test_api_reveal_requires_a_reason(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)
    response = Client(headers=bearer(worker)).post(
        f"/api/v1/people/residents/{world.resident_a.pk}/reveal", {"reason": ""}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["code"] == "blank_text"  # the API's required-text type refuses it before the action
    assert not AuditEvent.objects.filter(action="people.reveal_personal").exists()


def test_api_reveal_answers_the_full_values_and_is_audited(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)
    response = Client(headers=bearer(worker)).post(
        f"/api/v1/people/residents/{world.resident_a.pk}/reveal", {"reason": "办理服务事项"},
        content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"id": world.resident_a.pk, "id_number": ID_A, "phone": PHONE_A}
    event = AuditEvent.objects.get(action="people.reveal_personal")
    assert (event.actor, event.fields, event.reason, event.channel) == (worker, "id_number,phone", "办理服务事项", "api")


def test_the_page_reveal_swaps_in_the_full_values_via_htmx_and_is_audited(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)
    client = Client()
    client.force_login(worker)
    detail = client.get(f"/people/residents/{world.resident_a.pk}/").content.decode()
    assert "显示完整信息" in detail and ID_A not in detail

    response = client.post(f"/people/residents/{world.resident_a.pk}/reveal/",
                           {"reason": "其他", "note": "核对户籍信息"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert ID_A in html and PHONE_A in html
    assert "<html" not in html  # a fragment for hx-swap
    event = AuditEvent.objects.get(action="people.reveal_personal")
    assert (event.reason, event.channel) == ("其他:核对户籍信息", "web")


def test_the_page_reveal_without_a_reason_shows_an_error_and_reveals_nothing(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)
    client = Client()
    client.force_login(worker)

    response = client.post(f"/people/residents/{world.resident_a.pk}/reveal/", {"reason": ""},
                           headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 422
    assert "请选择查看事由" in html and ID_A not in html
    assert not AuditEvent.objects.filter(action="people.reveal_personal").exists()
