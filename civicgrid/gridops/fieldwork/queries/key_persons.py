"""Reads over key persons (重点人员). These only select and present; every read that shows key-person
data to a person goes through `actions.read_key_person` / `actions.read_key_person_list`, which check
the permission and write the audit record (PIPL art. 28: the 特定身份 itself is sensitive).

Presentation is masked by default (core/masking.py: name 张**, ID number 2****************4, phone
*******1234, no address or birth date); `revealed=True` is only passed by the audited actions after
checking people.unmask_personal.

Who sees key persons at all follows the one rule for sensitive tags: the key-person permissions reach no
further than people.view_sensitive_tags (`Permission.within`, applied by `scoping.grant_for`), so every
list, count, detail and action below is bounded by it.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.core import masking
from civicgrid.core.scoping import can
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment, KeyPersonFollowUp
from civicgrid.people.models import Resident, ResidentTag, Tag

VIEW = "fieldwork.view_key_person"
FOLLOW_UP = "fieldwork.follow_up_key_person"
UNMASK = "people.unmask_personal"
# who may be named responsible for a key person, and who is the police side
WORKER_ROLES = frozenset({"grid_worker", "community_admin"})
POLICE_ROLES = frozenset({"police_liaison"})


def tag_link():
    """The resident's link to the assignment's tag (its level is the tier)."""
    return ResidentTag.objects.filter(resident=OuterRef("resident"), tag=OuterRef("tag"))


def key_persons_visible(user, *, region: str = "", tag: str = "", worker_id: int | None = None,
                        active: bool = True) -> QuerySet[KeyPersonAssignment]:
    """Assignments in the user's key-person scope whose resident still carries the sensitive tag,
    annotated with `tier` (the ResidentTag level)."""
    qs = (KeyPersonAssignment.objects.visible_to(user)
          .filter(Exists(tag_link()))
          .annotate(tier=Subquery(tag_link().values("level")[:1]))
          .select_related("resident__region", "resident__household", "tag", "responsible_worker", "police_liaison"))
    if active:
        qs = qs.filter(is_active=True, resident__is_active=True)
    if region.strip():
        qs = qs.filter(resident__region__code__startswith=region.strip())
    if tag:
        qs = qs.filter(tag__code=tag)
    if worker_id is not None:
        qs = qs.filter(responsible_worker_id=worker_id)
    return qs.order_by("resident__region__code", "id")


def with_status(assignments, today: date) -> list[KeyPersonAssignment]:
    """The assignments with `due` and `overdue` (days) set, most overdue first."""
    rows = list(assignments)
    for a in rows:
        a.due = a.due_on(getattr(a, "tier", "") or "")
        a.overdue = a.days_overdue(getattr(a, "tier", "") or "", today)
    rows.sort(key=lambda a: (-a.overdue, a.due or date.max, a.pk))
    return rows


def overdue_key_persons(user, *, today: date, **filters) -> list[KeyPersonAssignment]:
    return [a for a in with_status(key_persons_visible(user, **filters), today) if a.overdue > 0]


def unassigned_key_persons(user, *, region: str = "") -> QuerySet[ResidentTag]:
    """Sensitive tags in the user's key-person scope without an active assignment (待落实责任人)."""
    residents = Resident.objects.visible_to(user, VIEW).filter(is_active=True)
    if region.strip():
        residents = residents.filter(region__code__startswith=region.strip())
    assigned = KeyPersonAssignment.objects.filter(resident=OuterRef("resident"), tag=OuterRef("tag"), is_active=True)
    return (ResidentTag.objects.filter(resident__in=residents, tag__is_sensitive=True)
            .exclude(Exists(assigned)).select_related("resident__region", "tag").order_by("resident__region__code", "id"))


def key_person_counts(user, *, today: date, region: str = "") -> dict[str, int]:
    """Numbers only (no identities): active key persons, overdue, without a responsible worker."""
    rows = with_status(key_persons_visible(user, region=region), today)
    return {"total": len(rows), "overdue": sum(1 for a in rows if a.overdue),
            "unassigned": unassigned_key_persons(user, region=region).count()}


def sensitive_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(is_sensitive=True).order_by("code")


def follow_ups_of(assignment: KeyPersonAssignment) -> QuerySet[KeyPersonFollowUp]:
    return assignment.follow_ups.select_related("police_officer", "recorded_by").order_by("-contacted_at", "-id")


def _address(resident: Resident) -> str:
    household = resident.household
    if household is None:
        return ""
    return household.full_address


def present_key_person(a: KeyPersonAssignment, viewer, *, today: date, revealed: bool = False) -> dict:
    r = a.resident
    tier = getattr(a, "tier", "") or ""
    due = a.due_on(tier)
    overdue = a.days_overdue(tier, today)
    return {
        "id": a.pk,
        "resident_id": r.pk,
        "name": r.name if revealed else masking.mask_name(r.name),
        "gender_label": str(r.get_gender_display()),
        "birth_date": r.birth_date if revealed else None,
        "id_number": r.id_number if revealed else masking.mask_id_number(r.id_number),
        "phone": r.phone if revealed else masking.mask_phone(r.phone),
        "address": _address(r) if revealed else "",
        "region_code": r.region.code,
        "region_name": r.region.name,
        "tag_id": a.tag_id,
        "tag_code": a.tag.code,
        "tag_name": a.tag.name,
        "tier": tier,
        "interval_days": a.interval_days(tier),
        "started_on": a.started_on,
        "last_contact_at": a.last_contact_at,
        "due_on": due,
        "days_overdue": overdue,
        "is_overdue": overdue > 0,
        "responsible_worker": str(a.responsible_worker),
        "police_liaison": str(a.police_liaison) if a.police_liaison_id else "",
        "is_active": a.is_active,
        "is_masked": not revealed,
        "can_reveal": can(viewer, UNMASK, r),
        "can_follow_up": a.is_active and can(viewer, FOLLOW_UP, a),
    }


def present_unassigned(link: ResidentTag, *, revealed: bool = False) -> dict:
    """A resident carrying a sensitive tag but nobody responsible yet (待落实), masked by default."""
    r = link.resident
    return {"resident_id": r.pk, "tag_id": link.tag_id, "tag_code": link.tag.code, "tag_name": link.tag.name,
            "tier": link.level, "name": r.name if revealed else masking.mask_name(r.name),
            "region_code": r.region.code, "region_name": r.region.name, "is_masked": not revealed}


def present_follow_up(f: KeyPersonFollowUp) -> dict:
    return {
        "id": f.pk, "contacted_at": f.contacted_at, "method": f.method, "method_label": str(f.get_method_display()),
        "with_police": f.with_police, "police_officer": str(f.police_officer) if f.police_officer_id else "",
        "condition": f.condition, "condition_label": str(f.get_condition_display()), "notes": f.notes,
        "next_due_on": f.next_due_on, "recorded_by": str(f.recorded_by) if f.recorded_by_id else "",
    }


def _holders(roles, region_code: str) -> QuerySet[User]:
    """Active users holding one of `roles` over a region that contains `region_code`."""
    prefixes = [region_code[:n] for n in range(1, len(region_code) + 1)]
    ids = RoleAssignment.objects.filter(role__in=list(roles), is_active=True, user__is_active=True,
                                        region__code__in=prefixes).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("username")


def worker_candidates(resident: Resident) -> QuerySet[User]:
    """Who may be named responsible worker: grid workers and community admins over the resident."""
    return _holders(WORKER_ROLES, resident.region.code)


def police_candidates(resident: Resident) -> QuerySet[User]:
    """The police liaisons of the resident's community."""
    return _holders(POLICE_ROLES, resident.region.code)
