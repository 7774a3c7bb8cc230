"""The 办不成事 window: counter and online intake, leader in charge, meetings, and the public statistics."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.actions import sync_categories, transition_case
from civicgrid.cases.models import Case
from civicgrid.core import errors
from civicgrid.publicservice import queries
from civicgrid.publicservice.actions import hardcases
from civicgrid.publicservice.models import HardCaseFile, Meeting


@pytest.fixture
def hc(ps):
    sync_categories()
    return ps


def data(**kw):
    return hardcases.HardCaseInput(**{"category_code": "9001", "description": "证明两个部门互相推",
                                      "name": "李四", "phone": "13900000002", **kw})


def test_counter_intake_needs_the_window_permission_and_a_name(hc):
    with pytest.raises(errors.Forbidden):
        hardcases.register(actor=hc.resident, intake="counter", data=data())
    with pytest.raises(errors.ValidationFailed) as exc:
        hardcases.register(actor=hc.dispatcher, intake="counter", data=data(name=""))
    assert exc.value.code == "name_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        hardcases.register(actor=hc.dispatcher, intake="counter", data=data(category_code="3001"))
    assert exc.value.code == "category_required"
    assert Case.objects.count() == 0
    case, created = hardcases.register(actor=hc.dispatcher, intake="counter", data=data())
    assert created and case.state == "registered" and case.reporter_name == "李四" and case.reporter is None
    assert HardCaseFile.objects.get(case=case).intake == "counter"


def test_leader_meeting_and_statistics(hc):
    case, _ = hardcases.register(actor=hc.dispatcher, intake="counter", data=data())
    transition_case(actor=hc.dispatcher, case_id=case.pk, action="assign_leader", facts={"leader": "ps_leader"})
    with pytest.raises(errors.ValidationFailed) as exc:
        hardcases.record_meeting(actor=hc.dispatcher, case_id=case.pk, held_at=timezone.now() + timedelta(hours=1),
                                 attendees="x", department_codes=["CGJ"], decisions="y")
    assert exc.value.code == "meeting_in_future"
    with pytest.raises(errors.ValidationFailed) as exc:
        hardcases.record_meeting(actor=hc.dispatcher, case_id=case.pk, held_at=timezone.now(),
                                 attendees="x", department_codes=["NOPE"], decisions="y")
    assert exc.value.code == "department_unknown" and Meeting.objects.count() == 0
    with pytest.raises(errors.Forbidden):
        hardcases.record_meeting(actor=hc.clerk, case_id=case.pk, held_at=timezone.now(), attendees="x",
                                 department_codes=["CGJ"], decisions="y")
    meeting = hardcases.record_meeting(actor=hc.dispatcher, case_id=case.pk, held_at=timezone.now(),
                                       attendees="包案领导、城管局", department_codes=["CGJ"], decisions="城管局主办")
    assert list(meeting.departments.values_list("code", flat=True)) == ["CGJ"]
    case.refresh_from_db()
    assert case.routing["leader"]["username"] == "ps_leader"
    stats = queries.hard_case_stats()
    assert stats["received"] == 1 and stats["months"][-1]["received"] == 1 and stats["by_type"] == [
        {"type": "政务服务办不成", "count": 1}]
