"""Daily patrol API (/api/v1/gridops/patrols): start, upload GPS points in batches, end, check in at a
checkpoint, report findings (they become cases), list and read patrols (the track as GeoJSON), the
checkpoints, and the daily compliance report.

Routes only parse, call one action or query and present. Starting, uploading and reporting take an
`Idempotency-Key` header; re-sending a batch is harmless anyway (points are unique per instant). A patrol
out of the caller's reach answers 404 (a worker sees only their own), a write by anyone but its worker
403, a second active patrol 409 `patrol_active`.
"""

from datetime import date, datetime
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AwareDatetime, BaseModel

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, Latitude, Longitude, RequiredText
from civicgrid.cases import queries as case_queries
from civicgrid.gridops.patrols import actions, compliance, queries
from civicgrid.gridops.patrols.choices import CheckpointKind, PatrolStatus

router = Router(tags=["网格巡查 patrols"])


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _key(request) -> str | None:
    return request.headers.get("Idempotency-Key")


# ---- schemas -------------------------------------------------------------------------------------------

class PatrolOut(Schema):
    id: int
    worker_id: int
    worker: str
    # resolvers, not "region.code" aliases: ninja resolves a dotted alias through Django's template
    # Variable, a tenth of a millisecond each on every upload's answer
    region_code: str
    region_name: str
    day: date
    started_at: datetime
    ended_at: datetime | None
    status: PatrolStatus
    distance_m: float = Field(..., description="按轨迹规则计算的里程(米)")
    duration_s: int = Field(..., description="结束的巡查:开始到结束;进行中:开始到最后一个轨迹点")
    point_count: int = Field(..., description="已保存的轨迹点(含被剔除的漂移点)")
    kept_count: int = Field(..., description="计入轨迹的点")
    last_point_at: datetime | None

    @staticmethod
    def resolve_worker(obj):
        return str(obj.worker)

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_distance_m(obj):
        return round(obj.distance_m, 2)


class VisitOut(Schema):
    checkpoint_id: int
    name: str = Field(..., alias="checkpoint.name")
    visited_at: datetime
    method: str
    distance_m: float


class FindingOut(Schema):
    id: int
    patrol_id: int
    case_id: int
    number: str = Field(..., alias="case.number")
    case_type: str = Field(..., alias="case.case_type")
    title: str = Field(..., alias="case.title")
    state: str = Field(..., alias="case.state")
    state_label: str
    created_at: datetime

    @staticmethod
    def resolve_state_label(obj):
        return case_queries.state_label(obj.case.case_type, obj.case.state)


class CheckpointOut(Schema):
    id: int
    region_code: str = Field(..., alias="region.code")
    region_name: str = Field(..., alias="region.name")
    name: str
    kind: CheckpointKind
    lat: float
    lng: float
    radius_m: int
    is_required: bool
    is_active: bool
    note: str


class PatrolDetailOut(PatrolOut):
    visits: list[VisitOut]
    findings: list[FindingOut]
    checkpoints: list[CheckpointOut] = Field(..., description="本次巡查所在网格的点位")
    required_missed: list[int] = Field(..., description="本网格(或微网格)尚未到达的必巡点位 id")

    @staticmethod
    def resolve_visits(obj):
        return obj.view.visits

    @staticmethod
    def resolve_findings(obj):
        return obj.view.findings

    @staticmethod
    def resolve_checkpoints(obj):
        return obj.view.checkpoints

    @staticmethod
    def resolve_required_missed(obj):
        return [c.pk for c in obj.view.required_missed]


def _detail(view: queries.PatrolView):
    view.patrol.view = view  # what the detail resolvers read
    return view.patrol


class StartIn(Schema):
    region: str = Field("", max_length=20, description="负责多个网格时选择本次巡查的网格编码")
    started_at: AwareDatetime | None = Field(None, description="离线开始时手机记录的时间(24小时内);默认现在")


class PointIn(BaseModel):
    """A plain pydantic model, not a ninja Schema: a Schema wraps every item in a Django-attribute
    getter, which made parsing a batch of points cost more than storing it."""

    recorded_at: AwareDatetime = Field(..., description="定位时间(手机时间,带时区)")
    lat: Latitude = Field(...)
    lng: Longitude = Field(...)
    accuracy: float | None = Field(None, ge=0, allow_inf_nan=False, description="定位精度(米)")


class UploadIn(Schema):
    points: list[PointIn] = Field(..., description=f"一批轨迹点,最多{actions.MAX_BATCH}个,顺序不限")


class RecordIn(Schema):
    region: str = Field("", max_length=20, description="负责多个网格时选择本次巡查的网格编码")
    started_at: AwareDatetime = Field(..., description="开始时间(手机时间,24小时内)")
    ended_at: AwareDatetime = Field(..., description="结束时间(手机时间)")
    points: list[PointIn] = Field(..., description=f"整次巡查的轨迹点,最多{actions.MAX_RECORDED}个,顺序不限")


class UploadOut(Schema):
    patrol: PatrolOut
    received: int
    stored: int = Field(..., description="新保存的点;其余为重复或时间不在巡查范围内")
    rejected: int = Field(..., description="时间不在巡查范围内(开始前5分钟至结束后5分钟)的点")
    replay: bool = Field(..., description="同一 Idempotency-Key 的重放:返回首次上传的结果")
    new_visits: list[VisitOut]


class EndIn(Schema):
    ended_at: AwareDatetime | None = Field(None, description="手机记录的结束时间;默认现在")


class CheckInIn(Schema):
    checkpoint_id: int
    lat: Latitude = Field(...)
    lng: Longitude = Field(...)
    accuracy: float | None = Field(None, ge=0, allow_inf_nan=False)


class FindingIn(Schema):
    category: str = Field("", max_length=20, description="问题类别编码(城市管理事件、安全隐患或矛盾纠纷类)")
    case_type: str = Field("", max_length=30, description="无类别时:urban_event、safety_hazard 或 dispute")
    description: RequiredText = Field(..., max_length=4000)
    title: str = Field("", max_length=120)
    lat: Latitude = Field(...)
    lng: Longitude = Field(...)
    address: str = Field("", max_length=200)
    urgency: str = Field("", max_length=10)
    answers: dict[str, Any] = {}


class CheckpointIn(Schema):
    region: str = Field(..., max_length=20, description="网格或微网格编码(修改时忽略)")
    name: RequiredText = Field(..., max_length=100)
    kind: CheckpointKind = CheckpointKind.OTHER
    lat: Latitude = Field(...)
    lng: Longitude = Field(...)
    radius_m: int = Field(50, ge=10, le=500)
    is_required: bool = True
    is_active: bool = True
    note: str = Field("", max_length=200)

    def as_input(self) -> actions.CheckpointInput:
        return actions.CheckpointInput(region_code=self.region, name=self.name, kind=self.kind, lat=self.lat,
                                       lng=self.lng, radius_m=self.radius_m, is_required=self.is_required,
                                       note=self.note)


class WorkerDayOut(Schema):
    worker_id: int
    name: str
    username: str
    role: str
    region_code: str = Field(..., alias="region.code")
    region_name: str = Field(..., alias="region.name")
    grid_code: str
    under_rule: bool = Field(..., description="是否适用每日巡视制度(PATROL_RULE_ROLES)")
    patrols: int
    minutes: int
    distance_m: float
    required_checkpoints: list[str] = Field(..., alias="required")
    covered_checkpoints: list[str] = Field(..., alias="covered")
    missed: bool
    reasons: list[str] = Field(..., description="no_patrol、too_short、checkpoints_missed")


class GridDayOut(Schema):
    grid_code: str = Field(..., alias="grid.code")
    grid_name: str = Field(..., alias="grid.name")
    workers: int
    patrolled: int
    met: int
    missed: int
    others: int = Field(..., description="巡查了但不适用制度的人员(如微网格员)")
    minutes: int
    distance_m: float
    checkpoints_required: int
    checkpoints_covered: int


class ComplianceOut(Schema):
    day: date
    min_minutes: int
    rule_roles: list[str]
    totals: dict[str, float]
    grids: list[GridDayOut]
    workers: list[WorkerDayOut]


# ---- patrols ------------------------------------------------------------------------------------------

@router.post("", response={201: PatrolOut, 200: PatrolOut, **ERRORS})
def start_patrol(request, payload: StartIn):
    """开始巡查(网格员、微网格员)。请带 `Idempotency-Key`:重试返回同一次巡查(200)。已有进行中的巡查时
    409 `patrol_active`,details.patrol_id 为该巡查。"""
    patrol, created = actions.start_patrol(actor=request.auth, region_code=payload.region,
                                           started_at=payload.started_at, idempotency_key=_key(request))
    return Status(201 if created else 200, patrol)


@router.get("", response=list[PatrolOut])
@paginate(CountItemsNext)
def list_patrols(request, day: Day | None = None, since: Day | None = None, until: Day | None = None,
                 region: str = "", worker_id: Id | None = None, status: PatrolStatus | None = None,
                 mine: bool = False):
    """可见范围内的巡查(网格员只看本人的,管理员看本辖区的),按开始时间倒序。"""
    qs = queries.filter_patrols(queries.patrols_visible(request.auth), day=day, since=since, until=until,
                                region=region, worker_id=worker_id, status=status or "",
                                mine_of=request.auth if mine else None)
    return qs


@router.get("/checkpoints", response=list[CheckpointOut])
@paginate(CountItemsNext)
def list_checkpoints(request, region: str = "", include_inactive: bool = False):
    """点位:管理员看辖区内的,网格员看所负责网格的。"""
    return queries.checkpoints_visible(request.auth, region=region, include_inactive=include_inactive)


@router.post("/checkpoints", response={201: CheckpointOut, **ERRORS})
def create_checkpoint(request, payload: CheckpointIn):
    """新增点位(社区、街道管理员):须位于所选网格或微网格内。"""
    checkpoint = actions.create_checkpoint(actor=request.auth, data=payload.as_input())
    return Status(201, checkpoint)


@router.put("/checkpoints/{checkpoint_id}", response={200: CheckpointOut, **ERRORS})
def update_checkpoint(request, checkpoint_id: Id, payload: CheckpointIn):
    """修改点位(所属区域不变);is_active=false 停用。"""
    return actions.update_checkpoint(actor=request.auth, checkpoint_id=checkpoint_id, data=payload.as_input(),
                                     is_active=payload.is_active)


@router.get("/compliance", response={200: ComplianceOut, **ERRORS})
def daily_compliance(request, day: Day, region: str = ""):
    """每日巡视制度落实情况:某日各网格应巡人数、已巡、达标、未达标(原因)、时长、里程、必巡点位。"""
    report = compliance.daily_report(request.auth, day, region)
    return {"day": report.day, "min_minutes": report.min_minutes, "rule_roles": list(report.rule_roles),
            "totals": report.totals, "grids": report.grids, "workers": report.workers}


@router.post("/record", response={201: PatrolOut, 200: PatrolOut, **ERRORS})
def record_patrol(request, payload: RecordIn):
    """离线完成的整次巡查一次上传(开始、轨迹、结束)。请带 `Idempotency-Key`:重试返回同一次巡查(200)。"""
    patrol, created = actions.record_patrol(actor=request.auth, started_at=payload.started_at,
                                            ended_at=payload.ended_at, points=payload.points,
                                            region_code=payload.region, idempotency_key=_key(request))
    return Status(201 if created else 200, patrol)


@router.get("/{patrol_id}", response={200: PatrolDetailOut, **ERRORS})
def get_patrol(request, patrol_id: Id):
    """一次巡查:概要、到达的点位、上报的发现,以及所在网格的点位(供打卡)。"""
    return _detail(queries.patrol_view(request.auth, patrol_id))


@router.get("/{patrol_id}/track", response={200: dict, **ERRORS})
def patrol_track(request, patrol_id: Id):
    """轨迹 GeoJSON FeatureCollection:kind=track 的 LineString(properties.times 为各点时间),kind=dropped 的
    被剔除点,kind=checkpoint 的点位(visited_at),kind=finding 的发现。查看他人轨迹记入审计日志。"""
    return queries.track_geojson(request.auth, patrol_id)


@router.post("/{patrol_id}/points", response={200: UploadOut, **ERRORS})
def upload_points(request, patrol_id: Id, payload: UploadIn):
    """上传一批轨迹点。重复的点(同一定位时间)被忽略,顺序不限;请带 `Idempotency-Key`,重放返回首次结果。"""
    result = actions.upload_points(actor=request.auth, patrol_id=patrol_id, points=payload.points,
                                   idempotency_key=_key(request))
    batch = result.batch
    return {"patrol": result.patrol, "received": batch.received, "stored": batch.stored, "rejected": batch.rejected,
            "replay": not result.created, "new_visits": result.new_visits}


@router.post("/{patrol_id}/end", response={200: PatrolOut, **ERRORS})
def end_patrol(request, patrol_id: Id, payload: EndIn):
    """结束巡查;已结束的再次结束不变(可安全重试)。结束后补传的点只接受结束时间之前的。"""
    return actions.end_patrol(actor=request.auth, patrol_id=patrol_id, ended_at=payload.ended_at)


@router.post("/{patrol_id}/checkins", response={201: VisitOut, 200: VisitOut, **ERRORS})
def check_in(request, patrol_id: Id, payload: CheckInIn):
    """现场打卡:手机位置须在点位半径(加定位精度)内,否则 422 `too_far`。重复打卡返回首次记录(200)。"""
    visit, created = actions.check_in(actor=request.auth, patrol_id=patrol_id, checkpoint_id=payload.checkpoint_id,
                                      lat=payload.lat, lng=payload.lng, accuracy=payload.accuracy)
    return Status(201 if created else 200, visit)


@router.post("/{patrol_id}/findings", response={201: FindingOut, 200: FindingOut, **ERRORS})
def report_finding(request, patrol_id: Id, payload: FindingIn):
    """巡查发现:立案(渠道“巡查发现”)并关联本次巡查。请带 `Idempotency-Key`:重试返回同一案件(200)。"""
    data = actions.FindingInput(description=payload.description, lat=payload.lat, lng=payload.lng,
                                category_code=payload.category, case_type=payload.case_type, title=payload.title,
                                address=payload.address, urgency=payload.urgency, answers=payload.answers)
    finding, created = actions.report_finding(actor=request.auth, patrol_id=patrol_id, data=data,
                                              idempotency_key=_key(request))
    return Status(201 if created else 200, finding)
