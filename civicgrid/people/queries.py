"""Reads over buildings, households and residents, always scoped, and how a resident is presented.

Presentation is masked by default: the full ID number and phone only appear when the caller passes the
values returned by `actions.reveal_personal` (which checks the permission and writes the audit record).
Sensitive tags are left out unless the viewer holds people.view_sensitive_tags over the resident.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from civicgrid.core import errors, masking
from civicgrid.core.scoping import can, grant_for
from civicgrid.people import validation
from civicgrid.people.models import (
    Building,
    Household,
    Resident,
    ResidentTag,
    Tag,
    id_number_hash,
    phone_hash,
)


def buildings_visible(user, *, region: str = "", q: str = "") -> QuerySet[Building]:
    qs = Building.objects.visible_to(user).select_related("region")
    if region:
        qs = qs.filter(region__code__startswith=region.strip())
    if q:
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(code__startswith=q.strip()) | Q(address__icontains=q.strip()))
    return qs.order_by("code")


def households_visible(user, *, region: str = "", q: str = "", active: bool | None = True) -> QuerySet[Household]:
    """Households in the viewer's scope; `q` matches the number, address, room or a member's name."""
    qs = Household.objects.visible_to(user).select_related("region", "building")
    if region:
        qs = qs.filter(region__code__startswith=region.strip())
    if active is not None:
        qs = qs.filter(is_active=active)
    q = q.strip()
    if q:
        member_ids = Resident.objects.filter(name__icontains=q).values("household_id")
        qs = qs.filter(Q(number__icontains=q) | Q(address__icontains=q) | Q(room__icontains=q) | Q(pk__in=member_ids))
    return qs.order_by("number")


def residents_visible(
    user, *, region: str = "", q: str = "", id_number: str = "", phone: str = "", tag: str = "",
    active: bool | None = True, household_id: int | None = None,
) -> QuerySet[Resident]:
    """Residents in the viewer's scope. ID number and phone match exactly through their look-up hashes;
    filtering by a sensitive tag finds nothing for a viewer who may not see sensitive tags."""
    qs = Resident.objects.visible_to(user).select_related("region", "household")
    if region:
        qs = qs.filter(region__code__startswith=region.strip())
    if active is not None:
        qs = qs.filter(is_active=active)
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if id_number.strip():
        qs = qs.filter(id_number_hash=id_number_hash(id_number.strip()))
    if phone.strip():
        qs = qs.filter(phone_hash=phone_hash(_normalised_phone(phone)))
    if tag.strip():
        found = Tag.objects.filter(code=tag.strip()).first()
        if found is None:
            return qs.none()
        qs = qs.filter(tags__tag=found)
        if found.is_sensitive:
            qs = qs.visible_to(user, "people.view_sensitive_tags")
    return qs.order_by("id")


def _normalised_phone(value: str) -> str:
    try:
        return validation.clean_phone(value)
    except errors.ValidationFailed:  # an ill-formed phone simply matches nothing
        return value.strip()


def tags_for(user) -> QuerySet[Tag]:
    """Tags the viewer may filter by or see at all."""
    qs = Tag.objects.all()
    if not grant_for(user, "people.view_sensitive_tags"):
        qs = qs.filter(is_sensitive=False)
    return qs


def with_tags(qs: QuerySet[Resident]) -> QuerySet[Resident]:
    return qs.prefetch_related(Prefetch("tags", queryset=ResidentTag.objects.select_related("tag").order_by("tag__code")))


def visible_tags(resident: Resident, viewer) -> list[dict]:
    """The resident's tags, sensitive ones only for a viewer holding people.view_sensitive_tags over them."""
    sensitive_ok = can(viewer, "people.view_sensitive_tags", resident)
    return [
        {"code": link.tag.code, "name": link.tag.name, "level": link.level, "is_sensitive": link.tag.is_sensitive}
        for link in resident.tags.all()
        if sensitive_ok or not link.tag.is_sensitive
    ]


def can_reveal(viewer, resident: Resident) -> bool:
    return can(viewer, "people.unmask_personal", resident)


def present_resident(resident: Resident, viewer, *, revealed: dict | None = None) -> dict:
    """A resident as shown to `viewer`: ID number and phone masked unless `revealed` (the result of
    actions.reveal_personal for this resident) is given."""
    revealed = revealed or {}
    return {
        "id": resident.pk,
        "name": resident.name,
        "gender": resident.gender,
        "gender_label": str(resident.get_gender_display()),
        "birth_date": resident.birth_date,
        "ethnicity": resident.ethnicity,
        "relation": resident.relation,
        "relation_label": str(resident.get_relation_display()),
        "residence_type": resident.residence_type,
        "residence_type_label": str(resident.get_residence_type_display()),
        "id_number": revealed.get("id_number") or masking.mask_id_number(resident.id_number),
        "phone": revealed.get("phone") or masking.mask_phone(resident.phone),
        "is_masked": not revealed,
        "region_code": resident.region.code,
        "region_name": resident.region.name,
        "household_id": resident.household_id,
        "household_number": resident.household.number if resident.household_id else None,
        "is_active": resident.is_active,
        "tags": visible_tags(resident, viewer),
        "can_reveal": can_reveal(viewer, resident),
    }


def present_household(household: Household, viewer, *, members: bool = False) -> dict:
    data = {
        "id": household.pk,
        "number": household.number,
        "region_code": household.region.code,
        "region_name": household.region.name,
        "building_code": household.building.code if household.building_id else None,
        "building_name": household.building.name if household.building_id else None,
        "room": household.room,
        "address": household.address,
        "residence_type": household.residence_type,
        "residence_type_label": str(household.get_residence_type_display()),
        "is_active": household.is_active,
    }
    if members:
        data["members"] = [present_resident(r, viewer) for r in household_members(household, viewer)]
    return data


def household_members(household: Household, viewer) -> QuerySet[Resident]:
    return with_tags(residents_visible(viewer, household_id=household.pk, active=None).order_by("-is_active", "id"))
