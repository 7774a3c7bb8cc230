"""Workflow transitions: one step by a person or the system (the engine decides), and the periodic SLA
sweep that reminds and supervises through those steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from civicgrid.cases import kpis, merging, notify, sla, sql
from civicgrid.cases.actions._common import _append_event, _enter_state, _roles_text
from civicgrid.cases.choices import SlaStatus
from civicgrid.cases.flows import cohandling, effects
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.queries import VIEW, case_roles
from civicgrid.cases.uploads import evidence
from civicgrid.cases.workflow import engine
from civicgrid.cases.workflows import spec_for
from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import can
from civicgrid.webhooks import outbox

_ENGINE_ERRORS = {
    engine.UnknownAction: errors.ValidationFailed,
    engine.MissingFacts: errors.ValidationFailed,
    engine.RoleNotAllowed: errors.Forbidden,
    engine.NotAllowedInState: errors.Conflict,  # usually: someone else acted first
}



# case types whose steps go through their own app's actions, which keep the app's rows in step with the
# case (a volunteer order's station, team and service records); the generic case pages only show them
MANAGED_BY_APP = {"volunteer_order": "/volunteers/", "service_request": "/publicservice/"}


@dataclass
class TransitionResult:
    case: Case
    event: CaseEvent


def transition_case(*, actor, case_id: int, action: str, comment: str = "", facts: dict[str, Any] | None = None,
                    expected_event_count: int | None = None, system: bool = False,
                    managed: bool = False) -> TransitionResult:
    """Apply one workflow action. Out of scope -> 404; not allowed for the actor's roles -> 403; the case
    moved on meanwhile (another user acted first) -> 409; missing facts -> 422. Nothing changes on error.
    Case types an app runs itself (MANAGED_BY_APP) move only through that app's actions (`managed=True`)."""
    facts = dict(facts or {})
    facts.pop("_on_behalf", None)  # set below from `on_behalf_of`, never taken from the caller
    if comment:
        facts.setdefault("comment", comment)
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise errors.NotFound() from None
    with transaction.atomic():
        # the locked row with what the step reads, in one statement built once (the ORM compiled ~70 columns)
        try:
            case = sql.lock_case(case_id)
        except Case.DoesNotExist:
            raise errors.NotFound() from None
        if not system and not can(actor, VIEW, case):
            # 404 before anything else, asked of the row in hand (the chokepoint's `in_grant`, the same
            # reach as `visible_to`): a scoped query compiled for every step cost more than the step's
            # other reads; the transaction ends with the error, so nothing was written
            raise errors.NotFound()
        kpi_before = kpis.snapshot(case)
        if case.case_type in MANAGED_BY_APP and not (managed or system):
            raise errors.Conflict("此类工单须在其业务页面办理", code="case_managed_by_app",
                                  details={"url": MANAGED_BY_APP[case.case_type]})
        if expected_event_count is not None and expected_event_count != case.event_count:
            raise errors.Conflict("案件已被他人处理,请刷新后重试", code="case_changed")
        roles = {"system"} if system else case_roles(actor, case)
        if not system and not engine.is_empty(facts.get("on_behalf_of")):
            # an officer records the step of an external department (a city bureau, a bank): the engine
            # sees that department's roles on the case; the event and the audit name both
            facts["_on_behalf"], roles = cohandling.on_behalf(actor, case, facts["on_behalf_of"])
        spec = spec_for(case.workflow)
        try:
            step = engine.apply(spec, case.state, action, roles, facts)
        except engine.WorkflowError as exc:
            raise evidence.refusal(exc) or _ENGINE_ERRORS.get(type(exc), errors.ValidationFailed)(
                exc.message, code=exc.code, details=getattr(exc, "details", None)) from None
        files = evidence.for_step(case, action, facts, actor)  # the uploads the step names, checked
        now = clock.now()
        due_before = case.due_at  # the deadline this step answers (the response is measured against it)
        if case.due_at is not None and now > case.due_at and step.target != step.source:
            case.was_overdue = True  # the step is left late, whether or not the sweep has run since
        data = effects.apply(case, step, facts, actor, now)
        if facts.get("_on_behalf") is not None:
            data["on_behalf_of"] = {"code": facts["_on_behalf"].code, "name": facts["_on_behalf"].name}
        data.update(evidence.event_data(files))
        if step.target != step.source or step.terminal:
            # after an extension decision the handling deadline is the granted one or the one it had
            keep = bool({"grant_extension", "deny_extension"} & step.effects)
            _enter_state(case, spec, step.target, now, keep_due=keep, move_sla=spec.transition(action).sla)
        # the handling unit's first step is its response (a zone department's officers act as lead_unit,
        # once the case has been handed to them: before that, the lead is the intake desk)
        responding = "department_handler" in roles or (
            "lead_unit" in roles and step.source not in kpis.pre_dispatch_states(spec))
        if responding and case.responded_at is None and not system:
            case.responded_at = now
            case.responded_in_time = due_before is None or now <= due_before
        event = _append_event(case, actor=None if system else actor, role=_roles_text(roles),
                              action=action, source=step.source, target=step.target, comment=comment, data=data, now=now)
        evidence.bind(files, event)
        sql.update_case_row(case)
        kpis.apply_delta(kpi_before, kpis.snapshot(case))
        details = {"from": step.source, "to": step.target, "seq": event.seq}
        if facts.get("_on_behalf") is not None:
            details["on_behalf_of"] = facts["_on_behalf"].code
        audit.record(actor=None if system else actor, action=f"cases.{action}", obj=case, details=details)
        _notify_step(case, step, actor, spec.state(step.target).label)
        outbox.case_moved(case, action=action, source=step.source, target=step.target,
                          rated="record_rating" in step.effects)
    return TransitionResult(case=case, event=event)


def _notify_step(case: Case, step, actor, label: str) -> None:
    if "set_department" in step.effects or "supervise" in step.effects or "remind" in step.effects:
        ids = [case.department_id] + list(case.case_departments.values_list("department_id", flat=True))
        kind = "supervise" if "supervise" in step.effects else "remind" if "remind" in step.effects else "dispatch"
        text = {"supervise": "被督办", "remind": "被催办", "dispatch": "已派遣给您的部门"}[kind]
        notify.notify_ids(notify.department_handler_ids([i for i in ids if i]), case, kind, f"案件 {case.number} {text}",
                      skip=actor)
    if "merge" in step.effects:
        merging.notify_merged(case)  # told where their report is handled now
    elif step.terminal or "record_follow_up" in step.effects:
        notify.notify_reporter(case, "progress", f"已{'办结' if step.terminal else '更新'}:{label}")
    elif case.reporter_id:
        notify.notify_reporter(case, "progress", f"进展:{label}")



def check_sla(*, now=None) -> dict[str, int]:
    """The periodic SLA sweep: records 正常/即将超期/超期 on open cases whose status moved since the last
    write or sweep (their `warn_at`/`due_at` has passed while `recorded_sla_status` says otherwise), marks
    `was_overdue`, and raises an automatic reminder (催办) on a case that has just become due soon and an
    automatic supervision (督办) on one that is overdue — where its workflow lets the system do so in that
    state. Pages do not depend on it: they read the live status (Case.sla_status)."""
    now = now or clock.now()
    counts = {"checked": 0, "changed": 0, "reminded": 0, "supervised": 0}
    open_cases = Case.objects.filter(kpis.moved_q(now))
    for case in open_cases.only("id", "state_entered_at", "due_at", "recorded_sla_status").iterator(chunk_size=1000):
        counts["checked"] += 1
        if sla.status(now=now, started_at=case.state_entered_at, due=case.due_at) == case.recorded_sla_status:
            continue
        done = _sweep_case(case.pk, now)
        counts["changed"] += done is not None
        if done in ("reminded", "supervised"):
            counts[done] += 1
    return counts


def _sweep_case(case_id: int, now) -> str | None:
    """One case of the sweep, in one transaction on the locked row: record its new status and raise the
    reminder or supervision it calls for. Together, so that a sweep killed between the two cannot leave
    a case recorded 超期 and never supervised (the next sweep skips recorded cases); on the locked row,
    so that two sweeps at once (or a rerun after a crash) decide once. Returns None when the case had
    already been swept, else "changed", "reminded" or "supervised"."""
    with transaction.atomic():
        case = kpis.lock(case_id)
        new = sla.status(now=now, started_at=case.state_entered_at, due=case.due_at)
        if new == case.recorded_sla_status or not case.is_open:
            return None
        with kpis.tracking(case_id):
            Case.objects.filter(pk=case_id).update(recorded_sla_status=new,
                                                   was_overdue=case.was_overdue or new == SlaStatus.OVERDUE)
        wanted = {SlaStatus.OVERDUE: "supervise", SlaStatus.DUE_SOON: "remind"}.get(new)
        if wanted is None or (wanted == "supervise" and case.is_supervised):
            return "changed"
        system_moves = engine.allowed(spec_for(case.workflow), case.state, {"system"})
        move = next((t for t in system_moves if wanted in t.effects and t.target == case.state), None)
        if move is None:
            return "changed"
        transition_case(actor=None, case_id=case_id, action=move.action, system=True,
                        comment="系统自动" + ("督办:已超期" if wanted == "supervise" else "催办:即将超期"))
        return "supervised" if wanted == "supervise" else "reminded"
