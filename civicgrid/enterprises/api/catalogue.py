"""The zone overview, the parks map, qualification kinds and the public approvals catalogue."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import RecordDay
from civicgrid.core import errors
from civicgrid.enterprises import actions, queries
from civicgrid.enterprises.api.common import ERRORS, TAGS
from civicgrid.enterprises.choices import ApprovalMode, QualificationLevel

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


class KindIn(Schema):
    code: str = Field(..., max_length=40, description="字母、数字和下划线")
    name: str = Field(..., max_length=60)
    level: QualificationLevel
    validity_years: int | None = Field(None, ge=1, le=20, description="有效期(年);不填为无固定期限")
    description: str = Field("", max_length=200)
    sort: int = Field(100, ge=0, le=30000)


class ApprovalIn(Schema):
    name: str = Field(..., max_length=200)
    department: str = Field(..., max_length=20, description="办理部门编码")
    category: str = Field("", max_length=40)
    legal_basis: str = ""
    statutory_days: int | None = None
    promised_days: int | None = None
    materials: list[str] = Field(default_factory=list, max_length=100)
    fee: str = Field("不收费", max_length=100)
    mode: ApprovalMode = ApprovalMode.BOTH
    appointment_service: str = Field("", max_length=100)
    delegated_on: RecordDay | None = None


class AreaIn(Schema):
    effective_from: RecordDay
    area_km2: Decimal = Field(..., max_digits=8, decimal_places=2)
    basis: str = Field("", max_length=200)


class RuleSetIn(Schema):
    rules: dict[str, Any] = Field(..., description="规则集 JSON(格式见 docs/enterprises/precheck.md)")
    note: str = Field("", max_length=200)


class RuleSetOut(Schema):
    id: int
    tier: str
    version: int
    name: str
    published_at: datetime
    note: str


@router.post("/qualification-kinds", response={201: KindOut, **ERRORS})
def add_kind(request, payload: KindIn):
    """管理员新增或修改资质类别(系统管理员)。"""
    return Status(201, actions.add_qualification_kind(actor=request.auth, **payload.model_dump()))


@router.put("/approvals/{code}", response={200: ApprovalOut, **ERRORS})
def save_approval(request, code: str, payload: ApprovalIn):
    """新增或修改一项下放审批事项(系统管理员)。"""
    return actions.save_approval_item(actor=request.auth, data=actions.ApprovalInput(code=code, **payload.model_dump()))


@router.post("/zone/areas", response={201: dict, **ERRORS})
def set_area(request, payload: AreaIn):
    """记录自某日起的规划面积(历史保留)。"""
    zone = queries.the_zone()
    if zone is None:
        raise errors.NotFound("尚未配置高新区", code="zone_missing")
    row = actions.set_zone_area(actor=request.auth, zone=zone, **payload.model_dump())
    return Status(201, {"effective_from": row.effective_from, "area_km2": float(row.area_km2), "basis": row.basis})


@router.get("/rulesets", response={200: list[RuleSetOut], **ERRORS})
def rulesets(request):
    """各梯度现行的预审规则版本。"""
    if not queries.can_see_zone(request.auth):
        raise errors.Forbidden()
    return queries.current_rulesets()


@router.post("/rulesets", response={201: RuleSetOut, **ERRORS})
def publish_ruleset(request, payload: RuleSetIn):
    """发布某一梯度的新规则版本(无需重新部署;规则有误时 422 `ruleset_invalid`)。已有的预审结果保留其计算时的版本。"""
    return Status(201, actions.publish_ruleset(actor=request.auth, rules=payload.rules, note=payload.note))
