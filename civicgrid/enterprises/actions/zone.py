"""The zone's configuration: the zone, its area history, its parks and departments, the approvals
catalogue. Catalogue work needs `enterprises.manage_catalogue` (the system admin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.core import audit, errors
from civicgrid.core.scoping import require
from civicgrid.enterprises.actions._common import decimal_or_none, text
from civicgrid.enterprises.choices import ApprovalMode, ParkTheme
from civicgrid.enterprises.models import ApprovalItem, Park, Zone, ZoneArea
from civicgrid.geo.models import Region

CATALOGUE = "enterprises.manage_catalogue"


def create_zone(*, actor, code: str, name: str, region: Region, established_on: date | None = None,
                department_codes: list[str] = ()) -> Zone:
    require(actor, CATALOGUE)
    departments = list(Department.objects.filter(code__in=list(department_codes)))
    if len(departments) != len(set(department_codes)):
        raise errors.ValidationFailed("部门不存在", code="department_unknown")
    with transaction.atomic():
        zone = Zone.objects.create(code=text(code, 20), name=text(name, 100), region=region,
                                   established_on=established_on)
        zone.departments.set(departments)
        audit.record(actor=actor, action="enterprises.create_zone", obj=zone,
                     details={"departments": sorted(d.code for d in departments)})
    return zone


def set_zone_departments(*, actor, zone: Zone, department_codes: list[str]) -> Zone:
    require(actor, CATALOGUE)
    departments = list(Department.objects.filter(code__in=list(department_codes), kind=DepartmentKind.ZONE))
    if len(departments) != len(set(department_codes)):
        raise errors.ValidationFailed("部门不存在或不是高新区部门", code="department_unknown")
    with transaction.atomic():
        zone.departments.set(departments)
        audit.record(actor=actor, action="enterprises.set_zone_departments", obj=zone,
                     details={"departments": sorted(d.code for d in departments)})
    return zone


def set_zone_area(*, actor, zone: Zone, effective_from: date, area_km2, basis: str = "") -> ZoneArea:
    """Record the zone's planned area from a date on; earlier records stay as history."""
    require(actor, CATALOGUE)
    area = decimal_or_none(area_km2, "area_km2")
    if area is None or area <= 0 or area > Decimal("10000"):
        raise errors.ValidationFailed("面积须为正数(平方公里)", code="zone_area_invalid")
    with transaction.atomic():
        row, created = ZoneArea.objects.update_or_create(zone=zone, effective_from=effective_from, defaults={
            "area_km2": area, "basis": text(basis, 200), "recorded_by": actor if actor is not None else None})
        audit.record(actor=actor, action="enterprises.set_zone_area", obj=zone,
                     details={"from": effective_from.isoformat(), "km2": str(area), "created": created})
    return row


def set_city_reference(*, actor, zone: Zone, valid_invention_patents: int, as_of: date) -> Zone:
    """The city's valid invention patents (a reference figure the zone's share is computed against)."""
    require(actor, CATALOGUE)
    if int(valid_invention_patents) <= 0:
        raise errors.ValidationFailed("全市有效发明专利数须为正整数", code="city_reference_invalid")
    with transaction.atomic():
        zone.city_valid_invention_patents, zone.city_figure_as_of = int(valid_invention_patents), as_of
        zone.save(update_fields=["city_valid_invention_patents", "city_figure_as_of"])
        audit.record(actor=actor, action="enterprises.set_city_reference", obj=zone,
                     details={"valid_invention_patents": zone.city_valid_invention_patents, "as_of": str(as_of)})
    return zone


def _boundary(boundary: dict | None) -> tuple[dict | None, float | None, float | None, float | None]:
    """(GeoJSON, area m², centre lng, centre lat) of a park boundary, checked like the region boundaries."""
    if boundary is None:
        return None, None, None, None
    from civicgrid.geo import geojson

    try:
        geom = geojson.validate_geometry(boundary)
    except geojson.GeometryInvalid as exc:
        raise errors.ValidationFailed(f"园区边界无效:{exc}", code="park_boundary_invalid") from None
    lng, lat = geojson.center(geom)
    return boundary, round(geojson.area_m2(geom), 1), lng, lat


def create_park(*, actor, zone: Zone, code: str, name: str, theme: str, boundary: dict | None = None,
                office: Department | None = None) -> Park:
    require(actor, CATALOGUE)
    if theme not in ParkTheme.values:
        raise errors.ValidationFailed("园区主题无效", code="park_theme_invalid")
    geojson, area, lng, lat = _boundary(boundary)
    with transaction.atomic():
        park = Park.objects.create(zone=zone, code=text(code, 20), name=text(name, 100), theme=theme, office=office,
                                   boundary=geojson, area_m2=area, center_lng=lng, center_lat=lat)
        audit.record(actor=actor, action="enterprises.create_park", obj=park,
                     details={"theme": theme, "office": office.code if office else None})
    return park


@dataclass
class ApprovalInput:
    code: str
    name: str
    department: str  # Department.code
    legal_basis: str = ""
    category: str = ""
    statutory_days: int | None = None
    promised_days: int | None = None
    materials: list[str] = field(default_factory=list)
    fee: str = "不收费"
    mode: str = ApprovalMode.BOTH
    appointment_service: str = ""
    delegated_on: date | None = None


def save_approval_item(*, actor, data: ApprovalInput) -> ApprovalItem:
    """Add or change one item of the delegated approvals catalogue (keyed by its code)."""
    require(actor, CATALOGUE)
    department = Department.objects.filter(code=data.department, is_active=True).first()
    if department is None:
        raise errors.ValidationFailed("办理部门不存在", code="department_unknown")
    if data.mode not in ApprovalMode.values:
        raise errors.ValidationFailed("办理方式无效", code="approval_mode_invalid")
    for days, name in ((data.statutory_days, "statutory_days"), (data.promised_days, "promised_days")):
        if days is not None and not 0 <= int(days) <= 365:
            raise errors.ValidationFailed("时限须为0至365个工作日", code="approval_days_invalid", details={"field": name})
    if data.statutory_days is not None and data.promised_days is not None and data.promised_days > data.statutory_days:
        raise errors.ValidationFailed("承诺时限不能长于法定时限", code="promised_exceeds_statutory")
    code = text(data.code, 30)
    if not code:
        raise errors.ValidationFailed("请填写事项编码", code="approval_code_required")
    with transaction.atomic():
        item, created = ApprovalItem.objects.update_or_create(code=code, defaults={
            "name": text(data.name, 200), "department": department, "legal_basis": (data.legal_basis or "").strip(),
            "category": text(data.category, 40), "statutory_days": data.statutory_days,
            "promised_days": data.promised_days, "materials": [text(m, 100) for m in data.materials if text(m, 100)],
            "fee": text(data.fee, 100), "mode": data.mode, "appointment_service": text(data.appointment_service, 100),
            "delegated_on": data.delegated_on, "is_active": True})
        audit.record(actor=actor, action="enterprises.save_approval_item", obj=item, details={"created": created})
    return item
