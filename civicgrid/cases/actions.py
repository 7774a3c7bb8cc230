"""Every write to a case: intake and workflow transitions. Only this module writes Case.state.

Each action: require() before the transaction; inside it the case row is locked (select_for_update;
SQLite's IMMEDIATE transactions serialise writers), the pure engine decides, the event is appended to
the case's hash chain, the audit log is written; SMS goes out after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import Department
from civicgrid.cases import chain, duplicates, kpis, merging, notify, queries, sla, sql
from civicgrid.cases.choices import Channel, ContactPreference, DepartmentRole, SlaStatus
from civicgrid.cases.flows import cohandling, effects
from civicgrid.cases.intake import IntakeInput, check_intake
from civicgrid.cases.models import Case, CaseDepartment, CaseEvent
from civicgrid.cases.queries import case_roles
from civicgrid.cases.routing import route
from civicgrid.cases.uploads import evidence
from civicgrid.cases.workflow import engine
from civicgrid.cases.workflows import current_definition, spec_for
from civicgrid.core import audit, clock, confcache, errors
from civicgrid.core.calendars import load_calendar
from civicgrid.core.idempotency import fingerprint, remember, replay, run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.webhooks import outbox

# channels where the person entering the case is the one reporting it (hotline and police referrals
# record a caller or a referring unit instead)
SELF_REPORTED = {Channel.RESIDENT, Channel.GRID, Channel.VISIT, Channel.PATROL, Channel.ENTERPRISE}

# case types whose intake belongs to an app that links the new case to its own records in the same
# transaction (an enterprise relief case to its enterprise); the generic intake refuses them
INTAKE_BY_APP = {"enterprise_relief": "/relief/new/", "project_blocker": "/relief/new/?kind=blocker"}

_ENGINE_ERRORS = {
    engine.UnknownAction: errors.ValidationFailed,
    engine.MissingFacts: errors.ValidationFailed,
    engine.RoleNotAllowed: errors.Forbidden,
    engine.NotAllowedInState: errors.Conflict,  # usually: someone else acted first
}


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
    with transaction.atomic():
        earlier = replay(key=idempotency_key, actor=actor, action="cases.submit_case", model=Case, body=key_body)
        if earlier is not None:
            return SubmitResult(case=earlier, created=False)
        now = clock.now()
        definition = current_definition(checked.case_type, config)
        spec = spec_for(definition)
        routed = route(checked.region, checked.category, config)
        case = _new_case(actor, data, checked, definition, routed, now)
        _enter_state(case, spec, spec.initial, now, calendar=load_calendar(config))
        _note_duplicates(case)
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


def _note_duplicates(case: Case) -> None:
    """Record the new case's likely duplicates on its routing record (and which of them its reporter may
    see, for the answer)."""
    likely = duplicates.find(category_id=case.category_id, case_type=case.case_type, lat=case.lat, lng=case.lng,
                             description=f"{case.title} {case.description}", region_code=case.region.code)
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
    if not system:
        get_visible(Case.objects, actor, pk=case_id)  # 404 before anything else
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("workflow", "category", "region").get(pk=case_id)
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
        case.save()
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
    open_cases = Case.objects.filter(kpis.moved_q(now)).select_related("workflow")
    for case in open_cases.only("id", "state", "workflow", "state_entered_at", "due_at", "warn_at",
                                "recorded_sla_status", "was_overdue", "is_supervised").iterator(chunk_size=1000):
        counts["checked"] += 1
        new = sla.status(now=now, started_at=case.state_entered_at, due=case.due_at)
        if new == case.recorded_sla_status:
            continue
        counts["changed"] += 1
        with kpis.tracking(case.pk):
            Case.objects.filter(pk=case.pk).update(recorded_sla_status=new,
                                                   was_overdue=case.was_overdue or new == SlaStatus.OVERDUE)
        wanted = {SlaStatus.OVERDUE: "supervise", SlaStatus.DUE_SOON: "remind"}.get(new)
        if wanted is None or (wanted == "supervise" and case.is_supervised):
            continue
        system_moves = engine.allowed(spec_for(case.workflow), case.state, {"system"})
        move = next((t for t in system_moves if wanted in t.effects and t.target == case.state), None)
        if move is not None:
            transition_case(actor=None, case_id=case.pk, action=move.action, system=True,
                            comment="系统自动" + ("督办:已超期" if wanted == "supervise" else "催办:即将超期"))
            counts["supervised" if wanted == "supervise" else "reminded"] += 1
    return counts


def sync_categories() -> dict[str, int]:
    """Upsert the shipped category tree (cases.flows.catalogue) and freeze the workflow specs. Linking a
    default department needs that department to exist, so run again after departments are loaded."""
    from civicgrid.cases.flows import catalogue
    from civicgrid.cases.models import Category
    from civicgrid.cases.workflows import sync_workflows

    sync_workflows()
    departments = {d.code: d for d in Department.objects.all()}
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        by_code = {c.code: c for c in Category.objects.all()}
        for row in catalogue.as_rows():
            values = {
                "name": row["name"], "case_type": row["case_type"], "parent": by_code.get(row["parent_code"]),
                "default_department": departments.get(row["department"]),
                "filing_condition": row["filing_condition"], "closing_condition": row["closing_condition"],
                "limits": row["limits"], "urgency": row["urgency"], "questions": row["questions"],
            }
            category, created = Category.objects.update_or_create(code=row["code"], defaults=values)
            by_code[category.code] = category
            counts["created" if created else "updated"] += 1
        audit.record(actor=None, action="cases.sync_categories", object_type="cases.category", details=counts)
    return counts


def add_photo(*, actor, case_id: int, data: bytes, idempotency_key: str | None = None):
    """Attach a photo to a case: checked, EXIF position kept as numbers, metadata stripped from the file.
    Anyone who plays a role on the case (reporter, worker, handler, dispatcher) may add one; leaders only read."""
    from django.conf import settings

    from civicgrid.cases.models import Attachment
    from civicgrid.cases.uploads import photos

    case = get_visible(Case.objects.select_related("region"), actor, "cases.view_case", pk=case_id)
    if not (case_roles(actor, case) - {"leader"}):
        raise errors.Forbidden("您不是该案件的处理人,不能上传照片", code="not_a_case_party")
    photo = photos.clean(data)
    digest = fingerprint({"case": case_id, "photo": data}) if idempotency_key else None  # before the lock
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        mine = Attachment.objects.filter(case=locked, uploaded_by=actor).count()
        if mine >= settings.CASE_MAX_PHOTOS:
            raise errors.ValidationFailed(f"每人每案最多上传 {settings.CASE_MAX_PHOTOS} 张照片", code="too_many_photos")

        def create():
            attachment = _store_photo(locked, photo, actor, event=None)
            event = _append_event(locked, actor=actor, role=_role_label(actor, locked), action="attach",
                                  source=locked.state, target=locked.state,
                                  data={"attachment": attachment.pk, "sha256": photo.sha256})
            attachment.event = event
            attachment.save(update_fields=["event"])
            locked.save(update_fields=["event_count", "last_event_hash", "updated_at"])
            audit.record(actor=actor, action="cases.add_photo", obj=locked, details={"attachment": attachment.pk})
            return attachment

        attachment, _ = run_once(key=idempotency_key, actor=actor, action="cases.add_photo", model=Attachment,
                                 create=create, body=digest)
    return attachment


def mark_notifications_read(*, user, pk: int | None = None) -> int:
    """Mark the user's own unread inbox entries (or one of them) read; returns how many changed."""
    from civicgrid.cases.models import Notification

    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=clock.now())


def anonymise_reporter(*, case_id: int, reason: str, now=None) -> bool:
    """Blank the reporter's identity on a closed case whose retention has ended (PIPL), keeping the case:
    the case row's reporter fields, and the name and words on the reporter's own events. The events are
    changed in place, so a tombstone event naming them goes on the chain and `chain.check_case` accepts
    them. False when there was nothing left to blank."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        if case.is_open or not (case.reporter_id or case.reporter_name or case.reporter_phone):
            return False
        mine = case.events.filter(actor_id=case.reporter_id) if case.reporter_id else case.events.none()
        redacted = sorted(mine.values_list("seq", flat=True))
        mine.update(actor=None, actor_name="已匿名", comment="")
        case.reporter, case.reporter_name, case.reporter_phone = None, "", ""
        _append_event(case, actor=None, role="system", action=chain.ANONYMISE, source=case.state,
                      target=case.state, comment="保存期满,报告人信息已匿名化", now=now,
                      data={"redacted": redacted, "fields": ["reporter", "reporter_name", "reporter_phone"],
                            "reason": reason})
        case.save(update_fields=["reporter", "reporter_name", "reporter_phone", "event_count", "last_event_hash"])
        audit.record(actor=None, action="cases.anonymise_reporter", obj=case,
                     fields=["reporter", "reporter_name", "reporter_phone"], reason=reason)
    return True
