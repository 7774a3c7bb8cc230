"""Investment actions: the scope matrix (another park's officer, another enterprise's contact, a resident:
NotFound; the leader: Forbidden on writes; nothing changed), bad input with its 422 codes and nothing
written, stages forward only, monthly reports and their review, leads and funds in place."""

from datetime import date
from decimal import Decimal

import pytest

from civicgrid.core import errors
from civicgrid.investment import actions, queries
from civicgrid.investment.choices import ReportStatus
from civicgrid.investment.models import FundsInPlace, InvestmentReport, Lead, Project, ProjectMilestone
from civicgrid.investment.tests.conftest import project_input

pytestmark = pytest.mark.django_db


def snapshot():
    return (Project.objects.count(), ProjectMilestone.objects.count(),
            list(InvestmentReport.objects.values_list("month", "amount", "cumulative", "status")),
            Lead.objects.count(), FundsInPlace.objects.count(), list(Project.objects.values_list("stage", "name")))


def lead_input(**extra) -> actions.LeadInput:
    data = {"name": "新材料产业园项目", "investor": "某集团有限公司", "source": "chain", "industry_code": "C2614",
            "amount": "300000000", "currency": "CNY", "found_on": date(2026, 1, 5), **extra}
    return actions.LeadInput(**data)


def signed_lead(w, signed_on=date(2026, 3, 1)) -> Lead:
    lead = actions.create_lead(actor=w.officer_tc, data=lead_input())
    actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="negotiating", on=date(2026, 2, 1))
    return actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="signed", on=signed_on)


# --- scope matrix ------------------------------------------------------------------------------------

def test_who_sees_which_project(iworld):
    w = iworld
    a, b = w.project_a.pk, w.project_b.pk
    seen = {u: set(queries.projects_visible(u).values_list("pk", flat=True)) for u in (
        w.officer_a, w.officer_b, w.officer_zone, w.officer_tc, w.leader, w.contact_a, w.contact_b, w.resident)}
    assert seen[w.officer_a] == {a} and seen[w.officer_b] == {b}
    assert seen[w.officer_zone] == seen[w.officer_tc] == seen[w.leader] == {a, b}
    assert seen[w.contact_a] == {a} and seen[w.contact_b] == {b}
    assert seen[w.resident] == set()
    # leads and funds: the zone's departments and the leader (a park's office: its park's leads), never
    # an enterprise contact
    lead, in_park_a = signed_lead(w), actions.create_lead(actor=w.officer_a, data=lead_input(park="PA"))
    viewers = (w.officer_a, w.officer_b, w.officer_zone, w.leader, w.contact_a, w.resident)
    assert [u for u in viewers if queries.leads_visible(u).filter(pk=lead.pk).exists()] == [w.officer_zone, w.leader]
    assert [u for u in viewers if queries.leads_visible(u).filter(pk=in_park_a.pk).exists()] == [
        w.officer_a, w.officer_zone, w.leader]


def test_the_fast_look_ups_agree_with_the_scoped_query(iworld):
    """Projects and enterprises as the actions fetch them (core.scoping.fetch_visible) against the scoped
    query: the same rows for every kind of viewer, a former contact included."""
    from civicgrid.enterprises.actions._common import ENTERPRISE_RELATED
    from civicgrid.enterprises.models import Enterprise, EnterpriseContact
    from civicgrid.investment.actions._common import PROJECT_RELATED
    from civicgrid.testing import fetch_disagreements, make_user

    w = iworld
    former = make_user("contact_former", "enterprise_contact")
    EnterpriseContact.objects.create(enterprise=w.ent_b, user=former, is_active=False)
    users = [w.officer_a, w.officer_b, w.officer_zone, w.officer_tc, w.officer_gj, w.leader, w.contact_a,
             w.contact_b, w.resident, w.admin, former, make_user("nobody")]
    projects = [w.project_a.pk, w.project_b.pk, 0]
    assert fetch_disagreements(Project, users, projects, PROJECT_RELATED, "investment.view_project") == []
    enterprises = [w.ent_a.pk, w.ent_b.pk, 0]
    assert fetch_disagreements(Enterprise, users, enterprises, ENTERPRISE_RELATED, "enterprises.view_enterprise") == []


@pytest.mark.parametrize("who", ["officer_b", "contact_b", "resident"])
def test_out_of_scope_is_not_found_and_changes_nothing(iworld, who):
    w = iworld
    user = getattr(w, who)
    actions.submit_report(actor=w.contact_a, project_id=w.project_a.pk, month=date(2026, 6, 1), amount_yuan="1000")
    report = InvestmentReport.objects.get()
    before = snapshot()
    calls = [
        lambda: queries.project_visible(user, w.project_a.pk),
        lambda: actions.advance_stage(actor=user, project_id=w.project_a.pk, stage="approved",
                                      happened_on=date(2026, 2, 1)),
        lambda: actions.submit_report(actor=user, project_id=w.project_a.pk, month=date(2026, 5, 1),
                                      amount_yuan="10"),
        lambda: actions.review_report(actor=user, report_id=report.pk, accept=True),
        lambda: actions.register_project(actor=user, data=project_input(w.ent_a, 9)),
        lambda: actions.record_approval(actor=user, project_id=w.project_a.pk, item_code="X", status="needed"),
    ]
    for call in calls:
        with pytest.raises(errors.NotFound):
            call()
    assert snapshot() == before


def test_leader_reads_but_may_not_write(iworld):
    w = iworld
    assert queries.project_visible(w.leader, w.project_a.pk) == w.project_a
    before = snapshot()
    with pytest.raises(errors.Forbidden):
        actions.advance_stage(actor=w.leader, project_id=w.project_a.pk, stage="approved", happened_on=date(2026, 2, 1))
    with pytest.raises(errors.Forbidden):
        actions.submit_report(actor=w.leader, project_id=w.project_a.pk, month=date(2026, 6, 1), amount_yuan="1")
    with pytest.raises(errors.Forbidden):
        actions.create_lead(actor=w.leader, data=lead_input())
    # a contact reports but may not move the stage
    with pytest.raises(errors.Forbidden):
        actions.advance_stage(actor=w.contact_a, project_id=w.project_a.pk, stage="approved",
                              happened_on=date(2026, 2, 1))
    assert snapshot() == before


# --- projects ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra,code_", [
    ({"code": "2026-211004-26-03-1234"}, "project_code_invalid"),
    ({"code": "2027-211004-26-03-123457"}, "project_code_invalid"),
    ({"total_investment": "0"}, "project_investment_invalid"),
    ({"total_investment": "abc"}, "number_invalid"),
    ({"currency": ""}, "currency_required"),
    ({"currency": None}, "currency_required"),
    ({"currency": "XXX"}, "currency_invalid"),
    ({"is_key": True}, "key_level_invalid"),
    ({"key_level": "city"}, "key_level_invalid"),
    ({"signed_on": date(2026, 8, 1)}, "project_signed_future"),
    ({"planned_start_on": date(2026, 9, 1), "planned_completion_on": date(2026, 8, 1)}, "project_dates_order"),
    ({"industry_code": "C9999"}, "industry_code_unknown"),
    ({"review_department": "NOPE"}, "review_department_unknown"),
    ({"name": " "}, "project_name_required"),
])
def test_bad_project_input_is_422_and_writes_nothing(iworld, extra, code_):
    before = snapshot()
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.register_project(actor=iworld.officer_a, data=project_input(iworld.ent_a, 5, **extra))
    assert exc.value.code == code_ and exc.value.status == 422
    assert snapshot() == before


def test_code_is_normalised_and_unique(iworld):
    project = actions.register_project(actor=iworld.officer_a, data=project_input(
        iworld.ent_a, 5, code="2026211004260300005x", is_key=True, key_level="province"))
    assert project.code == "2026-211004-26-03-00005X" and project.industry_code == "C2614"
    assert project.park == iworld.park_a and project.stage == "signed"
    assert list(project.milestones.values_list("stage", "happened_on")) == [("signed", date(2026, 1, 10))]
    with pytest.raises(errors.Conflict) as exc:
        actions.register_project(actor=iworld.officer_zone, data=project_input(
            iworld.ent_b, 5, code="2026-211004-26-03-00005X"))
    assert exc.value.code == "project_code_taken"


def test_stage_moves_forward_one_dated_step_at_a_time(iworld):
    w, pk = iworld, iworld.project_a.pk
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.advance_stage(actor=w.officer_a, project_id=pk, stage="started", happened_on=date(2026, 2, 1))
    assert exc.value.code == "stage_not_next"
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.advance_stage(actor=w.officer_a, project_id=pk, stage="approved", happened_on=date(2026, 1, 1))
    assert exc.value.code == "milestone_before_previous"
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.advance_stage(actor=w.officer_a, project_id=pk, stage="approved", happened_on=date(2026, 7, 16))
    assert exc.value.code == "milestone_future"
    actions.advance_stage(actor=w.officer_a, project_id=pk, stage="approved", happened_on=date(2026, 2, 1))
    first = actions.advance_stage(actor=w.officer_a, project_id=pk, stage="started", happened_on=date(2026, 3, 2))
    again = actions.advance_stage(actor=w.officer_a, project_id=pk, stage="started", happened_on=date(2026, 3, 2))
    assert first.pk == again.pk
    project = Project.objects.get(pk=pk)
    assert project.stage == "started" and project.actual_start_on == date(2026, 3, 2)
    assert list(project.milestones.values_list("stage", flat=True)) == ["signed", "approved", "started"]


def test_projects_started_counts_five_million_yuan_and_up_started_in_the_period(iworld):
    w = iworld
    small = actions.register_project(actor=w.officer_a, data=project_input(w.ent_a, 6, total_investment="4999999.99"))
    usd = actions.register_project(actor=w.officer_a, data=project_input(w.ent_a, 7, currency="USD"))
    for project in (w.project_a, w.project_b, small, usd):
        actions.advance_stage(actor=w.officer_zone, project_id=project.pk, stage="approved",
                              happened_on=date(2026, 2, 1))
        actions.advance_stage(actor=w.officer_zone, project_id=project.pk, stage="started",
                              happened_on=date(2026, 3, 1) if project != w.project_b else date(2026, 2, 1))
    assert queries.projects_started(w.leader, date(2026, 1, 1), date(2026, 7, 15)) == 2  # A and B
    assert queries.projects_started(w.leader, date(2026, 3, 1), date(2026, 7, 15)) == 1
    assert queries.projects_started(w.contact_b, date(2026, 1, 1), date(2026, 7, 15)) == 1


# --- monthly reports ---------------------------------------------------------------------------------

def test_reports_cumulative_review_and_figure_sum(iworld):
    w, pk = iworld, iworld.project_a.pk
    may = actions.submit_report(actor=w.contact_a, project_id=pk, month=date(2026, 5, 20), amount_yuan="1000000")
    assert (may.month, may.cumulative, may.status) == (date(2026, 5, 1), Decimal("1000000"), ReportStatus.SUBMITTED)
    june = actions.submit_report(actor=w.officer_a, project_id=pk, month=date(2026, 6, 1), amount_yuan="500000",
                                 cumulative="1500000")
    # the 规划建设部 reviews project B, not A
    with pytest.raises(errors.Forbidden) as exc:
        actions.review_report(actor=w.officer_gj, report_id=may.pk, accept=True)
    assert exc.value.code == "report_not_your_department"
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.review_report(actor=w.officer_tc, report_id=june.pk, accept=False)
    assert exc.value.code == "review_note_required"
    actions.review_report(actor=w.officer_tc, report_id=may.pk, accept=True)
    actions.review_report(actor=w.officer_tc, report_id=june.pk, accept=False, note="请附进度照片")
    assert queries.investment_completed(w.leader, date(2026, 1, 1), date(2026, 7, 15)) == Decimal("1000000")
    assert [r.pk for r in queries.reports_to_review(w.officer_tc)] == []
    # the returned month is resubmitted and reviewed again; an accepted month stays as it is
    actions.submit_report(actor=w.contact_a, project_id=pk, month=date(2026, 6, 1), amount_yuan="600000")
    assert [r.month for r in queries.reports_to_review(w.officer_tc)] == [date(2026, 6, 1)]
    assert list(queries.reports_to_review(w.officer_gj)) == []
    actions.review_report(actor=w.officer_tc, report_id=june.pk, accept=True)
    with pytest.raises(errors.Conflict) as exc:
        actions.review_report(actor=w.officer_tc, report_id=june.pk, accept=True)
    assert exc.value.code == "report_not_submitted"
    with pytest.raises(errors.Conflict) as exc:
        actions.submit_report(actor=w.contact_a, project_id=pk, month=date(2026, 6, 1), amount_yuan="1")
    assert exc.value.code == "report_already_accepted"
    assert queries.investment_completed(w.leader, date(2026, 1, 1), date(2026, 7, 15)) == Decimal("1600000")
    assert InvestmentReport.objects.get(month=date(2026, 6, 1)).cumulative == Decimal("1600000")


@pytest.mark.parametrize("month,amount,cumulative,code_", [
    (date(2026, 8, 1), "1", None, "report_month_future"),
    (date(2025, 12, 1), "1", None, "report_month_before_signing"),
    (date(2026, 6, 1), "-5", None, "report_amount_invalid"),
    (date(2026, 6, 1), "1.001", None, "report_amount_invalid"),
    (date(2026, 6, 1), "100", "1999", "report_cumulative_falls"),  # May's cumulative is 2000
    (date(2026, 4, 1), "100", "3500", "report_cumulative_falls"),  # above May's 2000: May would fall
    (date(2026, 6, 1), "100", "-1", "report_cumulative_invalid"),
])
def test_bad_report_is_422_and_writes_nothing(iworld, month, amount, cumulative, code_):
    w = iworld
    actions.submit_report(actor=w.contact_a, project_id=w.project_a.pk, month=date(2026, 5, 1), amount_yuan="2000")
    before = snapshot()
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.submit_report(actor=w.contact_a, project_id=w.project_a.pk, month=month, amount_yuan=amount,
                              cumulative=cumulative)
    assert exc.value.code == code_
    assert snapshot() == before


def test_a_retried_report_is_one_report(iworld):
    w = iworld
    kwargs = {"actor": w.contact_a, "project_id": w.project_a.pk, "month": date(2026, 7, 1), "amount_yuan": "10",
              "idempotency_key": "phone-1"}
    assert actions.submit_report(**kwargs).pk == actions.submit_report(**kwargs).pk
    assert InvestmentReport.objects.count() == 1
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.submit_report(**{**kwargs, "amount_yuan": "11"})
    assert exc.value.code == "idempotency_key_reused"


# --- leads and funds ---------------------------------------------------------------------------------

def test_lead_pipeline_forward_only_and_funds_after_signing(iworld):
    w = iworld
    lead = actions.create_lead(actor=w.officer_tc, data=lead_input(park="PA"))
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="signed", on=date(2026, 2, 1))
    assert exc.value.code == "lead_stage_not_next"
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_funds(actor=w.officer_tc, data=actions.FundsInput(
            origin="domestic", amount="100", currency="CNY", received_on=date(2026, 3, 1), lead_id=lead.pk))
    assert exc.value.code == "funds_lead_not_signed"
    actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="negotiating", on=date(2026, 2, 1))
    actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="signed", on=date(2026, 3, 1))
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="landed", on=date(2026, 2, 28))
    assert exc.value.code == "lead_date_before_previous"
    actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="landed", on=date(2026, 4, 1),
                         project_id=w.project_a.pk)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="funded", on=date(2026, 5, 1))
    assert exc.value.code == "lead_no_funds"
    before = snapshot()
    for extra, code_ in [({"received_on": date(2026, 2, 27)}, "funds_before_signing"),
                         ({"currency": ""}, "currency_required"),
                         ({"currency": None}, "currency_required"),
                         ({"amount": "0"}, "funds_amount_invalid"),
                         ({"origin": "mars"}, "funds_origin_invalid"),
                         ({"received_on": date(2026, 7, 16)}, "funds_date_future"),
                         ({"project_id": w.project_b.pk}, "funds_project_mismatch")]:
        data = {"origin": "domestic", "amount": "100", "currency": "CNY", "received_on": date(2026, 4, 2),
                "lead_id": lead.pk, **extra}
        with pytest.raises(errors.ValidationFailed) as exc:
            actions.record_funds(actor=w.officer_tc, data=actions.FundsInput(**data))
        assert exc.value.code == code_, extra
    assert snapshot() == before
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_funds(actor=w.officer_tc, data=actions.FundsInput(
            origin="domestic", amount="1", currency="CNY", received_on=date(2026, 4, 2)))
    assert exc.value.code == "funds_target_required"
    funds = actions.record_funds(actor=w.officer_tc, data=actions.FundsInput(
        origin="domestic", amount="250000000", currency="CNY", received_on=date(2026, 4, 2), lead_id=lead.pk))
    assert funds.project == w.project_a and funds.zone == w.zone and funds.park == w.park_a
    lead = actions.advance_lead(actor=w.officer_tc, lead_id=lead.pk, stage="funded", on=date(2026, 4, 2))
    assert lead.stage == "funded" and lead.funded_on == date(2026, 4, 2)
    assert [c["count"] for c in queries.pipeline(w.leader)] == [0, 0, 0, 0, 1]


def test_funds_growth_over_the_first_half_year(iworld):
    w = iworld
    record = lambda amount, day, origin="domestic", cur="CNY": actions.record_funds(  # noqa: E731
        actor=w.officer_zone, data=actions.FundsInput(origin=origin, amount=amount, currency=cur, received_on=day,
                                                       project_id=w.project_a.pk))
    since, until = date(2026, 1, 1), date(2026, 6, 30)
    assert queries.funds_growth(w.leader, since, until).reason == "no_base"  # nothing at all yet
    record("1000", date(2026, 2, 1))
    record("371.30", date(2026, 6, 30))
    record("999", date(2026, 7, 1))  # second half: not counted
    record("500", date(2026, 3, 1), origin="foreign")  # foreign: not 国内到位资金
    record("77", date(2026, 3, 1), cur="USD")
    result = queries.funds_growth(w.leader, since, until)
    assert (result.current, result.base, result.percent, result.reason) == (Decimal("1371.30"), 0, None, "no_base")
    record("1000", date(2025, 6, 30))  # last year's first half, same days
    record("5", date(2025, 7, 1))
    result = queries.funds_growth(w.leader, since, until)
    assert (result.current, result.base, result.percent) == (Decimal("1371.30"), Decimal("1000"), Decimal("37.13"))
