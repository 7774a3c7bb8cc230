"""Police–grid joint work (四联): referrals both ways, joint records with both parties, the shared view and
the monthly summary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.cases.actions import submit_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, Notification
from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import JointRecord, Referral
from civicgrid.gridops.fieldwork.queries import joint as q
from civicgrid.gridops.fieldwork.tests.conftest import NOW, TODAY, at


@pytest.fixture
def case_a(world):
    data = IntakeInput(description="楼下有人聚众赌博", channel="grid", category_code="5001",
                       region_code=world.tree.micro_a.code)
    return submit_case(actor=world.grid_a, data=data).case


def test_a_grid_case_referred_to_police_tells_the_communitys_police(world, case_a):
    Notification.objects.all().delete()

    referral = actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="涉嫌违法,需公安处置")

    assert (referral.direction, referral.status, referral.police_department, referral.referred_at) == (
        "to_police", "pending", world.police_dept, NOW)
    assert list(Notification.objects.values_list("user__username", "kind")) == [("pol_a", "police_referral")]
    assert AuditEvent.objects.get(action="fieldwork.refer_case_to_police").details["case"] == case_a.number


def test_the_nearest_police_station_receives_the_referral(world, case_a):
    station = Department.objects.create(code="GAFJ-A", name="A派出所", kind=DepartmentKind.POLICE,
                                        region=world.tree.street_a)

    referral = actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="需公安处置")

    assert referral.police_department == station


def test_one_pending_referral_per_case(world, case_a):
    actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="一")

    with pytest.raises(errors.Conflict):
        actions.refer_case_to_police(actor=world.micro_a, case=case_a, reason="二")
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("viewer,error", [("grid_b", errors.NotFound), ("police_b", errors.NotFound),
                                          ("volunteer", errors.NotFound), ("leader", errors.Forbidden)])
def test_a_denied_referral_changes_nothing(world, case_a, viewer, error):
    Notification.objects.all().delete()

    with pytest.raises(error):
        actions.refer_case_to_police(actor=getattr(world, viewer), case=case_a, reason="x")

    assert Referral.objects.count() == 0 and Notification.objects.count() == 0
    assert AuditEvent.objects.filter(result="denied").count() == 1


def test_a_referral_needs_a_police_unit_and_an_open_case(world, case_a):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="x",
                                     department=Department.objects.get(code="SFJ"))
    assert exc.value.code == "department_not_police"
    Case.objects.filter(pk=case_a.pk).update(is_open=False)
    case_a.refresh_from_db()
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="x")
    assert exc.value.code == "case_closed"


def test_the_police_liaison_accepts_or_declines_once(world, case_a):
    referral = actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="需公安处置")
    Notification.objects.all().delete()

    with pytest.raises(errors.ValidationFailed):
        actions.answer_referral(actor=world.police_a, referral=referral, accept=False)
    answered = actions.answer_referral(actor=world.police_a, referral=referral, accept=False, reply="属民事纠纷,建议调解")

    assert (answered.status, answered.replied_by, answered.reply) == ("declined", world.police_a, "属民事纠纷,建议调解")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["gw_a"]
    with pytest.raises(errors.Conflict):
        actions.answer_referral(actor=world.police_a, referral=referral, accept=True)


@pytest.mark.parametrize("viewer,error", [("grid_a", errors.Forbidden), ("police_b", errors.NotFound)])
def test_only_the_communitys_police_liaison_answers(world, case_a, viewer, error):
    referral = actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="需公安处置")

    with pytest.raises(error):
        actions.answer_referral(actor=getattr(world, viewer), referral=referral, accept=True)
    assert Referral.objects.get().status == "pending"


def test_a_police_referral_becomes_a_case(world):
    referral = actions.receive_police_referral(
        actor=world.police_a, region=world.tree.micro_a, description="110接警:邻居因噪声多次争吵,需社区调解",
        category_code="2002", police_reference="JQ20250620001", idempotency_key="p-1")

    case = referral.case
    assert (referral.direction, referral.status, referral.police_reference) == (
        "from_police", "accepted", "JQ20250620001")
    assert (case.channel, case.case_type, case.reporter, case.reporter_name, case.region) == (
        "police", "dispute", None, "公安分局", world.tree.micro_a)
    again = actions.receive_police_referral(
        actor=world.police_a, region=world.tree.micro_a, description="110接警:邻居因噪声多次争吵,需社区调解",
        category_code="2002", police_reference="JQ20250620001", idempotency_key="p-1")
    assert again == referral and Case.objects.count() == 1
    with pytest.raises(errors.ValidationFailed) as reused:  # the same key for another referral
        actions.receive_police_referral(actor=world.police_a, region=world.tree.micro_a, description="另一起警情",
                                        category_code="2002", idempotency_key="p-1")
    assert reused.value.code == "idempotency_key_reused" and Case.objects.count() == 1


@pytest.mark.parametrize("viewer,error", [("grid_a", errors.Forbidden), ("police_b", errors.NotFound),
                                          ("volunteer", errors.NotFound)])
def test_a_denied_police_referral_changes_nothing(world, viewer, error):
    with pytest.raises(error):
        actions.receive_police_referral(actor=getattr(world, viewer), region=world.tree.micro_a,
                                        description="x", category_code="2002")

    assert (Referral.objects.count(), Case.objects.count()) == (0, 0)


def test_a_joint_patrol_records_both_parties(world):
    record = actions.record_joint_work(
        actor=world.police_a, kind="patrol", region=world.tree.grid_a, summary="夜间联合巡逻,检查出租屋3处",
        police_participants=[world.police_a], grid_participants=[world.grid_a, world.micro_a],
        started_at=at(TODAY, 9), ended_at=at(TODAY, 11), place="幸福里小区")

    assert list(record.police_participants.all()) == [world.police_a]
    assert set(record.grid_participants.all()) == {world.grid_a, world.micro_a}
    assert AuditEvent.objects.get(action="fieldwork.record_joint_work").details["kind"] == "patrol"


@pytest.mark.parametrize("police,grid,code", [
    ([], ["grid_a"], "police_participants_required"),
    (["police_a"], [], "grid_participants_required"),
    (["police_a"], ["grid_b"], "grid_participants_not_in_scope"),
    (["police_b"], ["grid_a"], "police_participants_not_in_scope"),
    (["grid_a"], ["grid_a"], "police_participants_not_in_scope"),
])
def test_a_joint_record_needs_both_parties_of_that_place(world, police, grid, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_joint_work(actor=world.police_a, kind="check", region=world.tree.grid_a, summary="联查",
                                  police_participants=[getattr(world, u) for u in police],
                                  grid_participants=[getattr(world, u) for u in grid])

    assert exc.value.code == code and JointRecord.objects.count() == 0


def test_joint_times_must_make_sense(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_joint_work(actor=world.police_a, kind="check", region=world.tree.grid_a, summary="联查",
                                  police_participants=[world.police_a], grid_participants=[world.grid_a],
                                  started_at=at(TODAY, 9), ended_at=at(TODAY, 8))
    assert exc.value.code == "ended_before_started"


@pytest.mark.parametrize("viewer,error", [("grid_a", errors.Forbidden), ("police_b", errors.NotFound)])
def test_a_denied_joint_record_changes_nothing(world, viewer, error):
    with pytest.raises(error):
        actions.record_joint_work(actor=getattr(world, viewer), kind="patrol", region=world.tree.grid_a,
                                  summary="x", police_participants=[world.police_a], grid_participants=[world.grid_a])

    assert JointRecord.objects.count() == 0


def test_the_shared_view_shows_each_side_its_communitys_cases_and_referrals(world, case_a):
    data = IntakeInput(description="B侧案件", channel="grid", category_code="5001", region_code=world.tree.micro_b.code)
    case_b = submit_case(actor=world.grid_b, data=data).case
    actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="需公安处置")

    assert list(q.community_cases(world.police_a)) == [case_a]
    assert list(q.community_cases(world.police_b)) == [case_b]
    assert [r.case for r in q.referrals_visible(world.grid_a)] == [case_a]
    assert list(q.referrals_visible(world.police_b)) == []
    assert list(q.referrals_visible(world.volunteer)) == []


def test_the_monthly_summary_counts_each_communitys_joint_work(world, case_a, key_persons):
    referral = actions.refer_case_to_police(actor=world.grid_a, case=case_a, reason="需公安处置")
    actions.answer_referral(actor=world.police_a, referral=referral, accept=True)
    actions.receive_police_referral(actor=world.police_a, region=world.tree.micro_a, description="警情移交",
                                    category_code="2002")
    actions.record_joint_work(actor=world.police_a, kind="patrol", region=world.tree.grid_a, summary="联巡",
                              police_participants=[world.police_a], grid_participants=[world.grid_a])
    actions.record_follow_up(actor=world.police_a, assignment=key_persons[0], method="home_visit")
    with clock.at(at(date(2025, 5, 30))):  # last month: not counted
        actions.record_joint_work(actor=world.police_a, kind="check", region=world.tree.grid_a, summary="联查",
                                  police_participants=[world.police_a], grid_participants=[world.grid_a])

    summary = q.monthly_summary(world.police_a, day=TODAY, today=TODAY)

    assert summary["month"] == date(2025, 6, 1) and summary["sees_key_persons"] is True
    assert summary["rows"] == [{
        "community_code": world.tree.community_a.code, "community_name": "社区A",
        "to_police": 1, "to_police_accepted": 1, "to_police_declined": 0, "to_police_pending": 0,
        "from_police": 1, "from_police_closed": 0, "joint_total": 1, "joint_patrol": 1, "joint_check": 0,
        "joint_mediation": 0, "joint_visit": 0, "key_persons": 1, "key_persons_overdue": 0,
        "follow_ups_with_police": 1,
    }]
    leader = q.monthly_summary(world.leader, day=TODAY, today=TODAY)
    assert [r["community_name"] for r in leader["rows"]] == ["社区A", "社区B"]
    assert leader["sees_key_persons"] is False and leader["rows"][0]["key_persons"] is None
    assert leader["totals"]["to_police"] == 1 and leader["totals"]["key_persons"] is None
    grid = q.monthly_summary(world.grid_a, day=TODAY - timedelta(days=30), today=TODAY)
    assert [(r["community_name"], r["joint_check"]) for r in grid["rows"]] == [("社区A", 1)]


def test_a_joint_action_cannot_end_in_the_future(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_joint_work(
            actor=world.police_a, kind="patrol", region=world.tree.grid_a, summary="夜间联合巡逻",
            police_participants=[world.police_a], grid_participants=[world.grid_a],
            started_at=at(TODAY, 15), ended_at=at(TODAY, 18))  # the clock says 16:00
    assert exc.value.code == "time_in_future" and exc.value.details["field"] == "ended_at"
    assert JointRecord.objects.count() == 0
