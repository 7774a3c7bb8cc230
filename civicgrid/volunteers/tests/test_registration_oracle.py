"""Registering as a volunteer is not a way to learn whether an ID number belongs to a volunteer: an account
that is already a volunteer gets the same answer whatever number it sends, and an ID number found already
registered is audit-logged and spends the caller's look-up budget, after which every attempt is refused
alike."""

from __future__ import annotations

from django.test import Client

from civicgrid.core.models import AuditEvent
from civicgrid.volunteers.models import Volunteer
from civicgrid.volunteers.tests.conftest import id_number

API = "/api/v1/volunteers/volunteers"


def register(user, number: str, **extra):
    client = Client()
    client.force_login(user)
    body = {"name": "孙悦", "id_number": number, "phone": "13700001234", "region": "211004001001001001",
            "skills": ["7003"], "for_self": True, **extra}
    return client.post(API, body, content_type="application/json")


def test_a_volunteer_account_gets_one_answer_for_any_id_number(vworld):
    account = vworld.counsellor.user  # already a volunteer
    taken, free = vworld.expired.id_number, id_number(88)

    answers = [register(account, number) for number in (taken, free, vworld.counsellor.id_number)]

    assert {(r.status_code, r.content) for r in answers} == {(409, answers[0].content)}
    assert answers[0].json()["code"] == "already_registered"
    assert Volunteer.objects.count() == 3
    assert not AuditEvent.objects.filter(action="volunteers.register_volunteer", result="denied").exists()


def test_a_taken_id_number_is_audited_and_spends_the_look_up_budget(vworld, settings):
    settings.LOOKUP_MAX_PER_HOUR = 1

    taken = register(vworld.resident, vworld.expired.id_number)
    after_right = register(vworld.resident, vworld.counsellor.id_number)
    after_wrong = register(vworld.resident, id_number(88))

    assert (taken.status_code, taken.json()["code"]) == (409, "volunteer_exists")
    event = AuditEvent.objects.get(action="volunteers.register_volunteer", result="denied")
    assert (event.actor, event.reason, event.fields) == (vworld.resident, "volunteer_exists", "id_number")
    assert vworld.expired.id_number not in str(event.details)
    assert after_right.status_code == after_wrong.status_code == 429
    assert after_right.content == after_wrong.content and after_right.json()["code"] == "lookup_rate_limited"
    assert Volunteer.objects.count() == 3


def test_once_registered_the_account_cannot_test_numbers_any_more(vworld):
    first = register(vworld.resident, id_number(88))
    then = [register(vworld.resident, number) for number in (vworld.counsellor.id_number, id_number(89))]

    assert first.status_code == 201
    assert [r.json()["code"] for r in then] == ["already_registered", "already_registered"]
    assert then[0].content == then[1].content
