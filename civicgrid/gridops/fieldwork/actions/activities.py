"""Publicity activities (普法、政策宣讲、反诈 …) held in a grid: small records, counted per grid."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork.actions import _common
from civicgrid.gridops.fieldwork.choices import ActivityKind
from civicgrid.gridops.fieldwork.models import Activity

RECORD = "fieldwork.record_activity"
MAX_ATTENDANCE = 100_000


def record_activity(
    *, actor, region: Region, kind: str, title: str, place: str, held_on: date, attendance: int, notes: str = "",
    idempotency_key: str | None = None,
) -> Activity:
    """Record an activity held in a grid or micro-grid of the actor's scope, on a day that has come."""
    require(actor, RECORD, Activity(region=region))
    _common.field_region(region)
    kind = _common.choice(kind, ActivityKind, label="活动类型", code="kind")
    title = _common.text(title, label="活动名称", code="title", max_length=100, required=True)
    place = _common.text(place, label="活动地点", code="place", max_length=200, required=True)
    notes = _common.text(notes, label="活动情况", code="notes", max_length=2000)
    now = clock.now()
    if held_on > timezone.localdate(now):
        raise errors.ValidationFailed("活动日期不能晚于今天", code="held_on_in_future")
    if not isinstance(attendance, int) or not 0 <= attendance <= MAX_ATTENDANCE:
        raise errors.ValidationFailed("参加人数须为0–100000", code="attendance_invalid")

    def create() -> Activity:
        activity = Activity.objects.create(region=region, kind=kind, title=title, place=place, held_on=held_on,
                                           attendance=attendance, notes=notes, organiser=actor, created_at=now)
        audit.record(actor=actor, action="fieldwork.record_activity", obj=activity,
                     details={"region": region.code, "kind": kind, "attendance": attendance})
        return activity

    with transaction.atomic():
        activity, _ = run_once(key=idempotency_key, actor=actor, action="fieldwork.record_activity", model=Activity,
                               create=create, body={"region": region, "kind": kind, "title": title, "place": place,
                                                    "held_on": held_on, "attendance": attendance, "notes": notes})
    return activity
