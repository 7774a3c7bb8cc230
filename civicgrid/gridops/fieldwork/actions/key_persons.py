"""Key persons (重点人员): the audited reads, assigning the responsible worker and police liaison, follow-up
records, ending the management.

PIPL art. 28: who is a key person is itself sensitive personal information. Every read that shows key-person
data — a detail, a list page, masked or not — writes an audit record saying which records were shown and
which fields were unmasked; unmasking needs people.unmask_personal over the resident and a reason.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone

from civicgrid.cases.notify import notify_ids
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import can, require
from civicgrid.gridops.fieldwork.actions import _common
from civicgrid.gridops.fieldwork.choices import Condition, FollowUpMethod
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment, KeyPersonFollowUp
from civicgrid.gridops.fieldwork.queries import key_persons as q
from civicgrid.people.models import Resident, ResidentTag, Tag

VIEW, FOLLOW_UP, UNMASK = q.VIEW, q.FOLLOW_UP, q.UNMASK
REVEALED_FIELDS = ["name", "id_number", "phone", "address", "birth_date"]


def _today() -> date:
    return timezone.localdate(clock.now())


# --- audited reads --------------------------------------------------------------------------------


def _fields(revealed: bool) -> list[str]:
    return ["key_person", *REVEALED_FIELDS] if revealed else ["key_person"]


def read_key_person(*, actor, assignment_id: int, reason: str = "") -> dict:
    """One key person with their follow-ups, as `actor` may see them: masked, or — with a reason and
    people.unmask_personal over the resident — in full. Out of scope: 404 (the attempt is audit-logged).
    Every successful read writes one audit row."""
    assignment = (KeyPersonAssignment.objects.filter(pk=assignment_id)
                  .annotate(tier=Subquery(q.tag_link().values("level")[:1]))
                  .select_related("resident__region", "resident__household", "tag", "responsible_worker",
                                  "police_liaison").first())
    if assignment is None:
        raise errors.NotFound()
    require(actor, VIEW, assignment)
    reason = _common.reason(reason)
    if reason:
        require(actor, UNMASK, assignment.resident)
    revealed = bool(reason)
    today = _today()
    person = q.present_key_person(assignment, actor, today=today, revealed=revealed)
    follow_ups = [q.present_follow_up(f) for f in q.follow_ups_of(assignment)]
    with transaction.atomic():
        audit.record(actor=actor, action="fieldwork.view_key_person", obj=assignment,
                     fields=_fields(revealed) + (["follow_up_notes"] if follow_ups else []), reason=reason,
                     details={"resident": assignment.resident_id, "tag": assignment.tag.code, "unmasked": revealed})
    return {"person": person, "follow_ups": follow_ups}


def read_key_person_list(*, actor, assignments, unassigned=(), reason: str = "") -> dict:
    """Present one page of key persons (already selected through `queries.key_persons`) and write one
    audit row naming every record shown. With a reason, the rows whose resident the actor may unmask are
    shown in full; without people.unmask_personal anywhere a reason is refused (403)."""
    require(actor, VIEW)
    reason = _common.reason(reason)
    if reason:
        require(actor, UNMASK)
    today = _today()
    people, unmasked = [], []
    for a in assignments:
        revealed = bool(reason) and can(actor, UNMASK, a.resident)
        people.append(q.present_key_person(a, actor, today=today, revealed=revealed))
        if revealed:
            unmasked.append(a.pk)
    waiting = []
    for link in unassigned:
        revealed = bool(reason) and can(actor, UNMASK, link.resident)
        waiting.append(q.present_unassigned(link, revealed=revealed))
    with transaction.atomic():
        audit.record(actor=actor, action="fieldwork.list_key_persons", object_type="fieldwork.keypersonassignment",
                     fields=_fields(bool(unmasked)), reason=reason,
                     details={"ids": [p["id"] for p in people], "unmasked": unmasked,
                              "unassigned_residents": [w["resident_id"] for w in waiting]})
    return {"people": people, "unassigned": waiting, "unmasked": bool(unmasked)}


# --- assignment -----------------------------------------------------------------------------------


def _check_people(resident: Resident, worker, police) -> None:
    if not q.worker_candidates(resident).filter(pk=worker.pk).exists():
        raise errors.ValidationFailed("责任人须为该居民所在网格的网格员或所在社区的社区管理员",
                                      code="worker_not_in_scope")
    if police is not None and not q.police_candidates(resident).filter(pk=police.pk).exists():
        raise errors.ValidationFailed("社区民警须为该居民所在社区的社区民警", code="police_not_in_scope")


def assign_key_person(*, actor, resident: Resident, tag: Tag, responsible_worker, police_liaison=None,
                      contact_every_days: int | None = None, started_on: date | None = None) -> KeyPersonAssignment:
    """Name the responsible worker (and the community's police liaison) for a resident carrying a
    sensitive tag; again for an active assignment changes who is responsible."""
    require(actor, FOLLOW_UP, KeyPersonAssignment(resident=resident, tag=tag))
    if not tag.is_sensitive:
        raise errors.ValidationFailed("只有重点人员类标签需要落实帮扶责任", code="tag_not_key_person")
    if not resident.is_active:
        raise errors.ValidationFailed("该居民已注销", code="resident_inactive")
    if not ResidentTag.objects.filter(resident=resident, tag=tag).exists():
        raise errors.ValidationFailed("该居民没有此重点人员标签", code="key_person_tag_missing")
    _check_people(resident, responsible_worker, police_liaison)
    if contact_every_days is not None and not 1 <= contact_every_days <= 365:
        raise errors.ValidationFailed("联系频次须为1–365天", code="contact_every_days_invalid")
    today = _today()
    with transaction.atomic():
        current = KeyPersonAssignment.objects.select_for_update().filter(resident=resident, tag=tag,
                                                                         is_active=True).first()
        created = current is None
        if created:
            current = KeyPersonAssignment(resident=resident, tag=tag, started_on=started_on or today,
                                          created_at=clock.now())
        before = (current.responsible_worker_id, current.police_liaison_id) if not created else (None, None)
        current.responsible_worker, current.police_liaison = responsible_worker, police_liaison
        current.contact_every_days = contact_every_days
        try:
            with transaction.atomic():
                current.save()
        except IntegrityError:
            raise errors.Conflict("该重点人员已由他人落实责任人,请刷新", code="key_person_assigned") from None
        audit.record(actor=actor, action="fieldwork.assign_key_person" if created else "fieldwork.update_key_person",
                     obj=current, fields=["key_person"],
                     details={"resident": resident.pk, "tag": tag.code, "worker": responsible_worker.pk,
                              "police": police_liaison.pk if police_liaison else None})
        told = {responsible_worker.pk, police_liaison.pk if police_liaison else None} - set(before)
        notify_ids(list(told), None, "key_person", "您已被指定为一名重点人员的帮扶责任人,请在“重点人员”中查看", skip=actor)
    return current


def end_key_person(*, actor, assignment: KeyPersonAssignment, reason: str) -> KeyPersonAssignment:
    """End the management (解除矫正, 死亡, 迁出 …); the follow-up history is kept."""
    require(actor, FOLLOW_UP, assignment)
    reason = _common.text(reason, label="解除原因", code="end_reason", max_length=200, required=True)
    with transaction.atomic():
        locked = KeyPersonAssignment.objects.select_for_update().get(pk=assignment.pk)
        if not locked.is_active:
            raise errors.Conflict("该重点人员已解除管控", code="key_person_inactive")
        locked.is_active, locked.ended_on, locked.end_reason = False, _today(), reason
        locked.save(update_fields=["is_active", "ended_on", "end_reason", "updated_at"])
        audit.record(actor=actor, action="fieldwork.end_key_person", obj=locked, fields=["key_person"], reason=reason)
    return locked


# --- follow-ups -----------------------------------------------------------------------------------


def record_follow_up(
    *, actor, assignment: KeyPersonAssignment, method: str, contacted_at=None, condition: str = Condition.STABLE,
    notes: str = "", with_police: bool = False, police_officer=None, next_due_on: date | None = None,
    idempotency_key: str | None = None,
) -> KeyPersonFollowUp:
    """Record a contact with a key person. A police liaison recording it is the police present; a named
    officer must be a police liaison of the person's community. The latest contact restarts the clock; an
    abnormal condition tells the responsible worker and the police liaison."""
    require(actor, FOLLOW_UP, assignment)
    sent = {"assignment": assignment, "method": method, "contacted_at": contacted_at, "condition": condition,
            "notes": notes, "with_police": with_police, "police_officer": police_officer,
            "next_due_on": next_due_on}  # the idempotency body
    if not assignment.is_active:
        raise errors.ValidationFailed("该重点人员已解除管控", code="key_person_inactive")
    method = _common.choice(method, FollowUpMethod, label="联系方式", code="method")
    condition = _common.choice(condition, Condition, label="现实表现", code="condition")
    notes = _common.text(notes, label="帮扶情况", code="notes", max_length=2000)
    now = clock.now()
    contacted_at = _common.moment(contacted_at, now, label="联系时间", code="contacted_at")
    _common.later_date(next_due_on, timezone.localdate(contacted_at), label="下次联系日期", code="next_due")
    resident = assignment.resident
    police = q.police_candidates(resident)
    if police_officer is None and police.filter(pk=actor.pk).exists():
        police_officer = actor
    if police_officer is not None and not police.filter(pk=police_officer.pk).exists():
        raise errors.ValidationFailed("在场民警须为该居民所在社区的社区民警", code="police_not_in_scope")
    with_police = bool(with_police or police_officer is not None)

    def create() -> KeyPersonFollowUp:
        locked = KeyPersonAssignment.objects.select_for_update().get(pk=assignment.pk)
        follow_up = KeyPersonFollowUp.objects.create(
            assignment=locked, contacted_at=contacted_at, method=method, with_police=with_police,
            police_officer=police_officer, condition=condition, notes=notes, next_due_on=next_due_on,
            recorded_by=actor, created_at=now)
        if locked.last_contact_at is None or contacted_at >= locked.last_contact_at:
            locked.last_contact_at, locked.next_contact_due = contacted_at, next_due_on
            locked.save(update_fields=["last_contact_at", "next_contact_due", "updated_at"])
        audit.record(actor=actor, action="fieldwork.record_follow_up", obj=locked,
                     fields=["key_person", "follow_up_notes"] if notes else ["key_person"],
                     details={"follow_up": follow_up.pk, "method": method, "with_police": with_police,
                              "condition": condition})
        if condition == Condition.ABNORMAL:
            notify_ids([locked.responsible_worker_id, locked.police_liaison_id], None, "key_person_abnormal",
                       "重点人员随访发现异常情况,请在“重点人员”中查看并及时处置", skip=actor)
        return follow_up

    with transaction.atomic():
        follow_up, _ = run_once(key=idempotency_key, actor=actor, action="fieldwork.record_follow_up",
                                model=KeyPersonFollowUp, create=create, body=sent)
    return follow_up
