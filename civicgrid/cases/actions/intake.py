"""Intake: one new case from any channel, routed, with its first event, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from civicgrid.cases import duplicates, kpis, notify, queries, sql
from civicgrid.cases.actions._common import _append_event, _enter_state, _role_label, _store_photo
from civicgrid.cases.choices import Channel, ContactPreference, DepartmentRole
from civicgrid.cases.intake import IntakeInput, check_intake
from civicgrid.cases.models import Case, CaseDepartment, CaseEvent
from civicgrid.cases.routing import route
from civicgrid.cases.workflows import current_definition, spec_for
from civicgrid.core import audit, clock, confcache, errors
from civicgrid.core.calendars import load_calendar
from civicgrid.core.idempotency import fingerprint, remember, replay
from civicgrid.core.scoping import require
from civicgrid.webhooks import outbox

# channels where the person entering the case is the one reporting it (hotline and police referrals
# record a caller or a referring unit instead)
SELF_REPORTED = {Channel.RESIDENT, Channel.GRID, Channel.VISIT, Channel.PATROL, Channel.ENTERPRISE}

# case types whose intake belongs to an app that links the new case to its own records in the same
# transaction (an enterprise relief case to its enterprise); the generic intake refuses them
INTAKE_BY_APP = {"enterprise_relief": "/relief/new/", "project_blocker": "/relief/new/?kind=blocker"}



@dataclass
class SubmitResult:
    case: Case
    created: bool  # False when an earlier submission with the same idempotency key made the case
    events: list[CaseEvent] | None = None  # the new case's events (None on a replay)


def submit_case(*, actor, data: IntakeInput, idempotency_key: str | None = None, body=None,
                managed: bool = False) -> SubmitResult:
    """Intake from any channel. A retried submission with the same key (and body) returns the first case.
    `body`: what the key stands for when the caller's request holds more than `data` (a volunteer order's
    time window); `data` itself by default."""
    require(actor, "cases.create_case")
    key_body = fingerprint(data if body is None else body) if idempotency_key else None  # photos as sent
    photos = _clean_photos(data)
    config = confcache.current()  # categories, regions, rules, workers, workflow rows, calendar
    checked = check_intake(actor, data, config)
    if checked.case_type in INTAKE_BY_APP and not managed:
        raise errors.ValidationFailed("此类诉求须在其业务页面提交", code="case_type_needs_app_intake",
                                      details={"url": INTAKE_BY_APP[checked.case_type]})
    # a read, outside the write lock: a case another report opens meanwhile is simply not listed
    likely = duplicates.find(category_id=checked.category.pk if checked.category else None,
                             case_type=checked.case_type, lat=data.lat, lng=data.lng,
                             description=f"{checked.title} {data.description.strip()}",
                             region_code=checked.region.code)
    with transaction.atomic():
        earlier = replay(key=idempotency_key, actor=actor, action="cases.submit_case", model=Case, body=key_body)
        if earlier is not None:
            return SubmitResult(case=earlier, created=False)
        now = clock.now()
        definition = current_definition(checked.case_type, config)
        spec = spec_for(definition)
        routed = route(checked.region, checked.category, config)
        case = _new_case(actor, data, checked, definition, routed, now)
        _enter_state(case, spec, spec.initial, now, calendar=load_calendar(config, region_code=checked.region.code))
        _note_duplicates(case, likely)
        sql.insert_case(case)
        case.number = f"{timezone.localtime(now):%Y%m%d}{case.pk:06d}"
        for dept in routed.co_departments:
            CaseDepartment.objects.create(case=case, department=dept, role=DepartmentRole.CO)
        for photo in photos:
            _store_photo(case, photo, actor, event=None)
        # the roles (a handling department's among them) need the saved case and its co-departments
        event = _append_event(case, actor=actor, role=_role_label(actor, case), action="submit", source="",
                              target=spec.initial, data={"channel": case.channel}, now=now)
        sql.update_case(case, ["number", "event_count", "last_event_hash"])
        kpis.apply_delta(None, kpis.snapshot(case))
        remember(key=idempotency_key, actor=actor, action="cases.submit_case", obj=case, body=key_body)
        audit.record(actor=actor, action="cases.submit_case", obj=case, ts=now,
                     details={"number": case.number, "case_type": case.case_type, "channel": case.channel})
        # in-app notices and the webhook outbox are rows of this transaction; both are sent after it commits
        notify.notify_ids(routed.worker_ids, case, "new_case", f"新案件 {case.number}:{case.title}", skip=actor)
        outbox.case_created(case)
    return SubmitResult(case=case, created=True, events=[event])



def _new_case(actor, data: IntakeInput, checked, definition, routed, now) -> Case:
    """The unsaved case as the intake describes it (`_enter_state` puts it in its first state)."""
    return Case(
        case_type=checked.case_type, workflow=definition, category=checked.category, title=checked.title, description=data.description.strip(),
        channel=checked.channel, urgency=checked.urgency, answers=checked.answers, region=checked.region,
        lat=data.lat, lng=data.lng, address=data.address.strip(),
        reporter=actor if checked.channel in SELF_REPORTED else None,
        reporter_name="" if data.is_anonymous else data.reporter_name.strip(),
        reporter_phone="" if data.is_anonymous else data.reporter_phone.strip(),
        is_anonymous=data.is_anonymous, contact_preference=data.contact_preference or ContactPreference.ONLINE,
        created_by=actor, department=routed.department, routing=routed.explanation, created_at=now,
    )


def _note_duplicates(case: Case, likely: list[duplicates.Candidate]) -> None:
    """Record the new case's likely duplicates on its routing record (and which of them its reporter may
    see, for the answer)."""
    kept = [c for c in likely if c.score >= 0.3]
    case.routing["duplicates"] = [{"number": c.case.number, "id": c.case.pk, "score": c.score} for c in kept]
    case.visible_duplicates = queries.visible_candidates(case.created_by, [c.case for c in kept])


def _clean_photos(data: IntakeInput) -> list:
    """Check every photo before anything is written; a report without a place takes the first photo's
    GPS position (read from EXIF, which the stored copy no longer carries)."""
    from django.conf import settings

    from civicgrid.cases.uploads import photos

    if len(data.photos) > settings.CASE_MAX_PHOTOS:
        raise errors.ValidationFailed(f"最多上传 {settings.CASE_MAX_PHOTOS} 张照片", code="too_many_photos")
    cleaned = [photos.clean(raw) for raw in data.photos]
    if data.lat is None and data.lng is None and not data.region_code:
        located = next((p for p in cleaned if p.lat is not None), None)
        if located is not None:
            data.lat, data.lng = located.lat, located.lng
    return cleaned
