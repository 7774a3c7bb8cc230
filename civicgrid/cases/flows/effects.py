"""The workflow effects: one small function per effect the vocabulary declares (workflow/vocabulary.py),
looked up by name in `EFFECTS`. `cases.actions.transition_case` runs those a step names, in the
registry's order, inside the step's transaction with the case row locked, before the case enters its new
state; each may refuse the step with a DomainError (nothing is then written). What an effect records on
the step's event goes into `step.data`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from civicgrid.accounts.models import Department, RoleAssignment, User
from civicgrid.cases import notify, sla
from civicgrid.cases.choices import AgreementForm, DepartmentRole, DisputeTier
from civicgrid.cases.flows import cohandling
from civicgrid.cases.models import Case, CaseDepartment, FollowUp, MediationAgreement, MediationSession
from civicgrid.cases.workflow import engine
from civicgrid.core import errors


@dataclass
class Step:
    case: Case
    transition: Any  # the engine's Transition being taken
    facts: dict
    actor: Any  # the user, or None for the system
    now: datetime
    data: dict = field(default_factory=dict)  # recorded on the step's event

    @property
    def by(self):
        return self.actor if getattr(self.actor, "pk", None) else None


# ---- departments ------------------------------------------------------------------------------------------

def _department(value) -> Department:
    dept = Department.objects.filter(code=str(value)).first() or (
        Department.objects.filter(pk=value).first() if str(value).isdigit() else None)
    if dept is None or not dept.is_active:
        raise errors.ValidationFailed(f"部门不存在:{value}", code="department_unknown")
    return dept


def _make_main(case: Case, dept: Department) -> None:
    case.department = dept
    CaseDepartment.objects.filter(case=case, role=DepartmentRole.MAIN).delete()
    CaseDepartment.objects.filter(case=case, department=dept).delete()
    CaseDepartment.objects.create(case=case, department=dept, role=DepartmentRole.MAIN)


def set_department(step: Step) -> None:
    dept = _department(step.facts["department"])
    _make_main(step.case, dept)
    step.data["department"] = dept.code


def add_co_departments(step: Step) -> None:
    codes = step.facts.get("co_departments")
    if not codes:
        return
    codes = [codes] if isinstance(codes, str) else list(codes)
    for code in codes:
        dept = _department(code)
        if dept.pk != step.case.department_id:
            CaseDepartment.objects.get_or_create(case=step.case, department=dept, defaults={"role": DepartmentRole.CO})
    step.data["co_departments"] = codes


def count_return(step: Step) -> None:
    # the returning unit stops being the handler and loses sight of the case (the events keep the
    # history); co-handling units stay until the next dispatch decides
    step.case.return_count += 1
    step.case.department = None
    CaseDepartment.objects.filter(case=step.case, role=DepartmentRole.MAIN).delete()


# ---- co-handling tasks (cases.flows.cohandling) ------------------------------------------------------------------

def assign_tasks(step: Step) -> None:
    if not engine.is_empty(step.facts.get("tasks")):
        step.data["tasks"] = cohandling.assign(step.case, step.facts["tasks"], step.now)


def complete_task(step: Step) -> None:
    step.data.update(cohandling.complete(step.case, step.actor, step.now, comment=str(step.facts.get("comment", "")),
                                         on_behalf=step.facts.get("_on_behalf")))


def require_tasks_done(step: Step) -> None:
    cohandling.require_done(step.case)


# ---- the clock and deadlines ---------------------------------------------------------------------------------

def _deadline(value, now):
    """The `deadline` fact: a date (end of that working day) or a date-time; it must lie ahead."""
    if isinstance(value, datetime):
        moment = value if timezone.is_aware(value) else timezone.make_aware(value)
    else:
        try:
            moment = sla.end_of_working_day(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))
        except ValueError:
            raise errors.ValidationFailed("期限格式有误,应为 YYYY-MM-DD", code="deadline_invalid") from None
    if moment <= now:
        raise errors.ValidationFailed("期限须晚于当前时间", code="deadline_in_past")
    return moment


def _parse_datetime(value):
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise errors.ValidationFailed("延期日期格式有误,应为 YYYY-MM-DD 或 ISO 时间",
                                          code="extension_until_invalid") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def stop_clock(step: Step) -> None:
    step.case.agreed_due_at = None


def start_clock(step: Step) -> None:
    deadline = step.facts.get("deadline")
    step.case.agreed_due_at = _deadline(deadline, step.now) if deadline else None
    if step.case.agreed_due_at is not None:
        step.data["deadline"] = step.case.agreed_due_at.isoformat()


def request_extension(step: Step) -> None:
    case, until = step.case, _parse_datetime(step.facts.get("extension_until"))
    if until <= (case.due_at or step.now):
        raise errors.ValidationFailed("延期后的期限须晚于当前期限", code="extension_not_later")
    case.pending_extension_until = until
    case.held_due_at = case.due_at
    step.data["extension_until"] = until.isoformat()


def grant_extension(step: Step) -> None:
    case = step.case
    if case.pending_extension_until is None:
        raise errors.Conflict("没有待审批的延期申请", code="no_pending_extension")
    case.due_at = case.pending_extension_until
    case.pending_extension_until = None
    case.extension_count += 1
    sla.refresh(case, step.now)
    step.data["due_at"] = case.due_at.isoformat()


def deny_extension(step: Step) -> None:
    step.case.pending_extension_until = None
    step.case.due_at = step.case.held_due_at
    sla.refresh(step.case, step.now)


# ---- oversight ------------------------------------------------------------------------------------------------

def supervise(step: Step) -> None:
    step.case.is_supervised = True  # the handling departments hear of it (actions.transitions._notify_step)


def remind(step: Step) -> None:
    step.case.reminder_count += 1


def count_rework(step: Step) -> None:
    step.case.rework_count += 1


def _leader(value) -> User:
    """包案领导: an active user holding the leader role, named by username or by name."""
    text = str(value or "").strip()
    found = list(User.objects.with_role("leader").filter(is_active=True)
                 .filter(Q(username=text) | Q(display_name=text))[:2])
    if len(found) != 1:
        raise errors.ValidationFailed("包案领导须为系统中的一名领导(填写用户名或姓名)", code="leader_unknown")
    return found[0]


def assign_leader(step: Step) -> None:
    case, leader = step.case, _leader(step.facts.get("leader"))
    case.routing = {**case.routing, "leader": {"id": leader.pk, "username": leader.username, "name": str(leader)}}
    step.facts["leader"] = str(leader)
    notify.notify_ids([leader.pk], case, "assigned", f"您已包案:{case.number} {case.title}", skip=step.actor)


# ---- follow-up and rating -------------------------------------------------------------------------------------

def _satisfaction(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        satisfaction = int(value)
    except (TypeError, ValueError):
        satisfaction = 0
    if not 1 <= satisfaction <= 5:
        raise errors.ValidationFailed("满意度须为1–5", code="satisfaction_invalid")
    return satisfaction


def record_follow_up(step: Step) -> None:
    """回访 (with the rating, if the step records one): a FollowUp row, the case's satisfaction and
    whether the problem is solved."""
    case, facts = step.case, step.facts
    satisfaction = _satisfaction(facts.get("satisfaction"))
    resolved = facts.get("resolved")
    if isinstance(resolved, str):
        resolved = resolved.lower() in {"1", "true", "yes", "是", "已解决"}
    # 好差评: an unsatisfied rating must lead to rework, or be closed only with a written explanation
    if satisfaction is not None and satisfaction <= 2 and step.transition.terminal and not facts.get("comment"):
        raise errors.ValidationFailed("不满意评价须重办整改,或填写情况说明后办结", code="unsatisfied_needs_explanation")
    FollowUp.objects.create(case=case, method=str(facts.get("method") or "online")[:10], contacted=True,
                            resolved=resolved, satisfaction=satisfaction, comment=str(facts.get("comment", "")),
                            by=step.by)
    if satisfaction is not None:
        case.satisfaction = satisfaction
    if resolved is not None:
        case.resolved = bool(resolved)
    step.data.update({"satisfaction": satisfaction, "resolved": resolved})


def record_rating(step: Step) -> None:
    """好差评: a rating is a follow-up contact (online unless the method says otherwise)."""
    if "record_follow_up" not in step.transition.effects:  # else that effect records both
        record_follow_up(step)


# ---- disputes (矛盾纠纷) ----------------------------------------------------------------------------------------

TIERS = list(DisputeTier.values)  # lowest first
# the region code length of each tier's region (村社 = community, 街道 = street, 区 = district)
TIER_CODE_LENGTH = {DisputeTier.COMMUNITY: 12, DisputeTier.STREET: 9, DisputeTier.DISTRICT: 6}
# who leads at each tier and hears of an escalation to it
TIER_LEADERS = {DisputeTier.COMMUNITY: ("community_admin",), DisputeTier.STREET: ("street_admin", "leader"),
                DisputeTier.DISTRICT: ("dispatcher", "leader")}
_NAMES = re.compile(r"[、,,;;\n]+")


def _tier(case: Case) -> str:
    return case.routing.get("tier") or DisputeTier.COMMUNITY


def _parties(value, *, required: bool = True) -> list[str]:
    """The parties' names: a list, or text separated by 、 , ; or new lines."""
    names = value if isinstance(value, list | tuple) else _NAMES.split(str(value or ""))
    parties = list(dict.fromkeys(str(n).strip()[:50] for n in names if str(n).strip()))
    if required and not parties:
        raise errors.ValidationFailed("请填写当事人", code="parties_required")
    return parties[:20]


def set_tier(step: Step) -> None:
    tier = step.facts.get("tier")
    if tier:
        step.case.routing = {**step.case.routing, "tier": str(tier)}


def escalate(step: Step) -> None:
    """提级调处: the case goes up to the tier the step names (above the one mediating now): at the district
    to the configured dispute department as its handler (CASE_DISPUTE_DEPARTMENT), if any. The leaders of
    the new tier — of the case's own street or community — are notified; the reason is kept on the case's
    routing record and the event."""
    case, target = step.case, str(step.facts.get("tier", ""))
    source = _tier(case)
    if target not in TIERS or TIERS.index(target) <= TIERS.index(source):
        raise errors.ValidationFailed(f"提级须提交到{DisputeTier(source).label}以上的层级", code="escalation_not_higher",
                                      details={"tier": source})
    reason = str(step.facts.get("reason", ""))
    escalations = [*case.routing.get("escalations", []),
                   {"from": source, "to": target, "reason": reason[:500], "at": step.now.isoformat(),
                    "by": str(step.actor) if step.by else "系统"}]
    case.routing = {**case.routing, "tier": target, "escalations": escalations}
    code = case.region.code[:TIER_CODE_LENGTH[target]]
    leaders = list(RoleAssignment.objects.filter(
        is_active=True, user__is_active=True, role__in=TIER_LEADERS[target], region__code=code,
    ).values_list("user_id", flat=True))
    department_code = settings.CASE_DISPUTE_DEPARTMENT if target == DisputeTier.DISTRICT else ""
    if department_code:
        dept = _department(department_code)
        _make_main(case, dept)
        leaders += notify.department_handler_ids([dept.pk])
        step.data["department"] = dept.code
    label = DisputeTier(target).label
    notify.notify_ids(leaders, case, "escalated", f"纠纷提级至{label}调处:{case.number} {case.title}(原因:{reason})",
                      skip=step.actor)
    step.data["escalated"] = {"from": source, "to": target}


def record_mediation(step: Step) -> None:
    """调解笔录: one mediation session — the parties, what was said, the tier mediating."""
    session = MediationSession.objects.create(
        case=step.case, held_at=step.now, tier=_tier(step.case), parties=_parties(step.facts.get("parties")),
        notes=str(step.facts.get("comment", "")), mediator=step.by, mediator_name=str(step.actor) if step.by else "")
    step.data["mediation_session"] = session.pk


def record_agreement(step: Step) -> None:
    """调解协议: the agreement the mediation reached, written or oral, between the parties of its sessions."""
    form = str(step.facts.get("agreement_form", ""))
    if form not in AgreementForm.values:
        raise errors.ValidationFailed("协议形式须为书面或口头", code="agreement_form_invalid")
    parties = step.facts.get("parties") or [p for s in step.case.mediation_sessions.all() for p in s.parties]
    agreement = MediationAgreement.objects.create(
        case=step.case, form=form, text=str(step.facts.get("agreement_text", "")),
        parties=_parties(parties, required=False), reached_at=step.now, recorded_by=step.by)
    step.data["agreement"] = agreement.pk


# ---- merging and closing --------------------------------------------------------------------------------------

def merge(step: Step) -> None:
    case = step.case
    main = Case.objects.filter(number=str(step.facts.get("merge_into", ""))).first()
    if main is None or main.pk == case.pk or not main.is_open:
        raise errors.ValidationFailed("合并目标案件不存在或已办结", code="merge_target_invalid")
    case.merged_into = main
    step.data["merge_into"] = main.number


def close(step: Step) -> None:
    """The finished marks (the step's target is a terminal state: the spec tests hold every such move to
    this effect)."""
    step.case.closed_at = step.now
    step.case.closed_in_time = not step.case.was_overdue


def reopen(step: Step) -> None:
    step.case.closed_at = None
    step.case.closed_in_time = None


# In the order they run: escalate reads the tier before set_tier moves it; close reads was_overdue as the
# step left it.
EFFECTS: dict[str, Callable[[Step], None]] = {
    "set_department": set_department,
    "add_co_departments": add_co_departments,
    "assign_tasks": assign_tasks,
    "complete_task": complete_task,
    "require_tasks_done": require_tasks_done,
    "stop_clock": stop_clock,
    "start_clock": start_clock,
    "supervise": supervise,
    "remind": remind,
    "request_extension": request_extension,
    "grant_extension": grant_extension,
    "deny_extension": deny_extension,
    "count_return": count_return,
    "count_rework": count_rework,
    "record_follow_up": record_follow_up,
    "record_rating": record_rating,
    "assign_leader": assign_leader,
    "escalate": escalate,
    "set_tier": set_tier,
    "record_mediation": record_mediation,
    "record_agreement": record_agreement,
    "merge": merge,
    "reopen": reopen,
    "close": close,
}

# facts recorded on the event as given, whatever the effects
RECORDED_FACTS = ("risk_level", "complexity", "parties", "agreement_form", "agreement_text", "outcome", "leader",
                  "method", "reason", "tier", "responsible_party")


def apply(case: Case, transition, facts: dict, actor, now) -> dict:
    """Run the effects `transition` names; returns the data recorded on its event."""
    step = Step(case, transition, facts, actor, now)
    for name, effect in EFFECTS.items():
        if name in transition.effects:
            effect(step)
    for key in ("risk_level", "complexity"):
        if facts.get(key):
            setattr(case, key, str(facts[key]))
    for key in RECORDED_FACTS:
        value = facts.get(key)
        if value not in (None, ""):
            step.data[key] = value if isinstance(value, str | int | float | bool | list | dict) else str(value)
    return step.data
