"""What every case action shares: the next event of the case's hash chain, entering a state (its deadline
and SLA status), storing a checked photo, the roles an event names."""

from __future__ import annotations

from civicgrid.cases import chain, sla, sql
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.queries import case_roles
from civicgrid.core import clock, confcache
from civicgrid.core.calendars import load_calendar


def _append_event(case: Case, *, actor, role: str, action: str, source: str, target: str,
                  comment: str = "", data: dict | None = None, now=None) -> CaseEvent:
    """The next event of the case's hash chain (the caller saves the case's event count and last hash)."""
    event = CaseEvent(
        case=case, seq=case.event_count + 1, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(str(actor) if getattr(actor, "pk", None) else "系统"), actor_role=role, action=action,
        from_state=source, to_state=target, comment=comment, data=data or {}, created_at=now or clock.now(),
        prev_hash=case.last_event_hash,
    )
    event.hash = chain.event_hash(case.last_event_hash, event)
    sql.insert_event(event)
    case.event_count = event.seq
    case.last_event_hash = event.hash
    return event


def _enter_state(case: Case, spec, state: str, now, *, keep_due: bool = False, move_sla=None, calendar=None) -> None:
    case.state = state
    case.state_entered_at = now
    limit = sla.limit_for(spec, state, case.category, case.urgency, move_sla)
    if keep_due:
        pass
    elif case.agreed_due_at is not None and limit is not None:
        case.due_at = case.agreed_due_at
    else:
        # the case's district's calendar: districts of a city may keep different local holidays
        # (through the configuration snapshot: CalendarDay is watched, so no version query per step)
        calendar = calendar or (load_calendar(confcache.current(), region_code=case.region.code)
                                if limit is not None else None)
        case.due_at = sla.due_at(_limit_start(case, spec, state, now, move_sla), limit, calendar)
    sla.refresh(case, now)
    case.is_open = not spec.state(state).terminal  # the `close` effect sets the finished marks


def _limit_start(case: Case, spec, state: str, now, move_sla):
    """Where the state's limit counts from: now, or — for a state whose limit runs `since` another one
    (方案/办结 within N working days of 交办) — when the case last entered that state. A move's own limit
    (重办) always counts from now."""
    since = spec.state(state).since
    if since is None or move_sla is not None or since == state or not case.pk:
        return now
    entered = (CaseEvent.objects.filter(case_id=case.pk, to_state=since).order_by("-seq")
               .values_list("created_at", flat=True).first())
    return entered or now



def _store_photo(case: Case, photo, actor, event):
    from django.core.files.base import ContentFile

    from civicgrid.cases.models import Attachment

    attachment = Attachment(case=case, event=event, content_type=photo.content_type, size=len(photo.content),
                            sha256=photo.sha256, lat=photo.lat, lng=photo.lng,
                            uploaded_by=actor if getattr(actor, "pk", None) else None)
    attachment.file.save(f"{photo.sha256[:16]}.{photo.extension}", ContentFile(photo.content), save=False)
    attachment.save()
    return attachment



def _roles_text(roles) -> str:
    """The roles an event was done in, as stored on CaseEvent.actor_role."""
    return ",".join(sorted(roles))[:30]


def _role_label(actor, case: Case) -> str:
    return _roles_text(case_roles(actor, case) if getattr(actor, "pk", None) else {"system"})
