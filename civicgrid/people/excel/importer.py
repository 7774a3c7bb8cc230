"""Import households and residents from one sheet (see columns.py), all or nothing.

Every row is checked first and every problem goes into a report `[{row, column, code, message}]` (row
numbers as Excel shows them, the header being row 1). If the report is not empty nothing is written and
ValidationFailed(code="import_rows_invalid", details=report) is raised; otherwise the households,
residents and tags are written in one transaction with bulk inserts and one audit record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from civicgrid.core import audit, errors, ratelimit, xlsx
from civicgrid.core.models import AuditResult
from civicgrid.core.scoping import grant_for, require
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.people import idnumber, validation
from civicgrid.people.excel.columns import BY_HEADER, BY_KEY, COLUMNS, MAX_ROWS
from civicgrid.people.models import (
    Building,
    Household,
    Resident,
    ResidentTag,
    Tag,
    id_number_hash,
    phone_hash,
)

TAG_SEPARATORS = re.compile(r"[,,、;;\s]+")
HOUSEHOLD_KEYS = ("region_code", "building_code", "room", "address")


@dataclass
class ImportResult:
    rows: int
    households_created: int
    residents_created: int
    tags_assigned: int
    dry_run: bool


@dataclass
class _Plan:
    new_households: dict[str, dict] = field(default_factory=dict)  # number -> household fields
    existing_households: dict[str, Household] = field(default_factory=dict)
    created_households: dict[str, Household] = field(default_factory=dict)  # filled while writing
    residents: list[dict] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)

    def all_households(self) -> dict[str, Household]:
        return {**self.existing_households, **self.created_households}

    def error(self, row: int, key: str, error: errors.DomainError | str, message: str = "") -> None:
        code = error if isinstance(error, str) else error.code
        text = message or (error.message if isinstance(error, errors.DomainError) else code)
        header = BY_KEY[key].header if key in BY_KEY else key
        self.report.append({"row": row, "column": header, "code": code, "message": text})


def read_rows(file) -> list[tuple[int, dict[str, str]]]:
    """(Excel row number, {column key: text}) for every non-empty data row of the first sheet."""
    return xlsx.read_rows(file, COLUMNS, MAX_ROWS)


class _Checker:
    """Validates rows against each other, the database and the actor's scope, building the plan."""

    def __init__(self, actor, rows: list[tuple[int, dict[str, str]]]):
        self.actor = actor
        self.rows = rows
        self.plan = _Plan()
        codes = {cells.get("region_code", "") for _, cells in rows}
        self.regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        buildings = {cells.get("building_code", "") for _, cells in rows} - {""}
        self.buildings = {b.code: b for b in Building.objects.filter(code__in=buildings)}
        numbers = {cells.get("household_number", "") for _, cells in rows} - {""}
        self.households = {h.number: h for h in Household.objects.filter(number__in=numbers).select_related("region")}
        self.tags = {t.code: t for t in Tag.objects.all()}
        self.import_grant = grant_for(actor, "people.import_people")
        self.write_grant = grant_for(actor, "people.change_resident")
        self.household_grant = grant_for(actor, "people.change_household")
        self.sensitive_grant = grant_for(actor, "people.view_sensitive_tags")
        self.seen_ids: dict[str, int] = {}  # ID number -> first row
        self.household_rows: dict[str, tuple[int, dict[str, str]]] = {}

    def run(self) -> _Plan:
        hashes = {}
        for number, cells in self.rows:
            hashes[number] = self.check_row(number, cells)
        taken = set(
            Resident.objects.filter(id_number_hash__in=[h for h in hashes.values() if h])
            .values_list("id_number_hash", flat=True)
        )
        told = [number for number, digest in hashes.items() if digest in taken]
        if told:  # each row so reported confirms a guess: a look-up (docs/security.md ID-4)
            ratelimit.registered_numbers_told(self.actor, count=len(told), action="people.import_people",
                                              object_type="people.resident")
        for number in told:
            self.plan.error(number, "id_number", "id_number_exists", "该身份证号已登记")
        return self.plan

    def check_row(self, row: int, cells: dict[str, str]) -> str:
        """Checks one row; returns the ID-number hash (empty when the ID number is bad)."""
        plan = self.plan
        errors_before = len(plan.report)
        for column in COLUMNS:
            if column.required and not cells.get(column.key):
                plan.error(row, column.key, "required", f"“{column.header}”不能为空")
        region = self.check_region(row, cells.get("region_code", ""))
        building = self.check_building(row, cells.get("building_code", ""), region)
        digest, info = "", None
        if cells.get("id_number"):
            try:
                info = idnumber.parse(cells["id_number"])
            except errors.ValidationFailed as exc:
                plan.error(row, "id_number", exc)
            else:
                first = self.seen_ids.setdefault(info.number, row)
                if first != row:
                    plan.error(row, "id_number", "id_number_duplicate_in_file", f"身份证号与第{first}行重复")
                else:
                    digest = id_number_hash(info.number)
        values = {}
        for key, clean in (("phone", validation.clean_phone), ("relation", validation.clean_relation),
                           ("residence_type", validation.clean_residence_type)):
            try:
                values[key] = clean(cells.get(key, ""))
            except errors.ValidationFailed as exc:
                plan.error(row, key, exc)
        tags = self.check_tags(row, cells.get("tags", ""), region)
        household = self.check_household(row, cells, region, building)
        if len(plan.report) == errors_before and info is not None:
            plan.residents.append({"row": row, "household": household, "name": cells["name"][:50],
                                   "id_number": info.number, "gender": info.gender, "birth_date": info.birth_date,
                                   "ethnicity": cells.get("ethnicity") or "汉族",
                                   "tags": tags, **values})
        return digest

    def check_region(self, row: int, code: str) -> Region | None:
        if not code:
            return None
        region = self.regions.get(code)
        if region is None:
            self.plan.error(row, "region_code", "region_unknown", f"微网格编码“{code}”不存在")
        elif region.level != RegionLevel.MICRO_GRID:
            self.plan.error(row, "region_code", "region_not_micro_grid", f"“{code}”不是微网格编码")
        elif not all(g.covers_code(code) for g in (self.import_grant, self.write_grant, self.household_grant)):
            self.plan.error(row, "region_code", "region_out_of_scope", f"微网格“{code}”不在您的管辖范围内")
        else:
            return region
        return None

    def check_building(self, row: int, code: str, region: Region | None) -> Building | None:
        if not code:
            return None
        building = self.buildings.get(code)
        if building is None:
            self.plan.error(row, "building_code", "building_unknown", f"楼栋编码“{code}”不存在")
        elif region is not None and building.region_id != region.pk:
            self.plan.error(row, "building_code", "building_region_mismatch", "楼栋不在该微网格内")
        return building

    def check_tags(self, row: int, text: str, region: Region | None) -> list[Tag]:
        found = []
        for code in [c for c in TAG_SEPARATORS.split(text) if c]:
            tag = self.tags.get(code)
            if tag is None or (tag.is_sensitive and not self.sensitive_grant):
                # a sensitive tag is reported as unknown to someone who may not know it exists
                self.plan.error(row, "tags", "tag_unknown", f"标签编码“{code}”不存在")
            elif tag.is_sensitive and region is not None and not self.sensitive_grant.covers_code(region.code):
                self.plan.error(row, "tags", "tag_sensitive_forbidden", f"无权为该微网格居民设置敏感标签“{code}”")
            elif tag not in found:
                found.append(tag)
        return found

    def check_household(self, row: int, cells: dict[str, str], region, building) -> str:
        number = cells.get("household_number", "")
        if not number:
            return ""
        first = self.household_rows.setdefault(number, (row, cells))
        if first[0] != row:
            for key in HOUSEHOLD_KEYS:
                if cells.get(key) and cells.get(key) != first[1].get(key):
                    self.plan.error(row, key, "household_inconsistent", f"与第{first[0]}行同一户的“{BY_KEY[key].header}”不一致")
            return number
        existing = self.households.get(number)
        if existing is not None:
            if not self.household_grant.covers_code(existing.region.code) or (region and existing.region_id != region.pk):
                self.plan.error(row, "household_number", "household_exists", "户编号已被其他微网格的户使用")
            elif not existing.is_active:
                self.plan.error(row, "household_number", "household_inactive", "该户已注销,不能添加成员")
            else:
                self.plan.existing_households[number] = existing
        elif region is not None:
            self.plan.new_households[number] = {
                "region": region, "building": building if building and building.region_id == region.pk else None,
                "room": cells.get("room", "")[:40], "address": cells.get("address", "")[:200],
                "residence_type": _quiet(validation.clean_residence_type, cells.get("residence_type", "")),
            }
        return number


def _quiet(clean, value: str) -> str:
    try:
        return clean(value)
    except errors.ValidationFailed:
        return clean("")


def import_people_xlsx(*, actor, file, dry_run: bool = False) -> ImportResult:
    """Validate every row; write nothing unless all are valid (see the module docstring)."""
    require(actor, "people.import_people")
    ratelimit.lookups().check(actor)  # used up: refused whatever the file holds, so a refusal tells nothing
    rows = read_rows(file)
    plan = _Checker(actor, rows).run()
    if plan.report:
        plan.report.sort(key=lambda e: (e["row"], [c.header for c in COLUMNS].index(e["column"])
                                        if e["column"] in BY_HEADER else 99))
        audit.record(actor=actor, action="people.import_people", object_type="people.resident",
                     result=AuditResult.FAILED, reason="import_rows_invalid",
                     details={"rows": len(rows), "errors": len(plan.report), "dry_run": dry_run})
        raise errors.ValidationFailed(f"导入文件中有{len(plan.report)}处错误,未导入任何数据,请修改后重新上传",
                                      code="import_rows_invalid", details=plan.report)
    tag_count = sum(len(r["tags"]) for r in plan.residents)
    result = ImportResult(rows=len(rows), households_created=len(plan.new_households),
                          residents_created=len(plan.residents), tags_assigned=tag_count, dry_run=dry_run)
    if dry_run:
        return result
    try:
        with transaction.atomic():
            _write(plan)
            audit.record(actor=actor, action="people.import_people", object_type="people.resident",
                         fields=["id_number", "phone"],
                         details={"rows": len(rows), "households_created": result.households_created,
                                  "residents_created": result.residents_created, "tags_assigned": tag_count,
                                  "regions": sorted({h.region.code for h in plan.all_households().values()})})
    except IntegrityError:
        raise errors.Conflict("导入期间数据已被他人修改(户编号或身份证号重复),请重新导入", code="import_conflict") from None
    return result


def _write(plan: _Plan) -> None:
    Household.objects.bulk_create([Household(number=n, **fields) for n, fields in plan.new_households.items()],
                                  batch_size=500)
    created = Household.objects.filter(number__in=list(plan.new_households)).select_related("region")
    plan.created_households = {h.number: h for h in created}
    households = plan.all_households()
    residents = []
    for r in plan.residents:
        household = households[r["household"]]
        residents.append(Resident(
            region=household.region, household=household, relation=r["relation"], name=r["name"],
            gender=r["gender"], birth_date=r["birth_date"],
            ethnicity=r["ethnicity"][:20], id_number=r["id_number"], id_number_hash=id_number_hash(r["id_number"]),
            phone=r["phone"], phone_hash=phone_hash(r["phone"]) if r["phone"] else "",
            residence_type=r["residence_type"],
        ))
    Resident.objects.bulk_create(residents, batch_size=500)
    ids = dict(Resident.objects.filter(id_number_hash__in=[r.id_number_hash for r in residents])
               .values_list("id_number_hash", "pk"))
    links = [ResidentTag(resident_id=ids[id_number_hash(r["id_number"])], tag=tag)
             for r in plan.residents for tag in r["tags"]]
    ResidentTag.objects.bulk_create(links, batch_size=500)
