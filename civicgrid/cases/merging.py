"""Duplicate reports on the case page: the likely duplicates a viewer may see, merging the newer report
into the earlier one with one action and a reason (the workflow's `merge` move), telling the merged case's
reporter, and undoing a merge on the day it was made."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from civicgrid.cases import duplicates, kpis, notify, queries
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.workflows import spec_for
from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import get_visible

MERGE = "merge"


def _merge_move(user, case: Case):
    """The workflow's merge move if the user may take it on this case now, else None."""
    return next((t for t in queries.allowed_actions(user, case) if MERGE in t.effects), None)


def candidates(user, case: Case, limit: int = 5) -> list[dict]:
    """Likely duplicates of `case` the user may see, with distance, time apart and text similarity, and
    which merge (the later report into the earlier) the user may make from here."""
    if not case.is_open:
        return []
    found = duplicates.for_case(case, limit=limit * 2)
    visible = set(queries.cases_visible(user).filter(id__in=[c.case.pk for c in found]).values_list("id", flat=True))
    others = {c.pk: c for c in Case.objects.filter(id__in=visible).select_related("workflow", "region")}
    rows = []
    for c in found:
        other = others.get(c.case.pk)
        if other is None:
            continue
        later, earlier = (case, other) if (case.created_at, case.pk) > (other.created_at, other.pk) else (other, case)
        move = _merge_move(user, later)
        rows.append({
            "id": other.pk, "number": other.number, "title": other.title, "created_at": other.created_at,
            "state_label": queries.state_label(other.case_type, other.state, spec_for(other.workflow)),
            "distance_m": None if c.distance_m is None else round(c.distance_m),
            "hours_apart": round(abs((case.created_at - other.created_at).total_seconds()) / 3600, 1),
            "similarity": round(c.similarity * 100), "score": c.score,
            "merge": {"duplicate": later.pk, "into": earlier.pk, "duplicate_number": later.number,
                      "into_number": earlier.number} if move is not None else None,
        })
        if len(rows) >= limit:
            break
    return rows


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("请填写合并或撤销的原因", code="reason_required")
    return reason[:500]


def merge(*, actor, case_id: int, into_id: int, reason: str, expected_event_count: int | None = None):
    """Merge case `case_id` (the duplicate) into `into_id` through the workflow's merge move."""
    from civicgrid.cases import actions

    reason = _reason(reason)
    duplicate = get_visible(Case.objects.select_related("workflow", "region"), actor, queries.VIEW, pk=case_id)
    main = get_visible(Case.objects.all(), actor, queries.VIEW, pk=into_id)
    move = next((t for t in spec_for(duplicate.workflow).transitions if MERGE in t.effects), None)
    if move is None:
        raise errors.Conflict("此类案件不能合并", code="merge_not_offered")
    return actions.transition_case(actor=actor, case_id=duplicate.pk, action=move.action,
                                   facts={"merge_into": main.number, "reason": reason},
                                   expected_event_count=expected_event_count)


def merged_event(case: Case) -> CaseEvent | None:
    return case.events.filter(to_state=case.state).order_by("-seq").first() if case.merged_into_id else None


def can_unmerge(user, case: Case, event: CaseEvent | None = None) -> bool:
    """Whether `user` may undo this case's merge now: made today (local time), by a role that may merge."""
    event = event or merged_event(case)
    if event is None or timezone.localdate(event.created_at) != timezone.localdate(clock.now()):
        return False
    try:
        roles = spec_for(case.workflow).transition(event.action).roles
    except KeyError:
        return False
    return bool(roles & queries.case_roles(user, case))


def unmerge(*, actor, case_id: int, reason: str) -> Case:
    """Undo a merge made today: the case goes back to the state it was merged from, open again, and its
    reporter is told. Refused (409) once the day is over or when the case is not merged."""
    from civicgrid.cases.actions import _common

    reason = _reason(reason)
    case = get_visible(Case.objects.select_related("workflow", "region"), actor, queries.VIEW, pk=case_id)
    event = merged_event(case)
    if event is None:
        raise errors.Conflict("该案件未被合并", code="not_merged")
    if timezone.localdate(event.created_at) != timezone.localdate(clock.now()):
        raise errors.Conflict("合并只能在当天撤销", code="unmerge_too_late")
    if not can_unmerge(actor, case, event):
        raise errors.Forbidden("您的角色无权撤销合并", code="role_not_allowed")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("workflow", "category", "region",
                                                                          "merged_into").get(pk=case.pk)
        if case.merged_into_id is None or case.event_count != event.seq:
            raise errors.Conflict("案件已被他人处理,请刷新后重试", code="case_changed")
        before = kpis.snapshot(case)
        main_number = case.merged_into.number
        spec = spec_for(case.workflow)
        now = clock.now()
        case.merged_into = None
        case.closed_at = None
        case.closed_in_time = None
        _common._enter_state(case, spec, event.from_state, now)
        new = _common._append_event(case, actor=actor, role=_common._role_label(actor, case), action="unmerge",
                                    source=event.to_state, target=event.from_state,
                                    data={"merge_into": main_number, "reason": reason}, now=now)
        case.save()
        kpis.apply_delta(before, kpis.snapshot(case))
        audit.record(actor=actor, action="cases.unmerge", obj=case,
                     details={"from": event.to_state, "to": event.from_state, "seq": new.seq, "main": main_number})
        notify.notify_ids([case.reporter_id], case, "progress",
                          f"您反映的问题({case.number})已撤销与 {main_number} 的合并,继续单独办理", skip=actor)
    return case


def notify_merged(case: Case) -> None:
    """The merged case's reporter hears where their report is handled now."""
    main = case.merged_into
    if main is not None:
        text = f"与案件 {main.number} 为同一问题,已合并办理,办理结果将一并告知您"
        notify.notify_ids([case.reporter_id], case, "progress", f"您反映的问题({case.number}){text}")
        notify.sms_reporter(case, text)

