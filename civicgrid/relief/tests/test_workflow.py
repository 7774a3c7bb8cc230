"""The 一企一策 relief case through the case engine: intake by the contact, triage to a lead department with
co-handlers that each have a task and deadline, the 1 working hour / 3 / 5 working day deadlines, steps
recorded for external departments, typed outcomes, the rating; and every refusal changing nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from civicgrid.cases.actions import transition_case
from civicgrid.cases.models import Case, CaseDepartment, CaseEvent
from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.relief import actions, queries
from civicgrid.relief.models import Outcome
from civicgrid.relief.tests.conftest import TASKS, submit

TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)  # a Monday, inside working hours


def step(actor, case, action, **facts):
    return transition_case(actor=actor, case_id=case.pk, action=action, facts=facts).case


def test_contact_submits_and_desk_assigns_lead_and_co_handlers_with_their_own_deadlines(rworld):
    w = rworld
    with clock.at(MONDAY_10):
        relief = submit(w)
        case = relief.case
        assert (case.case_type, case.state, case.channel, case.reporter_id) == (
            "enterprise_relief", "received", "enterprise", w.contact_a.pk)
        assert case.department.code == "GXJFJ"  # the category's default: the zone's enterprise desk
        case = step(w.officer_zone, case, "assign", department="GX-TC",
                    tasks=[*TASKS[:2], {**TASKS[2], "due": "2026-12-09"}])
    assert case.state == "assigned"
    assert case.due_at == datetime(2026, 12, 7, 11, 0, tzinfo=TZ)  # contact within 1 working hour
    rows = {r.department.code: r for r in CaseDepartment.objects.filter(case=case).select_related("department")}
    assert rows["GX-TC"].role == "main"
    assert rows["SSWJ"].task == TASKS[0]["task"]
    assert rows["SSWJ"].due_at == datetime(2026, 12, 10, 10, 0, tzinfo=TZ)  # default: 3 working days
    assert rows["BANK-ICBC"].due_at == datetime(2026, 12, 9, 17, 30, tzinfo=TZ)  # its own date, end of day
    words = queries.lead_deadlines(case, now=MONDAY_10)
    assert [d["text"] for d in words] == [
        "须于 12月7日(周一)11:00前联系企业", "须于 12月10日(周四)10:00前制定方案", "须于 12月14日(周一)10:00前办结"]
    tasks = queries.tasks_of(case, now=MONDAY_10)
    assert tasks[2]["text"] == "须于 12月9日(周三)17:30前反馈" and tasks[2]["is_external"] is True


def test_plan_and_close_deadlines_count_from_assignment_not_from_each_step(rworld):
    w = rworld
    with clock.at(MONDAY_10):
        case = step(w.officer_zone, submit(w).case, "assign", department="GX-TC", tasks=TASKS[:1])
    with clock.at(datetime(2026, 12, 8, 15, 0, tzinfo=TZ)):  # a day late for the 1-hour contact
        case = step(w.officer_tc, case, "contact", comment="已电话联系企业")
        assert case.due_at == datetime(2026, 12, 10, 10, 0, tzinfo=TZ)  # plan: 3 working days of assignment
        assert case.responded_in_time is False
        case = step(w.officer_tc, case, "submit_plan", comment="市商务局协调解封,银行办理结汇")
        assert case.due_at == datetime(2026, 12, 14, 10, 0, tzinfo=TZ)  # close: 5 working days of assignment


def test_category_limits_override_the_workflow(rworld):
    w = rworld
    with clock.at(MONDAY_10):
        case = step(w.officer_zone, submit(w, category_code="8004").case, "assign", department="GX-TC")
        words = queries.lead_deadlines(case, now=MONDAY_10)
    assert words[2]["text"] == "须于 1月4日(周一)10:00前办结"  # 用地: 20 working days


def _to_handling(w, at=MONDAY_10):
    with clock.at(at):
        case = step(w.officer_zone, submit(w, is_tailored=True).case, "assign", department="GX-TC", tasks=TASKS)
        case = step(w.officer_tc, case, "contact", comment="已联系")
        case = step(w.officer_tc, case, "submit_plan", comment="一企一策方案")
    return case


def test_co_handlers_report_their_tasks_external_ones_recorded_by_an_officer(rworld):
    w = rworld
    case = _to_handling(w)
    with clock.at(datetime(2026, 12, 8, 9, 30, tzinfo=TZ)):
        step(w.gov_handler, case, "co_feedback", comment="已协调项目资金1亿元")
        result = transition_case(actor=w.officer_tc, case_id=case.pk, action="co_feedback",
                                 facts={"comment": "资本金账户已解除限制", "on_behalf_of": "SSWJ"})
    row = CaseDepartment.objects.get(case=case, department=w.city)
    assert (row.result, row.done_by, row.done_in_time) == ("资本金账户已解除限制", w.officer_tc, True)
    assert result.event.actor_id == w.officer_tc.pk
    assert result.event.data["on_behalf_of"] == {"code": "SSWJ", "name": "市商务局"}
    assert result.event.data["task_department"] == "SSWJ"
    entry = AuditEvent.objects.filter(action="cases.co_feedback").order_by("-id").first()
    assert entry.details["on_behalf_of"] == "SSWJ" and entry.actor_id == w.officer_tc.pk
    # the lead cannot conclude while the bank's task is open; nothing changes
    with pytest.raises(errors.Conflict) as exc:
        step(w.officer_tc, case, "conclude", comment="办结")
    assert exc.value.code == "co_tasks_open" and exc.value.details == ["BANK-ICBC"]
    assert Case.objects.get(pk=case.pk).state == "handling"


def test_external_step_refusals_change_nothing(rworld):
    w = rworld
    case = _to_handling(w)
    before = Case.objects.get(pk=case.pk).event_count
    cases = [
        (w.gov_handler, "SSWJ", errors.Forbidden, "external_record_not_allowed"),  # a handler may not record
        (w.officer_tc, "QZFB", errors.ValidationFailed, "department_not_external"),
        (w.officer_tc, "NOPE", errors.ValidationFailed, "department_unknown"),
    ]
    other = type(w.city).objects.create(code="SRMYH", name="人民银行市分行", kind="external")
    cases.append((w.officer_tc, other.code, errors.ValidationFailed, "department_not_on_case"))
    for actor, code, error, expected in cases:
        with pytest.raises(error) as exc:
            transition_case(actor=actor, case_id=case.pk, action="co_feedback",
                            facts={"comment": "x", "on_behalf_of": code})
        assert exc.value.code == expected
    assert Case.objects.get(pk=case.pk).event_count == before
    assert CaseDepartment.objects.filter(case=case, done_at__isnull=False).count() == 0


def test_acting_out_of_turn_is_refused(rworld):
    w = rworld
    with clock.at(MONDAY_10):
        case = step(w.officer_zone, submit(w).case, "assign", department="GX-TC", tasks=TASKS[:2])
        with pytest.raises(errors.Forbidden) as exc:  # a co-handler cannot make the lead's contact
            step(w.gov_handler, case, "contact", comment="x")
        assert exc.value.code == "role_not_allowed"
        with pytest.raises(errors.Conflict) as exc:  # co feedback only once the plan is made
            step(w.gov_handler, case, "co_feedback", comment="x")
        assert exc.value.code == "action_not_allowed_in_state"
        with pytest.raises(errors.Conflict) as exc:  # the enterprise cannot rate before the case is concluded
            step(w.contact_a, case, "rate", satisfaction=5, method="online")
        assert exc.value.code == "action_not_allowed_in_state"
    assert Case.objects.get(pk=case.pk).state == "assigned"


def test_full_case_with_typed_outcomes_and_rating(rworld):
    w = rworld
    case = _to_handling(w)
    relief = case.relief
    with clock.at(datetime(2026, 12, 9, 10, 0, tzinfo=TZ)):
        for code in ("SSWJ", "BANK-ICBC"):
            transition_case(actor=w.officer_tc, case_id=case.pk, action="co_feedback",
                            facts={"comment": "已完成", "on_behalf_of": code})
        step(w.gov_handler, case, "co_feedback", comment="已完成")
        actions.record_outcome(actor=w.officer_tc, relief_id=relief.pk, data=actions.OutcomeInput(
            kind="capital_increase", amount="7200000", currency="USD", department="SSWJ"))
        actions.record_outcome(actor=w.gov_handler, relief_id=relief.pk, data=actions.OutcomeInput(
            kind="funds_introduced", amount="100000000", currency="cny", department="QZFB"))
        case = step(w.officer_tc, case, "conclude", comment="资本金到位,项目资金引入")
        assert (case.state, case.closed_in_time) == ("concluded", None)
        case = step(w.contact_a, case, "rate", satisfaction=5, method="online")
    assert (case.state, case.is_open, case.satisfaction, case.closed_in_time) == ("closed", False, 5, True)
    got = [(o.kind, o.amount, o.currency) for o in Outcome.objects.filter(relief=relief).order_by("id")]
    assert got == [("capital_increase", Decimal("7200000.00"), "USD"),
                   ("funds_introduced", Decimal("100000000.00"), "CNY")]
    assert [queries.outcome_words(o) for o in queries.outcomes_of(relief)] == [
        "增资 7,200,000.00 美元", "引入资金 100,000,000.00 人民币"]


@pytest.mark.parametrize(("data", "code"), [
    ({"kind": "capital_increase", "amount": "7200000"}, "currency_required"),
    ({"kind": "capital_increase", "amount": "7200000", "currency": "XYZ"}, "currency_unknown"),
    ({"kind": "loan", "currency": "CNY"}, "amount_required"),
    ({"kind": "loan", "amount": "-5", "currency": "CNY"}, "amount_invalid"),
    ({"kind": "loan", "amount": "1.234", "currency": "CNY"}, "amount_invalid"),
    ({"kind": "jobs_kept"}, "jobs_required"),
    ({"kind": "jobs_kept", "jobs": 5, "amount": "10", "currency": "CNY"}, "amount_not_allowed"),
    ({"kind": "approval_unblocked"}, "note_required"),
    ({"kind": "bribe"}, "outcome_kind_unknown"),
    ({"kind": "loan", "amount": "10", "currency": "CNY", "department": "XFJ"}, "department_not_on_case"),
])
def test_bad_outcomes_are_422_and_write_nothing(rworld, data, code):
    w = rworld
    case = _to_handling(w)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_outcome(actor=w.officer_tc, relief_id=case.relief.pk, data=actions.OutcomeInput(**data))
    assert exc.value.code == code
    assert Outcome.objects.count() == 0


def test_outcomes_only_while_handled_and_not_by_the_contact(rworld):
    w = rworld
    with clock.at(MONDAY_10):
        relief = submit(w)
    with pytest.raises(errors.Conflict) as exc:
        actions.record_outcome(actor=w.officer_zone, relief_id=relief.pk,
                               data=actions.OutcomeInput(kind="loan", amount="10", currency="CNY"))
    assert exc.value.code == "case_not_in_handling"
    with pytest.raises(errors.Forbidden):
        actions.record_outcome(actor=w.contact_a, relief_id=relief.pk,
                               data=actions.OutcomeInput(kind="loan", amount="10", currency="CNY"))
    assert Outcome.objects.count() == 0


def test_bad_intake_is_refused(rworld):
    w = rworld
    with pytest.raises(errors.ValidationFailed) as exc:
        submit(w, category_code="9999")
    assert exc.value.code == "category_unknown"
    with pytest.raises(errors.ValidationFailed) as exc:
        submit(w, category_code="80")  # a group, not a category
    assert exc.value.code == "category_unknown"
    with pytest.raises(errors.NotFound):  # another enterprise's contact: as if it did not exist
        submit(w, actor=w.contact_b)
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_generic_intake_refuses_enterprise_case_types(rworld):
    from civicgrid.cases.actions import submit_case
    from civicgrid.cases.intake import IntakeInput

    with pytest.raises(errors.ValidationFailed) as exc:
        submit_case(actor=rworld.officer_zone, data=IntakeInput(description="x", category_code="8001",
                                                                region_code=rworld.tree.street_a.code))
    assert exc.value.code == "case_type_needs_app_intake"
    assert Case.objects.count() == 0
