"""Concurrency, tamper detection and the SLA sweep."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from civicgrid.cases import actions
from civicgrid.cases.chain import verify_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import errors


def submit(world, **kw):
    data = IntakeInput(description="停水", channel="resident", category_code="3001", **POINT_A)
    return actions.submit_case(actor=world.resident, data=data, **kw).case


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_transitions_exactly_one_wins(world):
    case = submit(world)
    results: list[str] = []
    barrier = threading.Barrier(20)

    def attempt():
        try:
            barrier.wait()
            actions.transition_case(actor=world.dispatcher, case_id=case.pk, action="dispatch",
                                    facts={"department": "CGJ"})
            results.append("ok")
        except errors.Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and results.count("conflict") == 19
    case.refresh_from_db()
    assert case.event_count == 2 and CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    assert verify_case(case) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_idempotent_intake_makes_one_case(world):
    """Ten taps of one phone at once: one case, and every thread reports either that case or a retry."""
    data = IntakeInput(description="井盖丢失", channel="resident", category_code="0601", **POINT_A)
    outcomes: list = []
    barrier = threading.Barrier(10)

    def attempt():
        try:
            barrier.wait()
            outcomes.append(actions.submit_case(actor=world.resident, data=data, idempotency_key="tap").case.pk)
        except errors.Conflict:
            outcomes.append("retry")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Case.objects.count() == 1
    pk = Case.objects.get().pk
    assert len(outcomes) == 10, outcomes  # a thread that crashed reports nothing (and fails the suite)
    assert set(outcomes) <= {pk, "retry"} and pk in outcomes


@pytest.mark.django_db
def test_verify_case_audit_detects_tampering(world):
    case = submit(world)
    actions.transition_case(actor=world.dispatcher, case_id=case.pk, action="dispatch", facts={"department": "CGJ"})
    call_command("verify_case_audit")  # intact: no error
    CaseEvent.objects.filter(case=case, seq=2).update(comment="edited later")
    with pytest.raises(Exception, match="event chain broken"):
        call_command("verify_case_audit")
    assert verify_case(case) == 2


@pytest.mark.django_db
def test_deleted_event_is_detected(world):
    case = submit(world)
    actions.transition_case(actor=world.dispatcher, case_id=case.pk, action="dispatch", facts={"department": "CGJ"})
    CaseEvent.objects.filter(case=case, seq=2).delete()
    case.refresh_from_db()
    assert verify_case(case) is not None


@pytest.mark.django_db
def test_sla_sweep_supervises_overdue_cases_once(world):
    case = submit(world)
    for actor, action, facts in [(world.dispatcher, "dispatch", {"department": "CGJ"}), (world.handler, "sign", {}),
                                 (world.handler, "contact", {"comment": "已联系"})]:
        actions.transition_case(actor=actor, case_id=case.pk, action=action, facts=facts)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    first = actions.check_sla()
    second = actions.check_sla()
    case.refresh_from_db()
    assert first["supervised"] == 1 and second["supervised"] == 0
    assert case.is_supervised and case.was_overdue and case.sla_status == "overdue"
    assert case.events.last().action == "supervise" and case.events.last().actor is None
    assert verify_case(case) is None


@pytest.mark.django_db
def test_a_sweep_that_dies_before_supervising_records_nothing(world, monkeypatch):
    """A sweep killed between recording 超期 and raising 督办 must leave the case for the next sweep: both
    are one transaction, so the rerun supervises it (once)."""
    case = submit(world)
    for actor, action, facts in [(world.dispatcher, "dispatch", {"department": "CGJ"}), (world.handler, "sign", {}),
                                 (world.handler, "contact", {"comment": "已联系"})]:
        actions.transition_case(actor=actor, case_id=case.pk, action=action, facts=facts)
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    from civicgrid.cases.actions import transitions  # where check_sla finds transition_case

    def dies(**kw):
        raise SystemExit("worker killed")

    monkeypatch.setattr(transitions, "transition_case", dies)
    with pytest.raises(SystemExit):
        actions.check_sla()
    case.refresh_from_db()
    assert case.recorded_sla_status == "normal" and not case.was_overdue  # nothing of the half-done case kept
    monkeypatch.undo()
    assert actions.check_sla()["supervised"] == 1 and actions.check_sla()["supervised"] == 0
    assert case.events.filter(action="supervise").count() == 1
