"""Every write of the improvement-works register. Input is checked whole before anything is written
(quantities typed per kind, dates in order, the location a valid GeoJSON geometry inside the district), then
one transaction writes the rows and the audit event."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicgrid.accounts.models import Department
from civicgrid.core import audit, clock, errors
from civicgrid.core.idempotency import run_once
from civicgrid.core.inputs import is_blank
from civicgrid.core.scoping import can, get_visible, require, view_perm
from civicgrid.geo import geojson
from civicgrid.geo.choices import CODE_LENGTH, RegionLevel
from civicgrid.geo.locator import get_locator
from civicgrid.geo.models import Region
from civicgrid.works.choices import KIND_MEASURES, MEASURES, WHOLE_MEASURES, PhotoStage, WorkKind, WorkStatus
from civicgrid.works.models import Work, WorkPhoto, WorkQuantity

CHANGE = "works.change_work"
MAX_BUDGET = Decimal("100000000000")  # 1,000 亿元: a typo, not a work
MAX_QUANTITY = Decimal("100000000")
TRANSITIONS = {  # action: (from states, to state)
    "start": ((WorkStatus.PLANNED,), WorkStatus.IN_PROGRESS),
    "finish": ((WorkStatus.PLANNED, WorkStatus.IN_PROGRESS), WorkStatus.FINISHED),
    "cancel": ((WorkStatus.PLANNED, WorkStatus.IN_PROGRESS), WorkStatus.CANCELLED),
}


def today() -> date:
    return timezone.localtime(clock.now()).date()


# --- input checks ---------------------------------------------------------------------------------------

def clean_quantities(kind: str, quantities: dict) -> dict[str, Decimal]:
    """The kind's measures, each present and above zero (whole units where counted one by one)."""
    if kind not in WorkKind.values:
        raise errors.ValidationFailed("项目类型无效", code="kind_invalid")
    wanted = KIND_MEASURES[kind]
    unknown = sorted(set(quantities) - set(wanted))
    if unknown:
        raise errors.ValidationFailed(f"该类型项目不登记这些数量:{'、'.join(unknown)}", code="measure_unknown",
                                      details={"measures": unknown, "expected": list(wanted)})
    out: dict[str, Decimal] = {}
    for measure in wanted:
        label, unit = MEASURES[measure]
        if quantities.get(measure) in (None, ""):
            raise errors.ValidationFailed(f"请填写{label}({unit})", code="quantity_required",
                                          details={"measure": measure})
        try:
            value = Decimal(str(quantities[measure]))
        except (InvalidOperation, ValueError):
            raise errors.ValidationFailed(f"{label}应为数字", code="quantity_invalid",
                                          details={"measure": measure}) from None
        if not value.is_finite():
            raise errors.ValidationFailed(f"{label}应为数字", code="quantity_invalid", details={"measure": measure})
        if value < 0:
            raise errors.ValidationFailed(f"{label}不能为负数", code="quantity_negative", details={"measure": measure})
        if value == 0 or value > MAX_QUANTITY:
            raise errors.ValidationFailed(f"{label}应大于 0", code="quantity_invalid", details={"measure": measure})
        if measure in WHOLE_MEASURES and value != value.to_integral_value():
            raise errors.ValidationFailed(f"{label}应为整数({unit})", code="quantity_not_whole",
                                          details={"measure": measure})
        if value.as_tuple().exponent < -2:
            raise errors.ValidationFailed(f"{label}最多两位小数", code="quantity_invalid", details={"measure": measure})
        out[measure] = value
    return out


def _district() -> Region:
    """The outline works must lie in: the root of the tree (the district, or a city of many)."""
    from civicgrid.geo.queries import root_region

    region = root_region(with_boundary=True)
    if region is None or not region.boundary:
        raise errors.ValidationFailed("尚未设置区县边界", code="district_missing")
    return region


def locate(geometry) -> tuple[dict, float, float, Region]:
    """(geometry, lng, lat, street) of a GeoJSON Point or (Multi)Polygon lying inside the district;
    422 `invalid_geometry`-style codes when it is malformed, `outside_district` when it is not inside."""
    from shapely.geometry import Point, shape

    if not isinstance(geometry, dict) or geometry.get("type") not in ("Point", "Polygon", "MultiPolygon"):
        raise errors.ValidationFailed("位置应为 GeoJSON 点(Point)或面(Polygon、MultiPolygon)", code="geometry_invalid")
    if geometry["type"] == "Point":
        coords = geometry.get("coordinates")
        if (not isinstance(coords, list | tuple) or len(coords) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                           for v in coords)):
            raise errors.ValidationFailed("点的坐标应为 [经度, 纬度]", code="geometry_invalid")
        geojson.check_coordinates(coords[0], coords[1])
        shp = Point(coords[0], coords[1])
        clean = {"type": "Point", "coordinates": [float(coords[0]), float(coords[1])]}
    else:
        try:
            shp = geojson.validate_geometry(geometry)
        except geojson.GeometryInvalid as exc:
            raise errors.ValidationFailed(exc.problem.message, code=exc.problem.error) from None
        clean = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    if not shape(_district().boundary).covers(shp):
        raise errors.ValidationFailed("位置不在本区范围内", code="outside_district")
    lng, lat = (shp.x, shp.y) if geometry["type"] == "Point" else geojson.center(shp)
    code = get_locator().locate_code(lng, lat)
    street = Region.objects.filter(code=code[:CODE_LENGTH[RegionLevel.STREET]]).first() if code else None
    if street is None or len(code) < CODE_LENGTH[RegionLevel.STREET]:
        raise errors.ValidationFailed("位置不在本区任何街道内", code="outside_district")
    return clean, round(lng, 7), round(lat, 7), street


def _money(value) -> Decimal:
    try:
        budget = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise errors.ValidationFailed("预算应为金额(元)", code="budget_invalid") from None
    if not budget.is_finite() or budget > MAX_BUDGET or budget.as_tuple().exponent < -2:
        raise errors.ValidationFailed("预算应为金额(元),最多两位小数", code="budget_invalid")
    if budget < 0:
        raise errors.ValidationFailed("预算不能为负数", code="budget_negative")
    return budget


@dataclass
class WorkInput:
    name: str
    kind: str
    department_code: str
    geometry: dict
    start_date: date
    end_date: date
    budget: Decimal
    quantities: dict = field(default_factory=dict)
    description: str = ""


def _next_number(year: int) -> str:
    prefix = f"CC-{year}-"
    last = (Work.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
            .first())
    return f"{prefix}{(int(last[len(prefix):]) + 1) if last else 1:04d}"


def create_work(*, actor, data: WorkInput, idempotency_key: str | None = None) -> Work:
    """Register a work. The department must be one the actor works for (a district-wide office may
    name any); 404 `department_unknown` otherwise."""
    require(actor, CHANGE)
    name = (data.name or "").strip()
    if is_blank(name) or len(name) > 100:
        raise errors.ValidationFailed("请填写项目名称(最多100字)", code="name_required")
    quantities = clean_quantities(data.kind, data.quantities or {})
    if data.end_date < data.start_date:
        raise errors.ValidationFailed("计划完工日期不能早于开工日期", code="dates_reversed")
    budget = _money(data.budget)
    department = Department.objects.filter(code=data.department_code, is_active=True).first()
    if department is None:
        raise errors.ValidationFailed("责任部门不存在", code="department_unknown")
    geometry, lng, lat, street = locate(data.geometry)
    work = Work(name=name, kind=data.kind, department=department, region=street, geometry=geometry, lng=lng,
                lat=lat, start_date=data.start_date, end_date=data.end_date, budget=budget,
                description=(data.description or "").strip()[:2000], created_by=actor)
    if not can(actor, CHANGE, work):
        raise errors.NotFound("责任部门或位置不在您的工作范围内", code="out_of_scope")

    def create() -> Work:
        for _attempt in range(3):
            work.number = _next_number(data.start_date.year)
            try:
                with transaction.atomic():
                    work.created_at = work.updated_at = clock.now()
                    work.save()
                break
            except IntegrityError:
                work.pk = None  # another registration took the number: take the next
        else:
            raise errors.Conflict("项目编号冲突,请重试", code="number_conflict")
        WorkQuantity.objects.bulk_create([WorkQuantity(work=work, measure=m, value=v) for m, v in quantities.items()])
        audit.record(actor=actor, action="works.create_work", obj=work,
                     details={"kind": work.kind, "street": street.code, "budget": str(budget),
                              "quantities": {m: str(v) for m, v in quantities.items()}})
        return work

    with transaction.atomic():
        work, _ = run_once(key=idempotency_key, actor=actor, action="works.create_work", model=Work, create=create,
                           body=data)
    return work


def _work_for_change(actor, work_id: int) -> Work:
    work = get_visible(Work.objects.select_related("region", "department"), actor, view_perm(Work), pk=work_id)
    require(actor, CHANGE, work)
    return work


def set_quantities(*, actor, work_id: int, quantities: dict) -> Work:
    """Correct the recorded quantities of a work not yet finished or cancelled."""
    work = _work_for_change(actor, work_id)
    clean = clean_quantities(work.kind, quantities)
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=work.pk)
        if work.status in (WorkStatus.FINISHED, WorkStatus.CANCELLED):
            raise errors.Conflict("已完工或已取消的项目数量不能再改", code="work_closed")
        before = {q.measure: str(q.value) for q in work.quantities.all()}
        for measure, value in clean.items():
            WorkQuantity.objects.update_or_create(work=work, measure=measure, defaults={"value": value})
        work.updated_at = clock.now()
        work.save(update_fields=["updated_at"])
        audit.record(actor=actor, action="works.set_quantities", obj=work,
                     details={"before": before, "after": {m: str(v) for m, v in clean.items()}})
    return work


def transition_work(*, actor, work_id: int, action: str, on: date | None = None, comment: str = "") -> Work:
    """start, finish (on: the day it was accepted as finished, not before the start nor in the future)
    or cancel (a reason is needed)."""
    if action not in TRANSITIONS:
        raise errors.ValidationFailed("未知操作", code="unknown_action")
    work = _work_for_change(actor, work_id)
    on = on or today()
    if action == "finish":
        if on < work.start_date:
            raise errors.ValidationFailed("完工日期不能早于开工日期", code="dates_reversed")
        if on > today():
            raise errors.ValidationFailed("完工日期不能晚于今天", code="date_in_future")
    if action == "cancel" and is_blank(comment or ""):
        raise errors.ValidationFailed("请填写取消原因", code="reason_required")
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=work.pk)
        if work.status not in sources:
            raise errors.Conflict("当前状态下不能执行此操作", code="transition_not_allowed",
                                  details={"status": work.status})
        before = work.status
        work.status = target
        if action == "finish":
            work.finished_on = on
        work.updated_at = clock.now()
        work.save()
        audit.record(actor=actor, action=f"works.{action}_work", obj=work,
                     details={"from": before, "to": target, "on": on.isoformat(), "comment": comment[:200]})
    return work


def add_photo(*, actor, work_id: int, stage: str, data: bytes) -> WorkPhoto:
    """A before or after photo: type from the bytes, metadata stripped (the case photo helper)."""
    from civicgrid.cases.uploads import photos

    if stage not in PhotoStage.values:
        raise errors.ValidationFailed("请选择改造前或改造后", code="stage_invalid")
    work = _work_for_change(actor, work_id)
    photo = photos.clean(data)
    with transaction.atomic():
        row = WorkPhoto(work=work, stage=stage, content_type=photo.content_type, size=len(photo.content),
                        sha256=photo.sha256, uploaded_by=actor)
        row.file.save(f"{photo.sha256[:16]}.{photo.extension}", ContentFile(photo.content), save=False)
        row.save()
        audit.record(actor=actor, action="works.add_photo", obj=row, details={"work": work.pk, "stage": stage})
    return row
