"""The zone overview, the parks map, qualification kinds and the public approvals catalogue."""

from datetime import date
from typing import Any

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.core import errors
from civicgrid.enterprises import queries
from civicgrid.enterprises.api.common import ERRORS, TAGS
from civicgrid.enterprises.choices import ApprovalMode

router = Router(tags=TAGS)


class ApprovalOut(Schema):
    code: str
    name: str
    category: str
    legal_basis: str
    department: str = Field(..., alias="department.code")
    department_name: str = Field(..., alias="department.name")
    statutory_days: int | None = Field(..., description="法定时限(工作日)")
    promised_days: int | None = Field(..., description="承诺时限(工作日)")
    materials: list[str]
    fee: str
    mode: str
    appointment_service: str
    delegated_on: date | None


class KindOut(Schema):
    code: str
    name: str
    level: str
    validity_years: int | None
    description: str


class OverviewOut(Schema):
    as_of: date
    enterprises: int
    by_park: list[dict]
    by_qualification: list[dict]
    by_size: dict
    by_section: dict
    area: dict


@router.get("/approvals", response=list[ApprovalOut], auth=None)
@paginate(CountItemsNext)
def list_approvals(request, q: str = "", department: str = "", mode: ApprovalMode | None = None):
    """下放高新区的审批事项目录(公开):事项、依据、办理部门、法定与承诺时限、材料、收费、办理方式。"""
    return queries.approval_items(q=q, department=department, mode=mode or "")


@router.get("/approvals/{code}", response={200: ApprovalOut, 404: Any}, auth=None)
def get_approval(request, code: str):
    return queries.approval_item(code)


@router.get("/qualification-kinds", response=list[KindOut])
def qualification_kinds(request):
    return list(queries.qualification_kinds())


@router.get("/zone", response={200: OverviewOut, **ERRORS})
def overview(request):
    """高新区概况:本人可见范围内按园区、资质、规模、行业门类的企业数,以及规划面积沿革。"""
    if not queries.can_see_zone(request.auth):
        raise errors.Forbidden()
    on = queries.today()
    return {"as_of": on, **queries.zone_counts(request.auth, on), "area": queries.zone_area()}


@router.get("/zone/parks", response={200: dict, **ERRORS})
def parks(request):
    """园区边界(GeoJSON FeatureCollection),属性含园区内可见企业数。"""
    if not queries.can_see_zone(request.auth):
        raise errors.Forbidden()
    return queries.parks_geojson(request.auth)
