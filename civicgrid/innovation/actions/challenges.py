"""The 揭榜挂帅 list: an enterprise posts a technical need, the 科技创新部 publishes it, research teams
apply, both sides choose one application, milestones are tracked. Every state change goes through
`transition_challenge` (the moves of civicgrid.innovation.workflow), under a row lock on the challenge."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction

from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.enterprises.actions._common import enterprise_for
from civicgrid.enterprises.queries import the_zone, today
from civicgrid.innovation import workflow
from civicgrid.innovation.actions._common import (
    POST,
    department_side,
    enterprise_side,
    fields_of,
    not_future,
    positive_amount,
    required_text,
    text,
)
from civicgrid.innovation.choices import ChallengeStatus
from civicgrid.innovation.models import (
    VIEW,
    VIEW_CHALLENGE,
    Application,
    Challenge,
    InnovationOffice,
    Milestone,
    ResearchTeam,
)

MAX_AHEAD = timedelta(days=366)  # a deadline at most a year ahead
MAX_MILESTONES = 20


@dataclass
class ChallengeInput:
    title: str
    fields: list[str]
    goal: str
    budget: object  # yuan; Decimal or its text
    deadline: date
    complete_by: date | None = None


def _clean(data: ChallengeInput, on: date) -> dict:
    values = {
        "title": required_text(data.title, 200, "title_required", "请填写需求名称"),
        "fields": fields_of(data.fields),
        "goal": required_text(data.goal, 2000, "goal_required", "请填写攻关目标和指标"),
        "budget": positive_amount(data.budget, "budget", "budget_not_positive", "榜额(预算)须大于0元"),
        "deadline": data.deadline, "complete_by": data.complete_by,
    }
    if data.deadline is None:
        raise errors.ValidationFailed("请填写揭榜截止日期", code="deadline_required")
    if data.deadline <= on:
        raise errors.ValidationFailed("揭榜截止日期须晚于今天", code="deadline_in_past")
    if data.deadline > on + MAX_AHEAD:
        raise errors.ValidationFailed("揭榜截止日期最多在一年以内", code="deadline_too_far")
    if data.complete_by is not None and data.complete_by <= data.deadline:
        raise errors.ValidationFailed("完成时限须晚于揭榜截止日期", code="complete_before_deadline")
    return values


def post_challenge(*, actor, enterprise_id: int, data: ChallengeInput, idempotency_key: str | None = None
                   ) -> Challenge:
    """发布需求: a contact of the enterprise (or an officer for it) posts a technical need; it waits for the
    科技创新部 (status submitted). Numbered JB-<year>-<seq> under a lock on the zone's innovation office."""
    enterprise = enterprise_for(actor, enterprise_id)
    require(actor, POST, enterprise)
    on = today()
    values = _clean(data, on)
    zone = the_zone()
    if zone is None or not InnovationOffice.objects.filter(zone=zone).exists():
        raise errors.ValidationFailed("尚未设定科技创新部,暂不能发布需求", code="innovation_office_unset")

    def create() -> Challenge:
        office = InnovationOffice.objects.select_for_update().get(zone=zone)
        prefix = f"JB-{on.year}-"
        last = (Challenge.objects.filter(number__startswith=prefix).order_by("-number")
                .values_list("number", flat=True).first())
        number = f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:04d}"
        challenge = Challenge.objects.create(number=number, enterprise=enterprise, department=office.department,
                                             posted_by=actor, **values)
        audit.record(actor=actor, action="innovation.post_challenge", obj=challenge,
                     details={"number": number, "enterprise": enterprise.pk, "budget": str(challenge.budget),
                              "deadline": str(challenge.deadline)})
        return challenge

    try:
        with transaction.atomic():
            challenge, _ = run_once(key=idempotency_key, actor=actor, action="innovation.post_challenge",
                                    model=Challenge, create=create,
                                    body={"enterprise": enterprise.pk, **dataclasses.asdict(data)})
    except IntegrityError:  # a concurrent post took the number (where the database has no row locks)
        raise errors.Conflict("同时提交的需求较多,请稍后重试", code="number_taken") from None
    return challenge


def _challenge(actor, challenge_id: int) -> Challenge:
    return get_visible(Challenge.objects.select_related("enterprise", "enterprise__park", "enterprise__park__zone"),
                       actor, VIEW_CHALLENGE, pk=challenge_id)


def _check_side(actor, challenge: Challenge, spec: workflow.Move, action: str) -> str:
    """The side the actor acts on for this move; raises when they may act on none."""
    if action == "enterprise_choose":
        enterprise_side(actor, challenge, choosing=True)
        return workflow.ENTERPRISE
    if workflow.DEPARTMENT in spec.sides:
        try:
            department_side(actor, challenge)
            return workflow.DEPARTMENT
        except errors.Forbidden:
            if workflow.ENTERPRISE not in spec.sides:
                raise
    enterprise_side(actor, challenge)
    return workflow.ENTERPRISE


def transition_challenge(*, actor, challenge_id: int, action: str, reason: str = "",
                         application_id: int | None = None) -> Challenge:
    """One move of the state machine (publish, reject, close, enterprise_choose, department_choose,
    complete, withdraw). The choose moves record one side's choice of an application; when both sides
    chose the same one, it is selected (once: a second selection is 409 `already_selected`)."""
    challenge = _challenge(actor, challenge_id)
    spec = workflow.MOVES.get(action)
    if spec is None:
        raise errors.ValidationFailed("未知的操作", code="action_unknown", details={"allowed": list(workflow.MOVES)})
    side = _check_side(actor, challenge, spec, action)
    reason = text(reason, 300)
    if spec.needs_reason and not reason:
        raise errors.ValidationFailed("请填写原因", code="reason_required")
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().select_related("enterprise").get(pk=challenge.pk)
        before = challenge.status
        if spec.target is None and before in (ChallengeStatus.SELECTED, ChallengeStatus.COMPLETED):
            raise errors.Conflict("该需求已确定揭榜团队", code="already_selected")
        try:
            workflow.move(before, action)
        except workflow.IllegalMove:
            raise errors.Conflict("当前状态下不能执行该操作", code="transition_not_allowed",
                                  details={"status": before, "action": action,
                                           "allowed": workflow.available(before)}) from None
        details = {"from": before, "side": side}
        if action == "publish":
            if challenge.deadline <= today():
                raise errors.ValidationFailed("揭榜截止日期已过,请企业重新发布", code="deadline_in_past")
            challenge.published_at = clock.now()
        elif action == "complete":
            if not challenge.milestones.exists() or challenge.milestones.filter(achieved_on__isnull=True).exists():
                raise errors.Conflict("还有未完成的里程碑", code="milestones_open")
        elif spec.target is None:
            details.update(_choose(actor, challenge, action, application_id))
        if spec.target is not None:
            challenge.status = spec.target
        if reason:
            challenge.status_reason = reason
        challenge.updated_at = clock.now()
        challenge.save()
        details["to"] = challenge.status
        audit.record(actor=actor, action=f"innovation.challenge.{action}", obj=challenge,
                     details={**details, "reason": reason})
    return challenge


def _choose(actor, challenge: Challenge, action: str, application_id: int | None) -> dict:
    application = None
    if application_id is not None:
        application = Application.objects.filter(pk=application_id, challenge=challenge).select_related("team").first()
    if application is None:
        raise errors.ValidationFailed("该团队没有申报这项需求", code="application_not_in_challenge")
    if action == "enterprise_choose":
        if challenge.department_chosen_by_id == actor.pk:
            raise errors.Forbidden("同一人不能同时代表企业和科技创新部遴选", code="same_person_both_sides")
        challenge.enterprise_choice, challenge.enterprise_chosen_by = application, actor
    else:
        if challenge.enterprise_chosen_by_id == actor.pk:
            raise errors.Forbidden("同一人不能同时代表企业和科技创新部遴选", code="same_person_both_sides")
        challenge.department_choice, challenge.department_chosen_by = application, actor
    agreed = workflow.settle(challenge.enterprise_choice_id, challenge.department_choice_id)
    if agreed is not None:
        try:
            with transaction.atomic():
                Application.objects.filter(pk=agreed).update(is_selected=True)
        except IntegrityError:
            raise errors.Conflict("该需求已确定揭榜团队", code="already_selected") from None
        challenge.status = ChallengeStatus.SELECTED
        challenge.selected_at = clock.now()
    return {"application": application.pk, "team": application.team_id, "selected": agreed is not None}


def record_application(*, actor, challenge_id: int, team_id: int, plan: str, fields: list[str] | None = None,
                       quoted_budget=None, idempotency_key: str | None = None) -> Application:
    """揭榜申报: the 科技创新部 records a research team's application while the challenge is on the board
    and its deadline has not passed (else 409 `challenge_closed`); one application per team."""
    challenge = _challenge(actor, challenge_id)
    department_side(actor, challenge)
    team = get_visible(ResearchTeam.objects, actor, VIEW, pk=team_id)
    plan = required_text(plan, 4000, "plan_required", "请填写技术方案")
    codes = fields_of(fields or team.fields)
    budget = None
    if quoted_budget not in (None, ""):
        budget = positive_amount(quoted_budget, "quoted_budget", "budget_not_positive", "申报经费须大于0元")
    if not team.is_active:
        raise errors.ValidationFailed("该团队已停用", code="team_inactive")

    def create() -> Application:
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status != ChallengeStatus.PUBLISHED or locked.deadline < today():
            raise errors.Conflict("该需求不在揭榜期内,不能申报", code="challenge_closed",
                                  details={"status": locked.status, "deadline": str(locked.deadline)})
        if Application.objects.filter(challenge=locked, team=team).exists():
            raise errors.Conflict("该团队已申报这项需求", code="already_applied")
        application = Application.objects.create(challenge=locked, team=team, plan=plan, fields=codes,
                                                 quoted_budget=budget, recorded_by=actor)
        audit.record(actor=actor, action="innovation.record_application", obj=application,
                     details={"challenge": locked.number, "team": team.pk})
        return application

    try:
        with transaction.atomic():
            application, _ = run_once(key=idempotency_key, actor=actor, action="innovation.record_application",
                                      model=Application, create=create,
                                      body={"challenge": challenge.pk, "team": team.pk, "plan": plan, "fields": codes,
                                            "quoted_budget": str(budget or "")})
    except IntegrityError:
        raise errors.Conflict("该团队已申报这项需求", code="already_applied") from None
    return application


def _milestone_side(actor, challenge: Challenge) -> None:
    try:
        department_side(actor, challenge)
    except errors.Forbidden:
        enterprise_side(actor, challenge)


def plan_milestone(*, actor, challenge_id: int, title: str, planned_on: date,
                   idempotency_key: str | None = None) -> Milestone:
    """Add a planned milestone to a selected challenge (either side)."""
    challenge = _challenge(actor, challenge_id)
    _milestone_side(actor, challenge)
    title = required_text(title, 200, "title_required", "请填写里程碑名称")
    if planned_on is None:
        raise errors.ValidationFailed("请填写计划日期", code="dates_required")

    def create() -> Milestone:
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status != ChallengeStatus.SELECTED:
            raise errors.Conflict("确定揭榜团队后才能安排里程碑", code="not_selected")
        if planned_on < locked.selected_at.date():
            raise errors.ValidationFailed("计划日期不能早于确定揭榜团队的日期", code="planned_before_selection")
        count = locked.milestones.count()
        if count >= MAX_MILESTONES:
            raise errors.ValidationFailed(f"里程碑最多{MAX_MILESTONES}个", code="milestones_too_many")
        milestone = Milestone.objects.create(challenge=locked, seq=count + 1, title=title, planned_on=planned_on,
                                             planned_by=actor)
        audit.record(actor=actor, action="innovation.plan_milestone", obj=milestone,
                     details={"challenge": locked.number, "planned_on": str(planned_on)})
        return milestone

    with transaction.atomic():
        milestone, _ = run_once(key=idempotency_key, actor=actor, action="innovation.plan_milestone",
                                model=Milestone, create=create,
                                body={"challenge": challenge.pk, "title": title, "planned_on": planned_on})
    return milestone


def record_milestone(*, actor, milestone_id: int, achieved_on: date, evidence: str) -> Milestone:
    """Record that a milestone was reached, with its evidence (the actual date: not in the future)."""
    milestone = get_visible(Milestone.objects.select_related("challenge", "challenge__enterprise"), actor,
                            VIEW_CHALLENGE, pk=milestone_id)
    _milestone_side(actor, milestone.challenge)
    evidence = required_text(evidence, 500, "evidence_required", "请填写完成依据(报告、检测、样品等)")
    if achieved_on is None:
        raise errors.ValidationFailed("请填写实际完成日期", code="dates_required")
    not_future(achieved_on, today(), "achieved_in_future", "实际完成日期不能晚于今天")
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().select_related("challenge").get(pk=milestone.pk)
        if locked.challenge.status != ChallengeStatus.SELECTED:
            raise errors.Conflict("只有攻关中的需求可以记录里程碑", code="not_selected")
        if locked.achieved_on is not None:
            raise errors.Conflict("该里程碑已记录完成", code="milestone_already_achieved")
        if locked.challenge.selected_at and achieved_on < locked.challenge.selected_at.date():
            raise errors.ValidationFailed("完成日期不能早于确定揭榜团队的日期", code="achieved_before_selection")
        locked.achieved_on, locked.evidence, locked.achieved_by = achieved_on, evidence, actor
        locked.save(update_fields=["achieved_on", "evidence", "achieved_by"])
        audit.record(actor=actor, action="innovation.record_milestone", obj=locked,
                     details={"achieved_on": str(achieved_on), "late": achieved_on > locked.planned_on})
    return locked
