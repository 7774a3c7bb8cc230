"""The innovation actions: posting, publishing, applying, the two-sided selection, milestones, platforms
and agreements; each refusal has its code and changes nothing."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.enterprises import actions as eactions
from civicgrid.enterprises.queries import today
from civicgrid.innovation import actions
from civicgrid.innovation.models import Agreement, Application, Challenge, Milestone, Platform
from civicgrid.innovation.tests.conftest import apply, post, published

pytestmark = pytest.mark.django_db


def code_of(call) -> tuple[int, str]:
    with pytest.raises(errors.DomainError) as caught:
        call()
    return caught.value.status, caught.value.code


def test_post_numbers_the_need_and_waits_for_the_department(iworld):
    w = iworld
    challenge = post(w)
    assert challenge.number == f"JB-{today().year}-0001" and challenge.status == "submitted"
    assert challenge.department == w.kc_dept and challenge.budget == Decimal("3000000")
    assert challenge.fields == ["fine_chemicals", "green_process"]
    assert post(w, title="第二项").number == f"JB-{today().year}-0002"
    assert AuditEvent.objects.filter(action="innovation.post_challenge", actor=w.contact_a).count() == 2


BAD_NEEDS = [
    ({"budget": "0"}, "budget_not_positive"),
    ({"budget": "-5"}, "budget_not_positive"),
    ({"budget": "abc"}, "number_invalid"),
    ({"budget": "1.005"}, "amount_invalid"),
    ({"deadline_days": 0}, "deadline_in_past"),
    ({"deadline_days": -3}, "deadline_in_past"),
    ({"deadline_days": 400}, "deadline_too_far"),
    ({"fields": []}, "fields_required"),
    ({"fields": ["space"]}, "field_unknown"),
    ({"goal": "  "}, "goal_required"),
    ({"complete_by_days": 10}, "complete_before_deadline"),
]


def test_bad_needs_are_422_and_write_nothing(iworld):
    for extra, expected in BAD_NEEDS:
        extra = dict(extra)
        if "deadline_days" in extra:
            extra["deadline"] = today() + timedelta(days=extra.pop("deadline_days"))
        if "complete_by_days" in extra:
            extra["complete_by"] = today() + timedelta(days=extra.pop("complete_by_days"))
        assert code_of(lambda e=extra: post(iworld, **e)) == (422, expected), extra
    assert not Challenge.objects.exists()


def test_who_may_post_for_an_enterprise(iworld):
    w = iworld
    assert code_of(lambda: post(w, actor=w.contact_b)) == (404, "not_found")
    assert code_of(lambda: post(w, actor=w.officer_b)) == (404, "not_found")
    assert code_of(lambda: post(w, actor=w.leader)) == (403, "forbidden")
    assert code_of(lambda: post(w, actor=w.resident)) == (404, "not_found")
    assert not Challenge.objects.exists()
    assert post(w, actor=w.officer_a).posted_by == w.officer_a  # an officer for the enterprise


def test_only_the_innovation_department_publishes(iworld):
    w = iworld
    challenge = post(w)
    for actor, expected in ((w.officer_zone, (403, "not_innovation_department")),
                            (w.contact_a, (403, "not_innovation_department")),
                            (w.officer_b, (404, "not_found")), (w.contact_b, (404, "not_found"))):
        assert code_of(lambda a=actor: actions.transition_challenge(
            actor=a, challenge_id=challenge.pk, action="publish")) == expected
    challenge.refresh_from_db()
    assert challenge.status == "submitted" and challenge.published_at is None
    done = actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="publish")
    assert done.status == "published" and done.published_at is not None
    assert code_of(lambda: actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="publish")) == (
        409, "transition_not_allowed")
    assert code_of(lambda: actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="fly")) == (
        422, "action_unknown")


def test_reject_and_withdraw_need_a_reason(iworld):
    w = iworld
    challenge = post(w)
    assert code_of(lambda: actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="reject")) == (
        422, "reason_required")
    withdrawn = actions.transition_challenge(actor=w.contact_a, challenge_id=challenge.pk, action="withdraw",
                                             reason="需求已自行解决")
    assert withdrawn.status == "withdrawn" and withdrawn.status_reason == "需求已自行解决"


def test_applications_only_while_on_the_board(iworld):
    w = iworld
    waiting = post(w)
    assert code_of(lambda: apply(w, waiting)) == (409, "challenge_closed")
    challenge = published(w, title="第二项")
    application = apply(w, challenge, quoted_budget="2800000")
    assert application.fields == ["fine_chemicals", "green_process"] and application.quoted_budget == Decimal("2800000")
    assert code_of(lambda: apply(w, challenge)) == (409, "already_applied")
    assert code_of(lambda: apply(w, challenge, team=w.team_digital, quoted_budget="0")) == (422, "budget_not_positive")
    assert code_of(lambda: actions.record_application(actor=w.contact_a, challenge_id=challenge.pk,
                                                      team_id=w.team_digital.pk, plan="x")) == (
        403, "not_innovation_department")
    Challenge.objects.filter(pk=challenge.pk).update(deadline=today() - timedelta(days=1))
    assert code_of(lambda: apply(w, challenge, team=w.team_digital)) == (409, "challenge_closed")
    actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="close")
    assert code_of(lambda: apply(w, challenge, team=w.team_digital)) == (409, "challenge_closed")
    assert Application.objects.count() == 1


def test_both_sides_must_choose_the_same_application(iworld):
    w = iworld
    challenge = published(w)
    first, second = apply(w, challenge), apply(w, challenge, team=w.team_digital)
    other = apply(w, published(w, title="别的需求"))

    def choose(actor, side, application):
        return actions.transition_challenge(actor=actor, challenge_id=challenge.pk, action=f"{side}_choose",
                                            application_id=application.pk if application else None)

    assert code_of(lambda: choose(w.contact_a, "enterprise", other)) == (422, "application_not_in_challenge")
    assert code_of(lambda: choose(w.contact_a, "enterprise", None)) == (422, "application_not_in_challenge")
    assert code_of(lambda: choose(w.contact_b, "enterprise", first)) == (404, "not_found")
    assert choose(w.contact_a, "enterprise", first).status == "published"
    assert choose(w.kc, "department", second).status == "published"  # they differ: nothing selected
    assert not Application.objects.filter(is_selected=True).exists()
    assert code_of(lambda: choose(w.contact_a, "department", first)) == (403, "not_innovation_department")
    selected = choose(w.kc, "department", first)
    assert selected.status == "selected" and selected.selected_at is not None and selected.selected == first
    assert list(Application.objects.filter(is_selected=True)) == [first]
    assert code_of(lambda: choose(w.kc2, "department", second)) == (409, "already_selected")
    assert code_of(lambda: choose(w.contact_a, "enterprise", second)) == (409, "already_selected")


def test_the_department_never_chooses_for_the_enterprise(iworld):
    w = iworld
    challenge = published(w)
    first = apply(w, challenge)
    assert code_of(lambda: actions.transition_challenge(
        actor=w.kc, challenge_id=challenge.pk, action="enterprise_choose", application_id=first.pk)) == (
        403, "department_for_enterprise")
    actions.transition_challenge(actor=w.contact_a, challenge_id=challenge.pk, action="enterprise_choose",
                                 application_id=first.pk)
    # the contact later joins the 科技创新部: still one person, so not the second approval
    make_user_role(w.contact_a, w.kc_dept)
    assert code_of(lambda: actions.transition_challenge(
        actor=w.contact_a, challenge_id=challenge.pk, action="department_choose", application_id=first.pk)) == (
        403, "same_person_both_sides")
    challenge.refresh_from_db()
    assert challenge.status == "published" and challenge.department_choice is None


def make_user_role(user, department):
    from civicgrid.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role="enterprise_officer", department=department)
    user.forget_grants()


def select(w, challenge, application):
    actions.transition_challenge(actor=w.contact_a, challenge_id=challenge.pk, action="enterprise_choose",
                                 application_id=application.pk)
    return actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="department_choose",
                                        application_id=application.pk)


def test_milestones_then_acceptance(iworld):
    w = iworld
    challenge = published(w)
    application = apply(w, challenge)
    assert code_of(lambda: actions.plan_milestone(actor=w.contact_a, challenge_id=challenge.pk, title="小试",
                                                  planned_on=today() + timedelta(days=60))) == (409, "not_selected")
    select(w, challenge, application)
    m1 = actions.plan_milestone(actor=w.contact_a, challenge_id=challenge.pk, title="小试", planned_on=today())
    m2 = actions.plan_milestone(actor=w.kc, challenge_id=challenge.pk, title="中试", planned_on=today() + timedelta(days=90))
    assert (m1.seq, m2.seq) == (1, 2)
    assert code_of(lambda: actions.plan_milestone(actor=w.contact_b, challenge_id=challenge.pk, title="x",
                                                  planned_on=today())) == (404, "not_found")
    assert code_of(lambda: actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="complete")) == (
        409, "milestones_open")
    assert code_of(lambda: actions.record_milestone(actor=w.contact_a, milestone_id=m1.pk,
                                                    achieved_on=today() + timedelta(days=1), evidence="报告")) == (
        422, "achieved_in_future")
    assert code_of(lambda: actions.record_milestone(actor=w.contact_a, milestone_id=m1.pk, achieved_on=today(),
                                                    evidence=" ")) == (422, "evidence_required")
    actions.record_milestone(actor=w.contact_a, milestone_id=m1.pk, achieved_on=today(), evidence="小试报告")
    assert code_of(lambda: actions.record_milestone(actor=w.kc, milestone_id=m1.pk, achieved_on=today(),
                                                    evidence="again")) == (409, "milestone_already_achieved")
    actions.record_milestone(actor=w.kc, milestone_id=m2.pk, achieved_on=today(), evidence="中试检测报告")
    assert code_of(lambda: actions.transition_challenge(actor=w.contact_a, challenge_id=challenge.pk,
                                                        action="complete")) == (403, "not_innovation_department")
    assert actions.transition_challenge(actor=w.kc, challenge_id=challenge.pk, action="complete").status == "completed"
    assert Milestone.objects.filter(achieved_on__isnull=False).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_department_choices_select_once(iworld):
    w = iworld
    challenge = published(w)
    first = apply(w, challenge)
    actions.transition_challenge(actor=w.contact_a, challenge_id=challenge.pk, action="enterprise_choose",
                                 application_id=first.pk)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def attempt(actor):
        try:
            barrier.wait()
            actions.transition_challenge(actor=actor, challenge_id=challenge.pk, action="department_choose",
                                         application_id=first.pk)
            results.append("ok")
        except errors.Conflict as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(actor,)) for actor in (w.kc, w.kc2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already_selected", "ok"]
    assert Application.objects.filter(is_selected=True).count() == 1
    assert AuditEvent.objects.filter(action="innovation.challenge.department_choose").count() == 1


def test_platforms_link_the_hosts_qualification(iworld):
    w = iworld
    q = eactions.record_qualification(actor=w.officer_a, enterprise_id=w.ent_a.pk, data=eactions.QualificationInput(
        kind="postdoctoral_station", issued_on=today() - timedelta(days=900)))
    other = eactions.record_qualification(actor=w.officer_b, enterprise_id=w.ent_b.pk, data=eactions.QualificationInput(
        kind="postdoctoral_station", issued_on=today() - timedelta(days=900)))

    def station(**extra):
        data = {"code": "PD-1", "name": "博士后科研工作站", "kind": "postdoc_station", "level": "national",
                "host_organisation": w.ent_a.name, "fields": ["fine_chemicals"], **extra}
        return actions.record_platform(actor=w.kc, data=actions.PlatformInput(**data))

    assert code_of(station) == (422, "host_enterprise_required")
    assert code_of(lambda: station(host_enterprise_id=w.ent_a.pk, qualification_id=other.pk)) == (
        422, "qualification_mismatch")
    assert code_of(lambda: station(host_enterprise_id=w.ent_a.pk, fields=[])) == (422, "fields_required")
    made = station(host_enterprise_id=w.ent_a.pk, qualification_id=q.pk)
    assert made.recognised_on == q.issued_on and made.qualification == q
    assert code_of(lambda: station(host_enterprise_id=w.ent_a.pk, qualification_id=q.pk, code="PD-2")) == (
        409, "qualification_taken")
    assert code_of(lambda: station(host_enterprise_id=w.ent_a.pk)) == (409, "platform_code_taken")
    assert code_of(lambda: actions.record_platform(actor=w.contact_a, data=actions.PlatformInput(
        code="X", name="x", kind="key_lab", level="national", host_organisation="x", fields=["digital"]))) == (
        403, "forbidden")
    assert Platform.objects.count() == 2


def test_agreements_follow_the_enterprise(iworld):
    w = iworld

    def agreement(actor=None, **extra):
        data = {"enterprise_id": w.ent_a.pk, "partner_name": "某石油化工大学", "partner_kind": "university",
                "title": "负极包覆材料联合研发", "field": "carbon_materials", "signed_on": today() - timedelta(days=30),
                "starts_on": today() - timedelta(days=20), "ends_on": today() + timedelta(days=700),
                "amount": "1200000", **extra}
        return actions.record_agreement(actor=actor or w.officer_a, data=actions.AgreementInput(**data))

    assert code_of(lambda: agreement(amount="0")) == (422, "amount_not_positive")
    assert code_of(lambda: agreement(ends_on=today() - timedelta(days=40))) == (422, "dates_reversed")
    assert code_of(lambda: agreement(signed_on=today() + timedelta(days=1))) == (422, "signed_in_future")
    assert code_of(lambda: agreement(actor=w.contact_a)) == (403, "forbidden")
    assert code_of(lambda: agreement(actor=w.officer_b)) == (404, "not_found")
    assert not Agreement.objects.exists()
    made = agreement(platform_id=w.platform.pk)
    assert made.status == "active"
    assert code_of(lambda: actions.set_agreement_status(actor=w.officer_a, agreement_id=made.pk, status="signed")) == (
        409, "agreement_move_invalid")
    output = actions.record_output(actor=w.officer_a, agreement_id=made.pk, kind="patent", title="一种包覆沥青制备方法",
                                   achieved_on=today())
    assert output.agreement == made
    assert actions.set_agreement_status(actor=w.officer_a, agreement_id=made.pk, status="completed").status == "completed"
    assert code_of(lambda: actions.set_agreement_status(actor=w.contact_b, agreement_id=made.pk,
                                                        status="terminated")) == (404, "not_found")
