"""The field-work demo, on a tiny base demo built once for this module inside a transaction that is rolled
back afterwards: everything is written through the actions, and the pages have something to show."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork.models import (
    Activity,
    HouseholdVisit,
    JointRecord,
    KeyPersonAssignment,
    KeyPersonFollowUp,
    Referral,
    ScreeningRound,
)
from civicgrid.testing import rolled_back

NOW = timezone.make_aware(datetime(2025, 6, 20, 17, 0))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from civicgrid.demo import builder
    from civicgrid.demo import fieldwork as demo_fieldwork

    with rolled_back(django_db_blocker):
        builder.build(seed=7, scale=0.02, password="Demo#Pass2024")
        said: list[str] = []
        result = demo_fieldwork.build(seed=7, say=said.append, now=NOW)
        yield result, said


@pytest.mark.django_db
def test_every_part_is_built_through_the_actions(demo):
    result, said = demo

    assert result["visits"] == HouseholdVisit.objects.count() > 0
    assert result["key_persons"] == KeyPersonAssignment.objects.count() >= 3
    assert result["follow_ups"] == KeyPersonFollowUp.objects.count() > 0
    assert result["screening_rounds"] == ScreeningRound.objects.count() > 0 and result["screening_missing"] > 0
    assert result["referrals_to_police"] == 3 and result["referrals_from_police"] == 3
    assert Referral.objects.count() == 6 and JointRecord.objects.count() == result["joint_records"] == 6
    assert result["activities"] == Activity.objects.count() > 0
    assert set(Referral.objects.values_list("status", flat=True)) == {"pending", "accepted", "declined"}
    for action in ("record_visit", "assign_key_person", "record_follow_up", "record_screening",
                   "refer_case_to_police", "receive_police_referral", "record_joint_work", "record_activity"):
        assert AuditEvent.objects.filter(action=f"fieldwork.{action}").exists(), action
    assert len(said) == 5


@pytest.mark.django_db
def test_the_demo_spans_the_last_two_months_and_never_the_future(demo):
    first = HouseholdVisit.objects.order_by("visited_at").first().visited_at
    last = HouseholdVisit.objects.order_by("visited_at").last().visited_at

    assert (NOW - first).days >= 30 and last <= NOW
    assert ScreeningRound.objects.order_by("screened_at").last().screened_at <= NOW
    assert KeyPersonFollowUp.objects.order_by("contacted_at").last().contacted_at <= NOW


@pytest.mark.django_db
def test_cases_come_from_visits_screening_and_the_police(demo):
    result, _ = demo

    channels = set(Case.objects.values_list("channel", flat=True))
    assert {"grid", "police"} <= channels
    assert Case.objects.filter(channel="visit").count() == result["visit_cases"]
    assert Case.objects.filter(case_type="dispute", channel="grid").count() >= result["dispute_cases"]


@pytest.mark.django_db
def test_the_named_logins_have_something_to_see(demo):
    gridworker, police = User.objects.get(username="gridworker"), User.objects.get(username="police")
    client = Client()
    client.force_login(gridworker)

    assert client.get("/gridops/visits/coverage/").status_code == 200
    assert client.get("/gridops/screening/").status_code == 200
    client.force_login(police)
    joint = client.get("/gridops/joint/")
    assert joint.status_code == 200 and "联合巡逻" in joint.content.decode()
    assert client.get("/gridops/joint/summary/").status_code == 200


@pytest.mark.django_db
def test_running_again_changes_nothing(demo):
    from civicgrid.demo import fieldwork as demo_fieldwork

    before = HouseholdVisit.objects.count()

    assert demo_fieldwork.build(seed=7, say=lambda _: None, now=NOW) == {}
    assert HouseholdVisit.objects.count() == before


@pytest.mark.django_db
def test_some_key_persons_are_overdue(demo):
    result, said = demo

    assert result["key_persons_overdue"] >= 1
    assert said[1].startswith("重点人员:follow_ups") and "visits" not in said[1]
