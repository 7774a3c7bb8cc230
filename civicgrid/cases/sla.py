"""Deadlines per state on the working-day calendar.

A state's limit comes from the case's category (`Category.limits[state]`) or else the workflow state's
own `sla`. Urgent cases run on the clock instead of working time (紧急: the same number of clock hours or
days; 特急: half of it), as hotline rules do for emergencies.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from civicgrid.cases.choices import SlaStatus, Urgency
from civicgrid.cases.workflow.spec import Limit, Spec
from civicgrid.core.calendars import load_calendar
from civicgrid.core.workcalendar import WorkCalendar

_CLOCK_UNIT = {"work_hours": "hours", "work_days": "days", "hours": "hours", "days": "days"}


def limit_for(spec: Spec, state: str, category, urgency: str, move: Limit | None = None) -> Limit | None:
    """The move's own limit (e.g. 重办: 15 working days) beats the category's limit for the state, which
    beats the workflow state's default."""
    st = spec.state(state)
    if st.terminal or not st.clock:
        return None
    override = (category.limits or {}).get(state) if category is not None else None
    limit = move or (Limit(float(override["value"]), override["unit"]) if override else st.sla)
    if limit is None:
        return None
    if urgency == Urgency.URGENT:
        return Limit(limit.value, _CLOCK_UNIT[limit.unit])
    if urgency == Urgency.CRITICAL:
        return Limit(limit.value / 2, _CLOCK_UNIT[limit.unit])
    return limit


def end_of_working_day(day, region_code: str | None = None) -> datetime:
    """A deadline given as a date means the end of that day's working hours (in the district of
    `region_code`: the calendar's hours are the same everywhere, its days are not)."""
    calendar = load_calendar(region_code=region_code)
    return datetime.combine(day, calendar.hours.periods[-1][1], tzinfo=calendar.tz)


def due_at(start: datetime, limit: Limit | None, calendar: WorkCalendar | None = None) -> datetime | None:
    if limit is None:
        return None
    return (calendar or load_calendar()).add(start, limit.value, limit.unit)


def warn_at(started_at: datetime, due: datetime | None) -> datetime | None:
    """When a case turns 即将超期: once SLA_WARN_RATIO of the time allowed (started_at to due) is used —
    the clock-time rule of workcalendar.sla_status, as one moment that a query can compare with."""
    if due is None:
        return None
    return started_at + (due - started_at) * getattr(settings, "SLA_WARN_RATIO", 0.8)


def status(*, now: datetime, started_at: datetime, due: datetime | None) -> str:
    if due is None:
        return SlaStatus.NORMAL
    if now > due:
        return SlaStatus.OVERDUE
    return SlaStatus.DUE_SOON if now >= warn_at(started_at, due) else SlaStatus.NORMAL


def refresh(case, now: datetime) -> None:
    """Set a case's warning moment from its deadline and record its status now (the sweep's memory);
    call it whenever `due_at` or `state_entered_at` changes. What pages show is computed at read time
    (Case.sla_status), so a case is never shown stale even if this record is."""
    case.warn_at = warn_at(case.state_entered_at, case.due_at)
    case.recorded_sla_status = status(now=now, started_at=case.state_entered_at, due=case.due_at)
    if case.recorded_sla_status == SlaStatus.OVERDUE:
        case.was_overdue = True  # a recorded 超期 always implies it (kpis.moved_q relies on this)
