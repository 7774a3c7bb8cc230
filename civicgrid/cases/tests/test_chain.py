"""Each case's event chain covers every stored field and its end: an edit of any field, a deleted event
and deleted newest events are reported, in plain words, by check_case and verify_case_audit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicgrid.cases import actions, chain
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.testing import another_value

pytestmark = pytest.mark.django_db

NOT_HASHED = {"id", "prev_hash", "hash"}
STRUCTURE = {"case", "seq"}  # an edit of these shows as a gap in the case's log


def submit(world) -> Case:
    data = IntakeInput(description="停水", channel="resident", category_code="3001", **POINT_A)
    return actions.submit_case(actor=world.resident, data=data).case


@pytest.fixture
def case(world) -> Case:
    """A case with three events: submitted, dispatched, signed."""
    case = submit(world)
    actions.transition_case(actor=world.dispatcher, case_id=case.pk, action="dispatch", facts={"department": "CGJ"})
    actions.transition_case(actor=world.handler, case_id=case.pk, action="sign")
    case.refresh_from_db()
    assert case.event_count == 3 and chain.check_case(case) is None
    return case


def test_every_stored_field_but_the_id_and_the_hashes_is_hashed():
    stored = {f.attname for f in CaseEvent._meta.concrete_fields}

    assert set(chain.HASHED_FIELDS) == stored - NOT_HASHED
    assert "actor_name" in chain.HASHED_FIELDS  # format 1 left it out


@pytest.mark.parametrize("name", sorted({f.name for f in CaseEvent._meta.concrete_fields} - NOT_HASHED))
def test_an_edit_of_any_field_is_reported(world, case, name):
    field = CaseEvent._meta.get_field(name)
    second = case.events.get(seq=2)
    other = submit(world) if name == "case" else world.leader
    CaseEvent.objects.filter(pk=second.pk).update(
        **{field.attname: another_value(field, getattr(second, field.attname), other.pk)})

    problem = chain.check_case(case)

    if name in STRUCTURE:
        assert problem == (3, "event 3 does not follow event 1: an event between them was deleted, or this one was "
                              "inserted out of band")
    else:
        assert problem == (2, "event 2 was changed after it was written: its fields no longer match its hash")


@pytest.mark.parametrize("deleted", [1, 2])
def test_deleted_newest_events_are_reported(case, deleted):
    case.events.filter(seq__gt=3 - deleted).delete()

    assert chain.check_case(case) == (4 - deleted, f"the case records 3 events but its log ends at event "
                                                   f"{3 - deleted}: the newest events were deleted, or the case's "
                                                   "event count was changed out of band")
    assert chain.verify_case(case) == 4 - deleted


def test_a_changed_chain_head_is_reported(case):
    Case.objects.filter(pk=case.pk).update(last_event_hash="0" * 64)
    case.refresh_from_db()

    assert chain.check_case(case) == (3, "the case's last event hash does not match event 3: the newest event was "
                                         "replaced, or the case's chain head was changed out of band")


def test_events_of_the_first_format_still_verify(case):
    """Events hashed before actor_name was (format 1) verify by their rule, then the chain moves on to
    format 2; a format-1 event after a format-2 one is an edit."""
    prev = ""
    for event in case.events.order_by("seq"):
        make = chain._event_hash_format_1 if event.seq == 1 else chain.event_hash
        event.prev_hash, event.hash = prev, make(prev, event)
        CaseEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    Case.objects.filter(pk=case.pk).update(last_event_hash=prev)
    case.refresh_from_db()
    assert chain.check_case(case) is None

    third = case.events.get(seq=3)
    CaseEvent.objects.filter(pk=third.pk).update(hash=chain._event_hash_format_1(third.prev_hash, third))
    Case.objects.filter(pk=case.pk).update(last_event_hash=chain._event_hash_format_1(third.prev_hash, third))
    case.refresh_from_db()
    assert chain.check_case(case)[0] == 3


def test_verify_case_audit_says_what_is_wrong(case, capsys):
    case.events.filter(seq=3).delete()

    with pytest.raises(CommandError, match="event chain broken"):
        call_command("verify_case_audit")

    assert (f"broken: {case.number} (event 3: the case records 3 events but its log ends at event 2: the newest "
            "events were deleted") in capsys.readouterr().out
