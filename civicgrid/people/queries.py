"""Reads over buildings, households and residents, always scoped, and how a resident is presented.

Presentation is masked by default (core/masking.py): the full ID number and phone only appear when the
caller passes the values returned by `actions.reveal_personal` (which checks the permission and writes the
audit record); the birth date shows as a year unless the viewer may unmask the resident. Nothing here
filters by ID number or phone: an exact look-up is the audited, rate-limited `actions.look_up_residents`.

Sensitive tags follow one rule: shown only within the viewer's people.view_sensitive_tags reach
(`visible_to(user, SENSITIVE_TAGS)` for many residents, `sees_sensitive_tags` for one; docs/security.md
PI-5). The key-person permissions are bounded by that same reach in the chokepoint (`Permission.within`),
so people and key-person pages agree.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from civicgrid.core import masking
from civicgrid.core.scoping import can, grant_for
from civicgrid.geo import basemap
from civicgrid.geo.models import Region
from civicgrid.people.models import Building, Household, Resident, ResidentTag, Tag

SENSITIVE_TAGS = "people.view_sensitive_tags"
UNMASK = "people.unmask_personal"


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
    user, *, region: str = "", q: str = "", tag: str = "", active: bool | None = True,
    household_id: int | None = None,
) -> QuerySet[Resident]:
    """Residents in the viewer's scope; `q` matches the name only (never an ID number or phone). Filtering
    by a sensitive tag finds only residents within the viewer's sensitive-tag reach."""
    qs = Resident.objects.visible_to(user).select_related("region", "household")
    if region:
        qs = qs.filter(region__code__startswith=region.strip())
    if active is not None:
        qs = qs.filter(is_active=active)
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if tag.strip():
        found = Tag.objects.filter(code=tag.strip()).first()
        if found is None:
            return qs.none()
        qs = qs.filter(tags__tag=found)
        if found.is_sensitive:
            qs = qs.visible_to(user, SENSITIVE_TAGS)
    return qs.order_by("id")


def sees_sensitive_tags(user, resident: Resident) -> bool:
    """The rule for sensitive tags, for one resident."""
    return can(user, SENSITIVE_TAGS, resident)


def tags_for(user) -> QuerySet[Tag]:
    """Tags the viewer may filter by or see at all."""
    qs = Tag.objects.all()
    if not grant_for(user, SENSITIVE_TAGS):
        qs = qs.filter(is_sensitive=False)
    return qs


def with_tags(qs: QuerySet[Resident]) -> QuerySet[Resident]:
    return qs.prefetch_related(Prefetch("tags", queryset=ResidentTag.objects.select_related("tag").order_by("tag__code")))


def visible_tags(resident: Resident, viewer) -> list[dict]:
    """The resident's tags, sensitive ones only for a viewer holding people.view_sensitive_tags over them."""
    sensitive_ok = sees_sensitive_tags(viewer, resident)
    return [
        {"code": link.tag.code, "name": link.tag.name, "level": link.level, "is_sensitive": link.tag.is_sensitive}
        for link in resident.tags.all()
        if sensitive_ok or not link.tag.is_sensitive
    ]


def can_reveal(viewer, resident: Resident) -> bool:
    return can(viewer, UNMASK, resident)


def present_resident(resident: Resident, viewer, *, revealed: dict | None = None) -> dict:
    """A resident as shown to `viewer`: ID number and phone masked unless `revealed` (the result of
    actions.reveal_personal for this resident) is given; the full birth date only for a viewer who may
    unmask the resident (with the masked ID number it would narrow the rest to a few guesses)."""
    revealed = revealed or {}
    may_unmask = can_reveal(viewer, resident)
    return {
        "id": resident.pk,
        "name": resident.name,
        "gender": resident.gender,
        "gender_label": str(resident.get_gender_display()),
        "birth_date": resident.birth_date if may_unmask else None,
        "birth_year": masking.birth_year(resident.birth_date),
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
        "can_reveal": may_unmask,
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


# ---- the base map: buildings as public geography ---------------------------------------------------------
# A building's name, address and place are what a street map shows; nothing about who lives there (no
# household, resident or count of either) leaves these reads, so they are not scoped: a resident uses them
# to aim a report.

MAP_BUILDINGS_LIMIT = 3000
SEARCH_LIMIT = 8


def map_buildings(bbox: tuple[float, float, float, float]) -> dict:
    """Buildings with a position inside `bbox` (west, south, east, north) as footprint polygons, plus one
    label per estate; `truncated` when more than MAP_BUILDINGS_LIMIT fall inside."""
    west, south, east, north = bbox
    rows = list(
        Building.objects.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north)
        .order_by("code").values_list("code", "name", "address", "floors", "units", "lng", "lat")[:MAP_BUILDINGS_LIMIT + 1]
    )
    truncated = len(rows) > MAP_BUILDINGS_LIMIT
    rows = rows[:MAP_BUILDINGS_LIMIT]
    features = [{
        "type": "Feature", "id": code,
        "geometry": {"type": "Polygon", "coordinates": [basemap.footprint(lng, lat, floors, units)]},
        "properties": {"code": code, "name": name, "address": address, "floors": floors, "point": [lng, lat]},
    } for code, name, address, floors, units, lng, lat in rows]
    return {"type": "FeatureCollection", "features": features, "bbox": list(bbox), "truncated": truncated,
            "estates": basemap.estate_labels((name, lng, lat) for _, name, _, _, _, lng, lat in rows)}


def search_buildings(q: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Buildings with a position whose name or address contains `q`, with their community's name."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    rows = list(
        Building.objects.filter(Q(name__icontains=q) | Q(address__icontains=q), lng__isnull=False, lat__isnull=False)
        .order_by("code").values("code", "name", "address", "lng", "lat", "region__code")[:limit]
    )
    communities = dict(Region.objects.filter(code__in={r["region__code"][:12] for r in rows})
                       .values_list("code", "name"))
    return [{"kind": "building", "code": r["code"], "name": r["name"], "address": r["address"],
             "area": communities.get(r["region__code"][:12], ""), "lng": r["lng"], "lat": r["lat"]} for r in rows]
