"""Every write about buildings, households, residents and tags, and the audited reads of personal data:
the reveal of one resident's full ID number and phone, and the exact look-up by either.

Each function checks permission with `require()` before opening its transaction and writes its audit
record inside it, so a denied or invalid call changes nothing. ID numbers and phones are validated here
(validation.py) and their look-up hashes kept in step with the encrypted values.

An answer that depends on whether a complete ID number or phone belongs to someone confirms a guess, so
each one is a sensitive read (PIPL): the look-up needs people.lookup_personal, a reason and the user's
hourly budget (core.ratelimit.lookups), and a create or update refused because the ID number is already
registered spends the same budget and is audit-logged.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from civicgrid.core import audit, errors, ratelimit
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import require
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.people import validation
from civicgrid.people.choices import Relation, ResidenceType
from civicgrid.people.models import (
    Building,
    Household,
    Resident,
    ResidentTag,
    Tag,
    id_number_hash,
    phone_hash,
)

UNSET: object = object()  # "leave this field as it is" in the update functions
PERSONAL_FIELDS = ["id_number", "phone"]
LOOKUP = "people.lookup_personal"


def _micro_grid(region: Region) -> Region:
    if region.level != RegionLevel.MICRO_GRID:
        raise errors.ValidationFailed("户和楼栋须归属到微网格", code="region_not_micro_grid")
    return region


def _changed(obj, values: dict) -> list[str]:
    """Apply the values that are not UNSET; returns the names of the fields that really changed."""
    changed = []
    for name, value in values.items():
        if value is not UNSET and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


# --- buildings ------------------------------------------------------------------------------------


def create_building(
    *, actor, region: Region, code: str, name: str, address: str = "", floors: int | None = None,
    units: int | None = None, lng: float | None = None, lat: float | None = None, idempotency_key: str | None = None,
) -> Building:
    require(actor, "people.change_building", Building(region=region))
    _micro_grid(region)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise errors.ValidationFailed("楼栋编码和名称不能为空", code="building_required")

    def create() -> Building:
        if Building.objects.filter(code=code).exists():
            raise errors.Conflict("楼栋编码已存在", code="building_code_exists")
        building = Building.objects.create(region=region, code=code, name=name, address=address, floors=floors,
                                           units=units, lng=lng, lat=lat)
        audit.record(actor=actor, action="people.create_building", obj=building, details={"region": region.code})
        return building

    with transaction.atomic():
        building, _ = run_once(key=idempotency_key, actor=actor, action="people.create_building", model=Building,
                               create=create, body={"region": region, "code": code, "name": name, "address": address,
                                                    "floors": floors, "units": units, "lng": lng, "lat": lat})
    return building


def update_building(*, actor, building: Building, name=UNSET, address=UNSET, floors=UNSET, units=UNSET,
                    lng=UNSET, lat=UNSET) -> Building:
    require(actor, "people.change_building", building)
    with transaction.atomic():
        building = Building.objects.select_for_update().get(pk=building.pk)
        changed = _changed(building, {"name": name, "address": address, "floors": floors, "units": units,
                                      "lng": lng, "lat": lat})
        if changed:
            building.save(update_fields=changed)
            audit.record(actor=actor, action="people.update_building", obj=building, details={"changed": changed})
    return building


# --- households -----------------------------------------------------------------------------------


def _check_building(building: Building | None, region: Region) -> None:
    if building is not None and building.region_id != region.pk:
        raise errors.ValidationFailed("楼栋不在该微网格内", code="building_region_mismatch")


def create_household(
    *, actor, region: Region, number: str, building: Building | None = None, room: str = "", address: str = "",
    residence_type: str = ResidenceType.REGISTERED, idempotency_key: str | None = None,
) -> Household:
    """A household in a micro-grid of the actor's scope; its building (if any) must be in that micro-grid."""
    require(actor, "people.change_household", Household(region=region))
    _micro_grid(region)
    _check_building(building, region)
    number = number.strip()
    if not number:
        raise errors.ValidationFailed("户编号不能为空", code="household_number_required")
    residence_type = validation.clean_residence_type(residence_type)

    def create() -> Household:
        if Household.objects.filter(number=number).exists():
            raise errors.Conflict("户编号已存在", code="household_number_exists")
        household = Household.objects.create(region=region, number=number, building=building, room=room.strip(),
                                             address=address.strip(), residence_type=residence_type)
        audit.record(actor=actor, action="people.create_household", obj=household, details={"region": region.code})
        return household

    with transaction.atomic():
        household, _ = run_once(key=idempotency_key, actor=actor, action="people.create_household",
                                model=Household, create=create,
                                body={"region": region, "number": number, "building": building, "room": room,
                                      "address": address, "residence_type": residence_type})
    return household


def update_household(*, actor, household: Household, building=UNSET, room=UNSET, address=UNSET,
                     residence_type=UNSET) -> Household:
    require(actor, "people.change_household", household)
    if building is not UNSET:
        _check_building(building, household.region)
    if residence_type is not UNSET:
        residence_type = validation.clean_residence_type(residence_type)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        changed = _changed(household, {"building": building, "room": room, "address": address,
                                       "residence_type": residence_type})
        if changed:
            household.save(update_fields=[*changed, "updated_at"])
            audit.record(actor=actor, action="people.update_household", obj=household, details={"changed": changed})
    return household


def deactivate_household(*, actor, household: Household, reason: str = "") -> Household:
    """Mark a household as gone (moved away, demolished); its active members are deactivated with it."""
    require(actor, "people.change_household", household)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        if household.is_active:
            household.is_active = False
            household.save(update_fields=["is_active", "updated_at"])
            members = household.members.filter(is_active=True).update(is_active=False)
            audit.record(actor=actor, action="people.deactivate_household", obj=household, reason=reason,
                         details={"members_deactivated": members})
    return household


# --- residents ------------------------------------------------------------------------------------


def _identity_taken(number: str, exclude_pk: int | None = None) -> None:
    qs = Resident.objects.filter(id_number_hash=id_number_hash(number))
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise errors.Conflict("该身份证号已登记", code="id_number_exists")


def _save_unique(obj, **kwargs) -> None:
    """Save in a savepoint; losing the race on the unique ID-number constraint is a Conflict."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError:
        raise errors.Conflict("该身份证号已登记", code="id_number_exists") from None


def create_resident(
    *, actor, household: Household, name: str, id_number: str, phone: str = "", relation: str = Relation.OTHER,
    residence_type: str | None = None, ethnicity: str = "汉族", gender: str | None = None,
    birth_date: date | None = None, idempotency_key: str | None = None,
) -> Resident:
    """Register a resident in a household. Gender and birth date come from the ID number (a stated value
    must agree with it); the resident's region is the household's micro-grid."""
    require(actor, "people.change_resident", Resident(region=household.region))
    if not household.is_active:
        raise errors.ValidationFailed("该户已注销,不能添加成员", code="household_inactive")
    name = validation.clean_name(name)
    info = validation.check_identity(id_number, gender=gender, birth_date=birth_date)
    phone = validation.clean_phone(phone)
    relation = validation.clean_relation(relation)
    residence_type = validation.clean_residence_type(residence_type or household.residence_type)

    def create() -> Resident:
        _identity_taken(info.number)
        resident = Resident(
            region=household.region, household=household, relation=relation, name=name, gender=info.gender,
            birth_date=info.birth_date, ethnicity=(ethnicity or "").strip(), id_number=info.number,
            id_number_hash=id_number_hash(info.number), phone=phone, phone_hash=phone_hash(phone) if phone else "",
            residence_type=residence_type,
        )
        _save_unique(resident)
        audit.record(actor=actor, action="people.create_resident", obj=resident, fields=["id_number", "phone"],
                     details={"household": household.number})
        return resident

    def write():
        with transaction.atomic():
            return run_once(key=idempotency_key, actor=actor, action="people.create_resident", model=Resident,
                            create=create, body={"household": household, "name": name, "id_number": id_number,
                                                 "phone": phone, "relation": relation,
                                                 "residence_type": residence_type, "ethnicity": ethnicity,
                                                 "gender": gender, "birth_date": birth_date})

    resident, _ = ratelimit.conflict_is_lookup(actor, action="people.create_resident", object_type="people.resident",
                                               code="id_number_exists", write=write)
    return resident


def update_resident(*, actor, resident: Resident, name=UNSET, id_number=UNSET, phone=UNSET, relation=UNSET,
                    ethnicity=UNSET, residence_type=UNSET) -> Resident:
    require(actor, "people.change_resident", resident)
    values: dict = {"relation": relation, "ethnicity": ethnicity}
    if name is not UNSET:
        values["name"] = validation.clean_name(name)
    if residence_type is not UNSET:
        values["residence_type"] = validation.clean_residence_type(residence_type)
    if id_number is not UNSET:
        info = validation.check_identity(id_number)
        values.update(id_number=info.number, id_number_hash=id_number_hash(info.number), gender=info.gender,
                      birth_date=info.birth_date)
    if phone is not UNSET:
        cleaned = validation.clean_phone(phone)
        values.update(phone=cleaned, phone_hash=phone_hash(cleaned) if cleaned else "")
    if relation is not UNSET:
        values["relation"] = validation.clean_relation(relation)

    def write() -> Resident:
        with transaction.atomic():
            locked = Resident.objects.select_for_update().get(pk=resident.pk)
            if "id_number" in values:
                _identity_taken(values["id_number"], exclude_pk=locked.pk)
            changed = _changed(locked, values)
            if changed:
                _save_unique(locked, update_fields=[*changed, "updated_at"])
                personal = [f for f in PERSONAL_FIELDS if f in changed]
                audit.record(actor=actor, action="people.update_resident", obj=locked, fields=personal,
                             details={"changed": [f for f in changed if not f.endswith("_hash")]})
        return locked

    if "id_number" not in values:
        return write()
    return ratelimit.conflict_is_lookup(actor, action="people.update_resident", object_type="people.resident",
                                        code="id_number_exists", write=write)


def move_resident(*, actor, resident: Resident, household: Household, relation: str | None = None) -> Resident:
    """Move a resident to another household (possibly in another micro-grid within the actor's scope)."""
    require(actor, "people.change_resident", resident)
    require(actor, "people.change_resident", Resident(region=household.region))
    if not household.is_active:
        raise errors.ValidationFailed("目标户已注销", code="household_inactive")
    new_relation = validation.clean_relation(relation) if relation is not None else None
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        if resident.household_id == household.pk and new_relation in (None, resident.relation):
            return resident
        source = resident.household.number if resident.household_id else None
        resident.household, resident.region = household, household.region
        if new_relation is not None:
            resident.relation = new_relation
        resident.save(update_fields=["household", "region", "relation", "updated_at"])
        audit.record(actor=actor, action="people.move_resident", obj=resident,
                     details={"from": source, "to": household.number, "region": household.region.code})
    return resident


def deactivate_resident(*, actor, resident: Resident, reason: str = "") -> Resident:
    """Mark a resident as no longer living here (moved out, deceased); the record is kept."""
    require(actor, "people.change_resident", resident)
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        if resident.is_active:
            resident.is_active = False
            resident.save(update_fields=["is_active", "updated_at"])
            audit.record(actor=actor, action="people.deactivate_resident", obj=resident, reason=reason)
    return resident


# --- tags -----------------------------------------------------------------------------------------


def _require_tag(actor, tag: Tag, resident: Resident) -> None:
    require(actor, "people.change_resident", resident)
    if tag.is_sensitive:
        require(actor, "people.view_sensitive_tags", resident)


def add_tag(*, actor, resident: Resident, tag: Tag, level: str = "", note: str = "",
            valid_from: date | None = None, valid_to: date | None = None) -> ResidentTag:
    """Tag a resident (or update the level/note of an existing tag). Sensitive tags need their own permission."""
    _require_tag(actor, tag, resident)
    if valid_from and valid_to and valid_to < valid_from:
        raise errors.ValidationFailed("标签结束日期早于开始日期", code="tag_dates_invalid")
    with transaction.atomic():
        link, created = ResidentTag.objects.update_or_create(
            resident=resident, tag=tag,
            defaults={"level": level, "note": note, "valid_from": valid_from, "valid_to": valid_to},
        )
        audit.record(actor=actor, action="people.add_tag", obj=resident,
                     fields=["tag"] if tag.is_sensitive else "",
                     details={"tag": tag.code, "level": level, "created": created})
    return link


def remove_tag(*, actor, resident: Resident, tag: Tag) -> bool:
    _require_tag(actor, tag, resident)
    with transaction.atomic():
        deleted, _ = ResidentTag.objects.filter(resident=resident, tag=tag).delete()
        if deleted:
            audit.record(actor=actor, action="people.remove_tag", obj=resident,
                         fields=["tag"] if tag.is_sensitive else "", details={"tag": tag.code})
    return bool(deleted)


# --- personal data --------------------------------------------------------------------------------


def _reason(reason: str | None, *, code: str, required: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed(required, code=f"{code}_reason_required")
    if len(reason) > 200:
        raise errors.ValidationFailed("事由过长(最多200个字符)", code=f"{code}_reason_too_long")
    return reason


def reveal_personal(*, actor, resident: Resident, reason: str) -> dict[str, str]:
    """The full ID number and phone of one resident (PIPL: every unmasked view is audit-logged with its reason)."""
    require(actor, "people.unmask_personal", resident)
    reason = _reason(reason, code="reveal", required="查看完整信息须填写事由")
    with transaction.atomic():
        audit.record(actor=actor, action="people.reveal_personal", obj=resident, fields=PERSONAL_FIELDS,
                     reason=reason)
    return {"id_number": resident.id_number, "phone": resident.phone}


def look_up_residents(*, actor, id_number: str = "", phone: str = "", reason: str = "") -> QuerySet[Resident]:
    """The residents within the actor's people.lookup_personal reach whose ID number and/or phone is exactly
    the value given (matched through the keyed hashes; a malformed value matches nobody).

    Every refusal is the same whatever the value: no permission 403 `lookup_forbidden`, no reason 422
    `lookup_reason_required`, budget used up 429 `lookup_rate_limited` (403 and 429 audit-logged as `denied`). A
    look-up writes `people.lookup_personal` with the reason, the fields searched and the ids found; the
    value looked for is not written anywhere."""
    wanted = {"id_number": id_number.strip(), "phone": phone.strip()}
    fields = [name for name, value in wanted.items() if value]
    try:
        require(actor, LOOKUP)
    except errors.Forbidden:
        raise errors.Forbidden("按完整身份证号或电话查找须有相应权限", code="lookup_forbidden") from None
    reason = _reason(reason, code="lookup", required="按身份证号或电话查找须填写事由")
    try:
        ratelimit.lookups().spend(actor)
    except errors.RateLimited as exc:
        audit.record(actor=actor, action=LOOKUP, object_type="people.resident", fields=fields, result="denied",
                     reason=exc.code)
        raise
    qs = Resident.objects.visible_to(actor, LOOKUP)
    if wanted["id_number"]:
        qs = qs.filter(id_number_hash=id_number_hash(wanted["id_number"]))
    if wanted["phone"]:
        qs = qs.filter(phone_hash=phone_hash(_normalised_phone(wanted["phone"])))
    found = list(qs.order_by("id").values_list("pk", flat=True)[:100]) if fields else []
    with transaction.atomic():
        audit.record(actor=actor, action=LOOKUP, object_type="people.resident", fields=fields, reason=reason,
                     details={"found": found})
    return Resident.objects.filter(pk__in=found)


def _normalised_phone(value: str) -> str:
    try:
        return validation.clean_phone(value)
    except errors.ValidationFailed:  # an ill-formed phone simply matches nobody
        return value
