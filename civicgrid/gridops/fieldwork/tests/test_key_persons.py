"""Key persons: assignment, follow-ups, the overdue rule (tag frequency × tier factor, a person's own
frequency, an earlier next date), ending, and encrypted notes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from civicgrid.cases.models import Notification
from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment, KeyPersonFollowUp
from civicgrid.gridops.fieldwork.queries import key_persons as q
from civicgrid.gridops.fieldwork.tests.conftest import NOW, TODAY, at
from civicgrid.people.models import ResidentTag
from civicgrid.testing import make_user


def _status(user):
    return [(a.resident.name, a.tier, a.interval_days(a.tier), a.due, a.overdue)
            for a in q.with_status(q.key_persons_visible(user), TODAY)]


def test_assigning_names_the_worker_and_police_and_tells_them(world):
    assignment = actions.assign_key_person(actor=world.community_a, resident=world.kp_a, tag=world.correction,
                                           responsible_worker=world.grid_a, police_liaison=world.police_a)

    assert (assignment.responsible_worker, assignment.police_liaison, assignment.started_on) == (
        world.grid_a, world.police_a, TODAY)
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"gw_a", "pol_a"}
    assert "钱" not in Notification.objects.first().text  # the notice names nobody
    assert AuditEvent.objects.get(action="fieldwork.assign_key_person").fields == "key_person"


def test_assigning_again_changes_the_responsible_worker_of_the_same_record(world, key_persons):
    other = make_user("gw_a2", "grid_worker", world.tree.grid_a)

    again = actions.assign_key_person(actor=world.grid_a, resident=world.kp_a, tag=world.correction,
                                      responsible_worker=other)

    assert again.pk == key_persons[0].pk and again.responsible_worker == other and again.police_liaison is None
    assert AuditEvent.objects.filter(action="fieldwork.update_key_person").count() == 1


@pytest.mark.parametrize("change,code", [
    ({"responsible_worker": "grid_b"}, "worker_not_in_scope"),
    ({"responsible_worker": "micro_a"}, "worker_not_in_scope"),
    ({"police_liaison": "police_b"}, "police_not_in_scope"),
    ({"tag": "elderly"}, "tag_not_key_person"),
    ({"tag": "mental"}, "key_person_tag_missing"),
])
def test_an_assignment_outside_the_rules_is_refused(world, change, code):
    kwargs = {"responsible_worker": world.grid_a, "police_liaison": world.police_a, "tag": world.correction}
    kwargs.update({k: getattr(world, v) for k, v in change.items()})

    with pytest.raises(errors.ValidationFailed) as exc:
        actions.assign_key_person(actor=world.grid_a, resident=world.kp_a, **kwargs)

    assert exc.value.code == code and KeyPersonAssignment.objects.count() == 0


@pytest.mark.parametrize("viewer,error", [("grid_b", errors.NotFound), ("micro_a", errors.NotFound),
                                          ("volunteer", errors.NotFound), ("police_b", errors.NotFound)])
def test_a_denied_assignment_changes_nothing(world, viewer, error):
    with pytest.raises(error):
        actions.assign_key_person(actor=getattr(world, viewer), resident=world.kp_a, tag=world.correction,
                                  responsible_worker=world.grid_a)

    assert KeyPersonAssignment.objects.count() == 0 and Notification.objects.count() == 0


def test_without_contact_the_tier_sets_how_long_since_the_start(world, key_persons):
    # 社区矫正 is every 7 days for 严管; 普管 doubles it
    assert _status(world.leader) == []  # leaders do not see key persons
    assert _status(world.grid_a) == [("钱小二", "普管", 14, date(2025, 6, 15), 5)]
    assert _status(world.grid_b) == [("孙小三", "严管", 7, date(2025, 6, 8), 12)]
    assert [a.resident.name for a in q.overdue_key_persons(world.community_a, today=TODAY)] == ["钱小二"]


@pytest.mark.parametrize("tier,interval", [("宽管", 21), ("红", 7), ("黄", 14), ("蓝", 21), ("", 7), ("未知", 7)])
def test_tier_factors(world, key_persons, tier, interval):
    ResidentTag.objects.filter(resident=world.kp_a).update(level=tier)

    assert _status(world.grid_a)[0][2] == interval


def test_a_follow_up_restarts_the_clock_and_an_older_one_does_not_move_it_back(world, key_persons):
    a = key_persons[0]
    with clock.at(at(date(2025, 6, 18))):
        actions.record_follow_up(actor=world.grid_a, assignment=a, method="home_visit", notes="在家,情绪稳定")
    actions.record_follow_up(actor=world.grid_a, assignment=a, method="phone", contacted_at=at(date(2025, 6, 2)))

    a.refresh_from_db()
    assert a.last_contact_at == at(date(2025, 6, 18))
    assert _status(world.grid_a) == [("钱小二", "普管", 14, date(2025, 7, 2), 0)]
    assert KeyPersonFollowUp.objects.filter(assignment=a).count() == 2


def test_an_earlier_next_date_and_a_persons_own_frequency_shorten_the_interval(world, key_persons):
    a = key_persons[0]
    with clock.at(at(date(2025, 6, 10))):
        actions.record_follow_up(actor=world.grid_a, assignment=a, method="home_visit", condition="attention",
                                 next_due_on=date(2025, 6, 13))
    assert _status(world.grid_a)[0][3:] == (date(2025, 6, 13), 7)

    KeyPersonAssignment.objects.filter(pk=a.pk).update(contact_every_days=2, next_contact_due=None)
    assert _status(world.grid_a)[0][2:] == (2, date(2025, 6, 12), 8)


def test_a_police_liaison_recording_is_the_police_present(world, key_persons):
    follow_up = actions.record_follow_up(actor=world.police_a, assignment=key_persons[0], method="interview")

    assert (follow_up.with_police, follow_up.police_officer) == (True, world.police_a)


def test_a_named_officer_must_be_the_communitys_police_liaison(world, key_persons):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_follow_up(actor=world.grid_a, assignment=key_persons[0], method="home_visit",
                                 police_officer=world.police_b)

    assert exc.value.code == "police_not_in_scope" and KeyPersonFollowUp.objects.count() == 0


@pytest.mark.parametrize("viewer,error", [("grid_b", errors.NotFound), ("police_b", errors.NotFound),
                                          ("micro_a", errors.NotFound), ("leader", errors.NotFound),
                                          ("volunteer", errors.NotFound)])
def test_a_denied_follow_up_changes_nothing(world, key_persons, viewer, error):
    with pytest.raises(error):
        actions.record_follow_up(actor=getattr(world, viewer), assignment=key_persons[0], method="phone")

    assert KeyPersonFollowUp.objects.count() == 0
    assert KeyPersonAssignment.objects.get(pk=key_persons[0].pk).last_contact_at is None


def test_an_abnormal_condition_tells_the_worker_and_the_police(world, key_persons):
    actions.record_follow_up(actor=world.grid_a, assignment=key_persons[0], method="home_visit",
                             condition="abnormal", notes="拒不报到")

    assert list(Notification.objects.values_list("user__username", "kind")) == [("pol_a", "key_person_abnormal")]


def test_follow_up_notes_are_encrypted_at_rest(world, key_persons):
    follow_up = actions.record_follow_up(actor=world.grid_a, assignment=key_persons[0], method="home_visit",
                                         notes="按时服药")

    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM fieldwork_keypersonfollowup WHERE id = %s", [follow_up.pk])
        raw = cursor.fetchone()[0]
    assert "按时服药" not in raw and KeyPersonFollowUp.objects.get(pk=follow_up.pk).notes == "按时服药"


def test_a_retried_follow_up_is_recorded_once(world, key_persons):
    for _ in range(2):
        actions.record_follow_up(actor=world.grid_a, assignment=key_persons[0], method="phone", idempotency_key="k1")

    assert KeyPersonFollowUp.objects.count() == 1


def test_ending_keeps_the_history_and_stops_follow_ups(world, key_persons):
    a = key_persons[0]
    actions.record_follow_up(actor=world.grid_a, assignment=a, method="phone")

    actions.end_key_person(actor=world.grid_a, assignment=a, reason="矫正期满解除")

    a.refresh_from_db()
    assert (a.is_active, a.ended_on, a.end_reason) == (False, TODAY, "矫正期满解除")
    assert _status(world.grid_a) == []
    with pytest.raises(errors.ValidationFailed):
        actions.record_follow_up(actor=world.grid_a, assignment=a, method="phone")
    with pytest.raises(errors.Conflict):
        actions.end_key_person(actor=world.grid_a, assignment=a, reason="again")
    assert KeyPersonFollowUp.objects.filter(assignment=a).count() == 1


def test_a_person_who_lost_the_tag_leaves_the_list_and_unassigned_tags_are_listed(world, key_persons):
    ResidentTag.objects.filter(resident=world.kp_a, tag=world.correction).delete()
    ResidentTag.objects.create(resident=world.kp_a, tag=world.mental, level="红")

    assert _status(world.grid_a) == []
    waiting = q.unassigned_key_persons(world.grid_a)
    assert [(link.resident.name, link.tag.code) for link in waiting] == [("钱小二", "severe_mental_disorder")]
    assert q.key_person_counts(world.community_a, today=TODAY) == {"total": 0, "overdue": 0, "unassigned": 1}
    assert list(q.unassigned_key_persons(world.micro_a)) == []


def test_the_follow_up_time_cannot_be_in_the_future(world, key_persons):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_follow_up(actor=world.grid_a, assignment=key_persons[0], method="phone",
                                 contacted_at=NOW + timedelta(days=1))

    assert exc.value.code == "time_in_future" and exc.value.details["field"] == "contacted_at"
