import pytest

from civicgrid.cases import actions
from civicgrid.cases.chain import verify_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, CaseEvent, FollowUp, Notification
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import errors
from civicgrid.demo import evidence as demo_evidence

pytestmark = pytest.mark.django_db


def step(actor, case, action, **facts):
    comment = facts.pop("comment", "")  # photos named by a label are generated and uploaded first
    return demo_evidence.take(actor, case.pk, action, facts, comment=comment).case


def test_urban_event_closed_loop(world):
    case = actions.submit_case(
        actor=world.grid_a,
        data=IntakeInput(description="小区门口有成堆垃圾", channel="grid", category_code="0102", **POINT_A),
    ).case
    assert case.state == "reported" and case.region == world.tree.micro_a
    assert case.department == world.cg  # the category's default department
    assert case.number and case.event_count == 1
    assert "workers" in case.routing and "gw_a" in case.routing["workers"]["grid_worker"]

    case = step(world.dispatcher, case, "file")
    case = step(world.dispatcher, case, "dispatch", department="CGJ")
    assert case.due_at is not None
    case = step(world.handler, case, "sign")
    assert case.state == "processing" and case.responded_at is not None
    case = step(world.handler, case, "feedback", comment="已清运", attachments=["photo-1"])
    case = step(world.grid_a, case, "verify", attachments=["photo-2"])
    case = step(world.dispatcher, case, "close")
    case = step(world.dispatcher, case, "evaluate", satisfaction=5)
    assert case.state == "evaluated" and not case.is_open and case.satisfaction == 5
    assert verify_case(case) is None
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "submit", "file", "dispatch", "sign", "feedback", "verify", "close", "evaluate"]
    assert FollowUp.objects.filter(case=case).count() == 1
    assert Notification.objects.filter(user=world.handler, case=case, kind="dispatch").exists()


def test_citizen_request_with_return_extension_and_rework(world):
    case = actions.submit_case(
        actor=world.resident,
        data=IntakeInput(description="家里停水两天了", channel="resident", category_code="3001", **POINT_A),
    ).case
    assert case.reporter == world.resident and case.state == "received"
    case = step(world.dispatcher, case, "dispatch", department="CGJ")
    case = step(world.handler, case, "return", reason="非本单位职责")
    assert case.state == "received" and case.return_count == 1 and case.department is None
    assert not Case.objects.visible_to(world.handler).filter(pk=case.pk).exists()  # no longer its case
    assert Case.objects.visible_to(world.dispatcher).filter(pk=case.pk).exists()
    case = step(world.dispatcher, case, "dispatch", department="CGJ")
    assert Case.objects.visible_to(world.handler).filter(pk=case.pk).exists()
    case = step(world.handler, case, "sign")
    case = step(world.handler, case, "contact", comment="已电话联系")
    due = case.due_at
    later = due.replace(year=due.year + 1)
    case = step(world.handler, case, "request_extension", extension_until=later.isoformat(), reason="需更换管道")
    assert case.due_at == due  # not moved until approved
    case = step(world.dispatcher, case, "approve_extension")
    assert case.due_at == later and case.extension_count == 1
    case = step(world.handler, case, "reply", comment="已修复")
    case = step(world.resident, case, "rework", satisfaction=2, resolved=False, reason="仍然水压低")
    assert case.state == "handling" and case.rework_count == 1
    case = step(world.handler, case, "reply", comment="已加压")
    case = step(world.resident, case, "callback", satisfaction=4, resolved=True)
    assert case.state == "closed" and case.resolved is True and verify_case(case) is None


def test_unsatisfied_close_needs_an_explanation(world):
    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="路灯不亮", channel="resident", category_code="3003", **POINT_A)).case
    for actor, action, facts in [(world.dispatcher, "dispatch", {"department": "CGJ"}), (world.handler, "sign", {}),
                                 (world.handler, "contact", {"comment": "联系"}), (world.handler, "reply", {"comment": "修"})]:
        case = step(actor, case, action, **facts)
    with pytest.raises(errors.ValidationFailed) as exc:
        step(world.resident, case, "callback", satisfaction=1, resolved=False)
    assert exc.value.code == "unsatisfied_needs_explanation"
    assert Case.objects.get(pk=case.pk).state == "replied"


def test_denials_change_nothing(world):
    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="噪声", channel="resident", category_code="3005", **POINT_A)).case
    events = CaseEvent.objects.count()
    with pytest.raises(errors.NotFound):  # grid worker B cannot see a case in grid A
        step(world.grid_b, case, "dispatch", department="CGJ")
    with pytest.raises(errors.Forbidden):  # the reporter may not dispatch
        step(world.resident, case, "dispatch", department="CGJ")
    with pytest.raises(errors.ValidationFailed) as exc:
        step(world.dispatcher, case, "dispatch")
    assert exc.value.code == "missing_fields"
    with pytest.raises(errors.Conflict):  # not a legal move in this state
        step(world.dispatcher, case, "callback", satisfaction=5, resolved=True)
    assert CaseEvent.objects.count() == events and Case.objects.get(pk=case.pk).state == "received"


def test_a_step_out_of_reach_or_on_no_case_is_404_and_writes_nothing(world):
    from civicgrid.core.models import AuditEvent

    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="噪声", channel="resident", category_code="3005", **POINT_A)).case
    before = (CaseEvent.objects.count(), AuditEvent.objects.count())
    for actor, case_id in ((world.grid_b, case.pk), (world.resident_b, case.pk), (None, case.pk),
                           (world.dispatcher, case.pk + 1000), (world.dispatcher, "x"), (world.dispatcher, None)):
        with pytest.raises(errors.NotFound):
            actions.transition_case(actor=actor, case_id=case_id, action="dispatch", facts={"department": "CGJ"})
    assert (CaseEvent.objects.count(), AuditEvent.objects.count()) == before
    assert Case.objects.get(pk=case.pk).state == "received"
    actions.transition_case(actor=world.dispatcher, case_id=str(case.pk), action="dispatch",
                            facts={"department": "CGJ"})  # in reach: the same step goes through
    assert Case.objects.get(pk=case.pk).department_id == world.cg.pk


def test_reach_reads_a_case_departments_only_for_a_department_grant(world):
    """A region or reporter grant decides without the co-handling departments (a query per check); a
    department's grant reads them, and a co-handling department reaches the case through them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.cases.models import CaseDepartment
    from civicgrid.core.scoping import can
    from civicgrid.testing import make_department, make_user

    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="噪声", channel="resident", category_code="3005", **POINT_A)).case
    co = make_department("ZJJ", "住建局")
    CaseDepartment.objects.create(case=case, department=co)
    co_handler = make_user("zj", "department_handler", department=co)
    case = Case.objects.select_related("region").get(pk=case.pk)
    for actor, reaches in ((world.dispatcher, True), (world.grid_a, True), (world.grid_b, False),
                           (world.resident, True), (world.resident_b, False)):
        with CaptureQueriesContext(connection) as queries:
            assert can(actor, "cases.view_case", case) is reaches
        assert not any("casedepartment" in q["sql"] for q in queries.captured_queries), actor
    with CaptureQueriesContext(connection) as queries:
        assert can(co_handler, "cases.view_case", case) is True
    assert any("casedepartment" in q["sql"] for q in queries.captured_queries)
    assert can(world.handler, "cases.view_case", case) is False


def test_intake_bad_input(world):
    def submit(**kw):
        base = {"description": "问题", "channel": "resident", "category_code": "0102", **POINT_A}
        base.update(kw)
        with pytest.raises(errors.ValidationFailed) as exc:
            actions.submit_case(actor=world.resident, data=IntakeInput(**base))
        return exc.value.code

    assert submit(description=" ") == "description_required"
    assert submit(category_code="9999") == "category_unknown"
    assert submit(lat=10.0, lng=10.0) == "location_outside_district"
    assert submit(lat=None, lng=None) == "location_required"
    assert submit(lat=95.0) == "location_invalid"
    assert submit(channel="fax") == "channel_unknown"
    assert submit(answers={"nope": 1}) == "answers_unknown"
    assert Case.objects.count() == 0


def test_idempotent_intake(world):
    data = IntakeInput(description="井盖丢了", channel="resident", category_code="0601", **POINT_A)
    results = [actions.submit_case(actor=world.resident, data=data, idempotency_key="phone-123") for _ in range(10)]
    assert Case.objects.count() == 1
    assert [r.created for r in results] == [True] + [False] * 9


def test_rectification_deadline_governs_until_the_work_is_submitted(world):
    from datetime import date, timedelta

    from civicgrid.cases.sla import end_of_working_day
    from civicgrid.testing import make_department, make_user

    yjj = make_department("YJJ", "应急管理局")
    handler = make_user("yj", "department_handler", department=yjj)
    case = actions.submit_case(actor=world.grid_a, data=IntakeInput(
        description="楼道堆放杂物", channel="grid", category_code="4001", **POINT_A)).case
    day = date.today() + timedelta(days=20)
    with pytest.raises(errors.ValidationFailed) as exc:
        step(world.grid_a, case, "issue_notice", responsible_party="物业公司", deadline="2000-01-01")
    assert exc.value.code == "deadline_in_past"
    case = step(world.grid_a, case, "issue_notice", responsible_party="物业公司", deadline=day.isoformat())
    assert case.due_at == end_of_working_day(day)
    case = step(handler, case, "acknowledge")
    assert case.state == "rectifying" and case.due_at == end_of_working_day(day)  # not the 15-day default
    case = step(handler, case, "submit_rectification", comment="已清理", attachments=["照片"])
    assert case.state == "reviewing" and case.agreed_due_at is None and case.due_at < end_of_working_day(day)


def test_hard_case_leader_must_be_a_leader_and_is_told(world):
    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="证明材料反复跑了三趟还没办成", channel="resident", category_code="9001", **POINT_A)).case
    with pytest.raises(errors.ValidationFailed) as exc:
        step(world.dispatcher, case, "assign_leader", leader="不存在的人")
    assert exc.value.code == "leader_unknown"
    case = step(world.dispatcher, case, "assign_leader", leader=world.leader.display_name)
    assert case.routing["leader"]["username"] == world.leader.username
    assert Notification.objects.filter(user=world.leader, case=case, kind="assigned").exists()
