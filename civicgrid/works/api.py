"""Improvement-works API (/api/v1/works): the register for staff (scoped: out of reach is 404) and,
without login, the totals and the map of finished works."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, RecordDay
from civicgrid.core import errors
from civicgrid.works import actions, queries
from civicgrid.works.choices import PhotoStage, WorkKind, WorkStatus

router = Router(tags=["创城项目 works"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class QuantityOut(Schema):
    measure: str
    label: str
    unit: str
    value: float


class WorkOut(Schema):
    id: int
    number: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    department: str = Field(..., alias="department.name")
    street_code: str = Field(..., alias="region.code")
    street_name: str = Field(..., alias="region.name")
    geometry: dict
    lng: float
    lat: float
    start_date: date
    end_date: date
    finished_on: date | None
    budget: Decimal = Field(..., description="元")
    description: str
    quantities: list[QuantityOut]
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj):
        return str(queries.KIND_LABELS[obj.kind])

    @staticmethod
    def resolve_status_label(obj):
        return str(queries.STATUS_LABELS[obj.status])

    @staticmethod
    def resolve_quantities(obj):
        return queries.quantities_of(obj)


class WorkIn(Schema):
    name: str = Field(..., max_length=100)
    kind: WorkKind
    department_code: str = Field(..., max_length=20)
    geometry: dict[str, Any] = Field(..., description="GeoJSON Point、Polygon 或 MultiPolygon(WGS84),须在本区内")
    start_date: RecordDay
    end_date: RecordDay
    budget: Decimal = Field(..., max_digits=14, decimal_places=2, description="元")
    quantities: dict[str, Any] = Field(..., description="按类型登记的数量,如 {\"road_repair_m2\": 1200}")
    description: str = Field("", max_length=2000)


class TransitionIn(Schema):
    action: str = Field(..., max_length=10, description="start | finish | cancel")
    on: Day | None = Field(None, description="finish:完工日期,默认今天")
    comment: str = Field("", max_length=200)


class QuantitiesIn(Schema):
    quantities: dict[str, Any]


class PhotoOut(Schema):
    id: int
    stage: str
    content_type: str
    size: int


class TotalsOut(Schema):
    since: date | None
    until: date | None
    street: str
    totals: dict[str, int | float]
    units: dict[str, str]
    by_street: list[dict]
    by_kind: list[dict]


@router.get("", response=list[WorkOut])
@paginate(CountItemsNext)
def list_works(request, kind: WorkKind | None = None, status: WorkStatus | None = None, street: str = ""):
    """本人可见范围内的创城项目(部门:本部门的;文明办、街道、领导:辖区内的)。"""
    return queries.works_visible(request.auth, kind=kind or "", status=status or "", street=street[:20])


@router.post("", response={201: WorkOut, **ERRORS})
def create_work(request, payload: WorkIn):
    """登记创城项目。数量按类型登记(负数 422 `quantity_negative`),计划完工早于开工 422 `dates_reversed`,
    位置不在本区 422 `outside_district`。请带 `Idempotency-Key`。"""
    data = actions.WorkInput(**payload.model_dump())
    work = actions.create_work(actor=request.auth, data=data, idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, queries.work_visible(request.auth, work.pk))


@router.get("/public/totals", response={200: TotalsOut, 422: ErrorOut}, auth=None)
def public_totals(request, year: int | None = None, since: Day | None = None, until: Day | None = None,
                  street: str = ""):
    """已完工项目的数量合计(公开):按年(`year`)或起止日期,可按街道编码筛选;另按街道、按类型分列。"""
    if year is not None:
        if not 2000 <= year <= 2099:
            raise errors.ValidationFailed("年份无效", code="year_invalid")
        if since or until:
            raise errors.ValidationFailed("year 与 since/until 只能给一种", code="period_ambiguous")
        since, until = date(year, 1, 1), date(year, 12, 31)
    if since and until and until < since:
        raise errors.ValidationFailed("结束日期不能早于开始日期", code="dates_reversed")
    from civicgrid.works.choices import MEASURES

    return {"since": since, "until": until, "street": street[:20],
            "totals": queries.totals(None, since=since, until=until, street=street[:20]),
            "units": {m: unit for m, (_label, unit) in MEASURES.items()},
            "by_street": queries.totals_by(group="street", since=since, until=until),
            "by_kind": queries.totals_by(group="kind", since=since, until=until)}


@router.get("/public/map", response={200: dict, 422: ErrorOut}, auth=None)
def public_map(request, year: int | None = None, kind: WorkKind | None = None):
    """已完工项目的 GeoJSON FeatureCollection(公开),可按完工年份、类型筛选。"""
    since = until = None
    if year is not None:
        if not 2000 <= year <= 2099:
            raise errors.ValidationFailed("年份无效", code="year_invalid")
        since, until = date(year, 1, 1), date(year, 12, 31)
    return queries.public_map(since=since, until=until, kind=kind or "")


@router.get("/{work_id}", response={200: WorkOut, **ERRORS})
def get_work(request, work_id: Id):
    return queries.work_visible(request.auth, work_id)


@router.put("/{work_id}/quantities", response={200: WorkOut, **ERRORS})
def set_quantities(request, work_id: Id, payload: QuantitiesIn):
    """更正未完工项目的数量。"""
    actions.set_quantities(actor=request.auth, work_id=work_id, quantities=payload.quantities)
    return queries.work_visible(request.auth, work_id)


@router.post("/{work_id}/transitions", response={200: WorkOut, **ERRORS})
def transition(request, work_id: Id, payload: TransitionIn):
    """开工(start)、完工(finish,完工日期不早于开工、不晚于今天)、取消(cancel,须填原因)。"""
    actions.transition_work(actor=request.auth, work_id=work_id, action=payload.action, on=payload.on,
                            comment=payload.comment)
    return queries.work_visible(request.auth, work_id)


@router.post("/{work_id}/photos", response={201: PhotoOut, **ERRORS})
def add_photo(request, work_id: Id, stage: Form[PhotoStage], photo: UploadedFile = File(...)):
    """上传改造前(before)或改造后(after)照片,按文件内容判断类型并去除元数据。"""
    return Status(201, actions.add_photo(actor=request.auth, work_id=work_id, stage=stage, data=photo.read()))
