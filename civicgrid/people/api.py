"""People API (/api/v1/people/): households, residents, the audited reveal, Excel import and export.

ID numbers and phones are masked in every answer; `POST /residents/{id}/reveal` with a reason returns
them in full and is audit-logged. Out-of-scope ids answer 404. Creates accept an `Idempotency-Key`
header so that a phone may retry safely.
"""

from datetime import date

from django.http import HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id, RequiredText
from civicgrid.core import errors
from civicgrid.core.scoping import get_visible
from civicgrid.core.web import XLSX
from civicgrid.geo import basemap
from civicgrid.geo import queries as geo_queries
from civicgrid.geo.models import Region
from civicgrid.people import actions, queries
from civicgrid.people.choices import Relation, ResidenceType
from civicgrid.people.excel import export_people_xlsx, import_people_xlsx, template_xlsx
from civicgrid.people.excel.exporter import SYNC_MAX_ROWS
from civicgrid.people.models import Building, Household, Resident

router = Router(tags=["人口 people"])


class TagOut(Schema):
    code: str
    name: str
    level: str
    is_sensitive: bool


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    gender_label: str
    birth_date: date | None = Field(..., description="仅对有权查看该居民完整信息者给出,否则为 null")
    birth_year: int | None = Field(..., description="出生年份(脱敏显示时只给年份)")
    ethnicity: str
    relation: str
    relation_label: str
    residence_type: str
    residence_type_label: str
    id_number: str = Field(..., description="脱敏显示,只留首末各一位,如 2****************X")
    phone: str = Field(..., description="脱敏显示,只留后四位,如 *******1234")
    is_masked: bool
    region_code: str
    region_name: str
    household_id: int | None
    household_number: str | None
    is_active: bool
    tags: list[TagOut]
    can_reveal: bool = Field(..., description="本人是否有权查看完整信息(须填写事由,记入审计日志)")


class HouseholdOut(Schema):
    id: int
    number: str
    region_code: str
    region_name: str
    building_code: str | None
    building_name: str | None
    room: str
    address: str
    residence_type: str
    residence_type_label: str
    is_active: bool


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut]


class BuildingOut(Schema):
    id: int
    code: str
    name: str
    address: str
    region_code: str = Field(..., alias="region.code")
    floors: int | None
    units: int | None


class HouseholdIn(Schema):
    region_code: str = Field(..., min_length=1, max_length=20, description="微网格编码")
    number: str = Field(..., min_length=1, max_length=40, description="户编号")
    building_code: str = Field("", max_length=40)
    room: str = Field("", max_length=40)
    address: str = Field("", max_length=200)
    residence_type: ResidenceType = ResidenceType.REGISTERED


class ResidentIn(Schema):
    household_id: int
    name: RequiredText = Field(..., max_length=50)
    id_number: str = Field(..., max_length=32, description="18位公民身份号码,校验位须正确")
    phone: str = Field("", max_length=32)
    relation: Relation = Relation.OTHER
    residence_type: ResidenceType | None = None
    ethnicity: str = Field("汉族", max_length=20)
    gender: str | None = Field(None, pattern="^[MF]$", description="可省略;若填写须与身份证号一致")
    birth_date: date | None = Field(None, description="可省略;若填写须与身份证号一致")


class RevealIn(Schema):
    reason: RequiredText = Field(..., max_length=200, description="查看事由,记入审计日志")


class RevealOut(Schema):
    id: int
    id_number: str
    phone: str


class ImportOut(Schema):
    rows: int
    households_created: int
    residents_created: int
    tags_assigned: int
    dry_run: bool


class _Presented:
    """A queryset whose page items are presented for the viewer (CountItemsNext slices it)."""

    def __init__(self, qs, present):
        self.qs, self.present = qs, present

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [self.present(obj) for obj in self.qs[window]]


@router.get("/buildings", response=list[BuildingOut])
@paginate(CountItemsNext)
def list_buildings(request, region: str = "", q: str = ""):
    """本人可见范围内的楼栋;`region` 为区域编码前缀。"""
    return queries.buildings_visible(request.auth, region=region, q=q)


@router.get("/households", response=list[HouseholdOut])
@paginate(CountItemsNext)
def list_households(request, q: str = "", region: str = "", active: bool | None = True):
    """本人可见范围内的户;`q` 匹配户编号、地址、户室或成员姓名。"""
    qs = queries.households_visible(request.auth, region=region, q=q, active=active)
    return _Presented(qs, lambda h: queries.present_household(h, request.auth))


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, 404: ErrorOut})
def get_household(request, household_id: Id):
    """户详情及成员(身份证号和电话脱敏)。"""
    household = get_visible(Household.objects.select_related("region", "building"), request.auth, pk=household_id)
    return queries.present_household(household, request.auth, members=True)


@router.post("/households", response={201: HouseholdOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def create_household(request, payload: HouseholdIn):
    """在本人管辖的微网格内新建户。支持 `Idempotency-Key` 请求头,重复提交只建一户。"""
    region = get_visible(Region.objects, request.auth, "people.change_household", code=payload.region_code)
    building = None
    if payload.building_code:
        building = Building.objects.visible_to(request.auth).filter(code=payload.building_code).first()
        if building is None:
            raise errors.ValidationFailed("楼栋编码不存在", code="building_unknown")
    household = actions.create_household(
        actor=request.auth, region=region, number=payload.number, building=building, room=payload.room,
        address=payload.address, residence_type=payload.residence_type,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return Status(201, queries.present_household(household, request.auth))


@router.get("/residents", response={200: list[ResidentOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut,
                                     429: ErrorOut})
@paginate(CountItemsNext)
def list_residents(request, q: str = "", id_number: str = "", phone: str = "", reason: str = "", region: str = "",
                   tag: str = "", active: bool | None = True):
    """本人可见范围内的居民。`q` 只按姓名模糊查询;`tag` 为标签编码。身份证号和电话脱敏显示。

    `id_number`、`phone` 按完整号码精确查找,是敏感查询:须有 people.lookup_personal 权限(否则 403
    `lookup_forbidden`)并填写 `reason` 查找事由(否则 422 `lookup_reason_required`),每人每小时限次
    (超出 429 `lookup_rate_limited`),每次查找记入审计日志。"""
    qs = queries.residents_visible(request.auth, q=q, region=region, tag=tag, active=active)
    if id_number.strip() or phone.strip():
        qs = qs.filter(pk__in=actions.look_up_residents(actor=request.auth, id_number=id_number, phone=phone,
                                                        reason=reason))
    return _Presented(queries.with_tags(qs), lambda r: queries.present_resident(r, request.auth))


def _resident(request, resident_id: int) -> Resident:
    qs = queries.with_tags(Resident.objects.select_related("region", "household"))
    return get_visible(qs, request.auth, pk=resident_id)


@router.get("/residents/{resident_id}", response={200: ResidentOut, 404: ErrorOut})
def get_resident(request, resident_id: Id):
    """居民详情(身份证号和电话脱敏)。"""
    return queries.present_resident(_resident(request, resident_id), request.auth)


@router.post("/residents", response={201: ResidentOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def create_resident(request, payload: ResidentIn):
    """登记居民。身份证号校验位错误返回 422 `id_number_checksum`;已登记返回 409 `id_number_exists`。
    支持 `Idempotency-Key` 请求头。"""
    household = get_visible(Household.objects.select_related("region"), request.auth, pk=payload.household_id)
    resident = actions.create_resident(
        actor=request.auth, household=household, name=payload.name, id_number=payload.id_number,
        phone=payload.phone, relation=payload.relation, residence_type=payload.residence_type,
        ethnicity=payload.ethnicity, gender=payload.gender, birth_date=payload.birth_date,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return Status(201, queries.present_resident(_resident(request, resident.pk), request.auth))


@router.post("/residents/{resident_id}/reveal",
             response={200: RevealOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def reveal_resident(request, resident_id: Id, payload: RevealIn):
    """查看完整身份证号和电话:须有 people.unmask_personal 权限并填写事由,每次查看都记入审计日志。"""
    resident = _resident(request, resident_id)
    values = actions.reveal_personal(actor=request.auth, resident=resident, reason=payload.reason)
    return {"id": resident.pk, **values}


@router.post("/import", response={200: ImportOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def import_people(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """上传 .xlsx 导入户和居民(格式见 docs/people.md)。任一行有误则不导入任何数据,
    返回 422 `import_rows_invalid`,`details` 为逐行错误报告 `[{row, column, code, message}]`。"""
    result = import_people_xlsx(actor=request.auth, file=file, dry_run=dry_run)
    return result.__dict__


@router.get("/import/template", response={200: None})
def import_template(request):
    """下载导入模板(.xlsx)。"""
    return _xlsx(template_xlsx(user=request.auth), "户和居民导入模板.xlsx")


@router.get("/export", response={200: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def export_people(request, region: str = ""):
    """导出本人范围内的户和居民(.xlsx,与导入格式相同)。无 people.unmask_personal 权限时脱敏;
    含完整信息的导出记入审计日志。即时导出至多 5000 名居民(超过:422 `export_too_large`);
    更大的范围请用 POST /reports/runs(kind=people_export)在后台生成。"""
    return _xlsx(export_people_xlsx(actor=request.auth, region=region or None, max_rows=SYNC_MAX_ROWS),
                 "户和居民.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# ---- the report map's base map: buildings as public geography (no household or resident data) ----------

class MapHitOut(Schema):
    kind: str = Field(..., description="building(楼栋)、community(社区/村)或 grid(网格)")
    code: str
    name: str
    address: str = ""
    area: str = Field("", description="所属社区(楼栋)或上级名称")
    lng: float
    lat: float


@router.get("/map/buildings", response={200: dict, 422: ErrorOut}, url_name="people_map_buildings")
def map_buildings(request, response: HttpResponse, bbox: str):
    """范围内的楼栋轮廓(由楼栋坐标与层数、单元数推出的示意轮廓)与小区名称标注。`bbox`:西,南,东,北(WGS84,
    每边不超过 0.05 度,按 0.0025 度网格向外取整)。只含楼栋名称、地址、层数与位置,不含住户或人员数据。"""
    response["Cache-Control"] = "private, max-age=600"
    return queries.map_buildings(basemap.parse_bbox(bbox))


@router.get("/map/search", response={200: list[MapHitOut], 422: ErrorOut}, url_name="people_map_search")
def map_search(request, q: str = ""):
    """地图搜索:名称或地址包含 `q` 的楼栋,以及名称包含 `q` 的社区和网格(各最多 8 条、5 条)。"""
    hits = queries.search_buildings(q)
    for region in geo_queries.search_places(q):
        hits.append({"kind": region.level, "code": region.code, "name": region.name, "address": "",
                     "area": "", "lng": region.center_lng, "lat": region.center_lat})
    return hits
