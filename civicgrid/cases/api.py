from datetime import date, datetime
from typing import Any

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, create_model

from civicgrid.api import steps
from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, Latitude, Longitude, RequiredText
from civicgrid.cases import actions, kpis, queries
from civicgrid.cases.choices import Channel, ContactPreference
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, Category
from civicgrid.core.scoping import get_visible

router = Router(tags=["案件 cases"])


class CaseIn(BaseModel):
    """A report. A plain pydantic model: a ninja Schema reads every field of the request body through a
    Django attribute getter, which every intake would pay for."""

    description: RequiredText = Field(..., max_length=4000, description="问题描述")
    category: str = Field("", max_length=20, description="问题类别编码(与 case_type 二选一)")
    case_type: str = Field("", max_length=40, description="案件类型:urban_event、dispute、citizen_request、safety_hazard、hard_case")
    title: str = Field("", max_length=120)
    lat: Latitude | None = Field(None)
    lng: Longitude | None = Field(None)
    address: str = Field("", max_length=200)
    region: str = Field("", max_length=20, description="区域编码(无坐标时)")
    channel: Channel | None = Field(None, description="渠道。不填时按本人角色确定(居民 resident、网格员 grid、"
                                    "调度员 hotline、社区民警 police);角色不能使用的渠道为 403 channel_not_allowed")
    urgency: str = ""
    answers: dict[str, Any] = {}
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    is_anonymous: bool = False
    contact_preference: ContactPreference = ContactPreference.ONLINE


class ActionOut(BaseModel):
    action: str
    label: str
    target: str
    requires: list[str]


# Case answers are plain pydantic models read from the objects' attributes (pydantic-core does it in C,
# related codes through AliasPath; a None relation falls back to the field's own name), not ninja Schemas
# with resolvers, which read every field through a Python getter: that was a tenth of an intake's CPU.
# What depends on the viewer is filled in by `detail`.
_READ = ConfigDict(from_attributes=True, populate_by_name=True)


class EventOut(BaseModel):
    model_config = _READ

    seq: int
    action: str
    from_state: str
    to_state: str
    # what the viewer may see (queries.events_as_seen sets shown_*): a reporter sees no staff names where
    # staff acted, and no internal instructions
    actor: str = Field(validation_alias=AliasChoices("shown_actor", "actor_name"))
    actor_role: str
    comment: str = Field(validation_alias=AliasChoices("shown_comment", "comment"))
    data: dict = Field(validation_alias=AliasChoices("shown_data", "data"))
    created_at: datetime
    hash: str


class CaseOut(BaseModel):
    model_config = _READ

    id: int
    number: str
    case_type: str
    workflow_version: int = Field(validation_alias=AliasPath("workflow", "version"))
    state: str
    is_open: bool
    category: str | None = Field(validation_alias=AliasPath("category", "code"))
    title: str
    description: str
    channel: str
    urgency: str
    region_code: str = Field(validation_alias=AliasPath("region", "code"))
    region_name: str = Field(validation_alias=AliasPath("region", "name"))
    lat: float | None
    lng: float | None
    address: str
    department: str | None = Field(validation_alias=AliasPath("department", "code"))
    due_at: datetime | None
    sla_status: str
    is_supervised: bool
    satisfaction: int | None
    created_at: datetime
    closed_at: datetime | None


class CaseDetailOut(CaseOut):
    routing: dict
    answers: dict
    allowed_actions: list[ActionOut]
    events: list[EventOut]


def detail(case: Case, viewer, events=None) -> CaseDetailOut:
    """The case as `viewer` may see it. `events`: the case's events as written by the step that answers
    (its own), which then need not be read back."""
    if events is None:
        events = queries.events_as_seen(viewer, case, list(case.events.order_by("seq")))
    head = CaseOut.model_validate(case)
    return CaseDetailOut(
        **head.__dict__,
        # staff see workers by display name; the reporter sees roles, never a login name; everyone sees only
        # the likely duplicates they may see
        routing=queries.present_routing(case, viewer), answers=case.answers,
        allowed_actions=_allowed_actions(case, viewer), events=[EventOut.model_validate(e) for e in events],
    )


def _allowed_actions(case: Case, viewer) -> list[ActionOut]:
    """What the viewer may do now, straight from the pinned workflow and the viewer's roles."""
    handler = steps.HANDLERS.get(case.case_type)
    if case.case_type in actions.MANAGED_BY_APP and handler is None:
        return []  # taken through the app's own endpoints
    return [
        ActionOut(action=t.action, label=queries.transition_label(t), target=t.target, requires=sorted(t.requires))
        for t in queries.allowed_actions(viewer, case)
        if handler is None or t.action in handler.actions
    ]


class TransitionIn(Schema):
    action: str = Field(..., max_length=40)
    comment: str = Field("", max_length=4000)
    facts: dict[str, Any] = {}
    expected_event_count: int | None = Field(None, description="乐观锁:提交时看到的事件数")


class TransitionOut(BaseModel):
    model_config = _READ

    case: CaseDetailOut
    event: EventOut


class CategoryOut(Schema):
    code: str
    name: str
    case_type: str
    parent: str | None
    urgency: str
    questions: list

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.code if obj.parent_id else None


def _case(request, case_id: int) -> Case:
    return get_visible(Case.objects.select_related("workflow", "category", "region", "department"),
                       request.auth, queries.VIEW, pk=case_id)


@router.get("/categories", response=list[CategoryOut])
def list_categories(request, case_type: str = ""):
    """可上报的问题类别(含附加问题)。"""
    qs = Category.objects.filter(is_active=True).select_related("parent")
    return qs.filter(case_type=case_type) if case_type else qs


class PhotoOut(Schema):
    id: int
    url: str
    content_type: str
    size: int
    sha256: str
    lat: float | None
    lng: float | None

    @staticmethod
    def resolve_url(obj):
        return obj.file.url


class PhotoLocationOut(Schema):
    lat: float | None
    lng: float | None
    region_code: str | None
    region_name: str | None


@router.post("/photo-location", response={200: PhotoLocationOut, 422: ErrorOut})
def photo_location(request, photo: UploadedFile = File(...)):
    """读取照片 EXIF 中的拍摄位置,用于上报时建议地点(照片本身不保存)。"""
    from civicgrid.cases.uploads import photos
    from civicgrid.geo.locator import get_locator
    from civicgrid.geo.models import Region

    clean = photos.clean(photo.read())
    code = get_locator().locate_code(clean.lng, clean.lat) if clean.lat is not None else None
    region = Region.objects.filter(code=code).first() if code else None
    return {"lat": clean.lat, "lng": clean.lng, "region_code": code, "region_name": region.name if region else None}


@router.get("", response=list[CaseOut])
@paginate(CountItemsNext)
def list_cases(request, worklist: str = "", case_type: str = "", state: str = "", category: str = "",
               region: str = "", department: str = "", q: str = "", since: Day | None = None,
               until: Day | None = None):
    """本人可见范围内的案件。worklist:open、due_soon、overdue、supervised、unassigned、closed。"""
    qs = queries.filter_cases(queries.cases_visible(request.auth), worklist=worklist, case_type=case_type,
                              state=state, category=category, region=region, department=department, q=q,
                              since=since, until=until)
    return qs.select_related("workflow", "category", "region", "department")


@router.post("", response={201: CaseDetailOut, 200: CaseDetailOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def create_case(request, payload: CaseIn):
    """上报/登记案件。请带 `Idempotency-Key` 请求头:重试同一请求不会重复立案。"""
    key = request.headers.get("Idempotency-Key")
    data = IntakeInput(
        description=payload.description, channel=payload.channel or "", category_code=payload.category,
        case_type=payload.case_type, title=payload.title, lat=payload.lat, lng=payload.lng,
        address=payload.address, region_code=payload.region, urgency=payload.urgency, answers=payload.answers,
        reporter_name=payload.reporter_name, reporter_phone=payload.reporter_phone,
        is_anonymous=payload.is_anonymous, contact_preference=payload.contact_preference,
    )
    result = actions.submit_case(actor=request.auth, data=data, idempotency_key=key)
    if result.events is None:  # a replay: the case as stored
        return Status(200, detail(result.case, request.auth))
    return Status(201, detail(result.case, request.auth, result.events))


# --- KPIs (docs/kpis.md); declared before the /{case_id} routes, which would match "kpis" first ---------

KpiCountsOut = create_model("KpiCountsOut", __base__=Schema, **{name: (int, ...) for name in kpis.COUNTERS})


class KpiFiltersOut(Schema):
    region: str | None
    department: str | None
    since: date | None
    until: date | None
    case_type: str | None
    family: str | None


KpisOut = create_model(
    "KpisOut", __base__=Schema, filters=(KpiFiltersOut, ...), counts=(KpiCountsOut, ...),
    **{k.name: (float | None, Field(..., description=f"{k.label} = {k.numerator} / {k.denominator}"
                                    + (f" / {k.per}" if k.per != 1 else "") + ",分母为0时为 null"))
       for k in kpis.KPIS},
)


@router.get("/kpis", response={200: KpisOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def case_kpis(request, region: str = "", department: str = "", since: Day | None = None,
              until: Day | None = None, case_type: str = "", family: str = ""):
    """案件考核指标(响应率、解决率、满意率等)。统计口径:在 [since, until](北京时间,含两端)内登记的案件;
    region 为区域编码前缀(最细到网格),department 为主办部门编码;不填 region 时为本人可见的全部范围,
    部门人员只看本部门主办的案件。family 为业务类别:governance(默认,12345/城市管理三率)、volunteer、
    public_service、enterprise 或 all;指定 case_type 时以其为准。超期、在办等计数按查询时刻实时计算。
    分母为0的指标为 null。定义见 docs/kpis.md。"""
    return kpis.kpis_for(request.auth, region=region, department=department, since=since, until=until,
                         case_type=case_type, family=family)


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request, case_id: Id):
    return detail(_case(request, case_id), request.auth)


@router.get("/{case_id}/events", response=list[EventOut])
def case_events(request, case_id: Id):
    case = _case(request, case_id)
    return queries.events_as_seen(request.auth, case, list(case.events.order_by("seq")))


@router.post("/{case_id}/transitions",
             response={200: TransitionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def transition(request, case_id: Id, payload: TransitionIn):
    """执行一个流程动作。可执行的动作见详情的 allowed_actions;他人已先处理时返回 409。由业务模块办理的
    案件类型(如志愿服务订单)交由该模块执行,facts 按其接口文档填写,可带 `Idempotency-Key` 请求头。"""
    handler = steps.HANDLERS.get(Case.objects.filter(pk=case_id).values_list("case_type", flat=True).first())
    if handler is not None:  # the app looks the case up through the chokepoint itself (404 out of reach)
        answer = handler.take(request, case_id, payload)
        return {"case": detail(answer["case"], request.auth), "event": answer["event"]}
    result = actions.transition_case(actor=request.auth, case_id=case_id, action=payload.action,
                                     comment=payload.comment, facts=payload.facts,
                                     expected_event_count=payload.expected_event_count)
    return {"case": detail(result.case, request.auth), "event": result.event}


@router.post("/{case_id}/photos", response={201: PhotoOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def add_photo(request, case_id: Id, photo: UploadedFile = File(...)):
    """上传照片(JPEG/PNG/WebP)。保存的副本已去除 EXIF 等元数据;拍摄位置单独记录。"""
    attachment = actions.add_photo(actor=request.auth, case_id=case_id, data=photo.read(),
                                   idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, attachment)


class AttachmentOut(PhotoOut):
    name: str
    pending: bool


@router.post("/{case_id}/attachments",
             response={201: AttachmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def upload_evidence(request, case_id: Id, file: UploadedFile = File(...)):
    """上传一个环节的证据(照片,或流程要求文件时的 PDF),返回其 id;随后在 `transitions` 的 `facts.attachments`
    中引用。请带 `Idempotency-Key` 请求头:弱网重试不会重复上传。类型按内容识别;照片去除 EXIF 等元数据后保存
    (拍摄位置单独记录),PDF 仅保留页面内容。当前没有您可办理且接收附件的环节时为 409 `no_step_takes_attachments`。"""
    from civicgrid.cases.uploads import evidence

    attachment = evidence.upload(actor=request.auth, case_id=case_id, data=file.read(), name=file.name or "",
                                 idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, attachment)


class MergeIn(Schema):
    into: int = Field(..., description="主案件 id(较早上报的一件)")
    reason: RequiredText = Field(..., max_length=500)
    expected_event_count: int | None = None


class UnmergeIn(Schema):
    reason: RequiredText = Field(..., max_length=500)


@router.post("/{case_id}/merge",
             response={200: TransitionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def merge_case(request, case_id: Id, payload: MergeIn):
    """将本案作为重复件合并到 `into` 案件(流程的合并动作),并告知本案反映人。"""
    from civicgrid.cases import merging

    result = merging.merge(actor=request.auth, case_id=case_id, into_id=payload.into, reason=payload.reason,
                           expected_event_count=payload.expected_event_count)
    return {"case": detail(result.case, request.auth), "event": result.event}


@router.post("/{case_id}/unmerge", response={200: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                             422: ErrorOut})
def unmerge_case(request, case_id: Id, payload: UnmergeIn):
    """撤销当天的合并:案件回到合并前的环节继续办理(次日起为 409 `unmerge_too_late`)。"""
    from civicgrid.cases import merging

    merging.unmerge(actor=request.auth, case_id=case_id, reason=payload.reason)
    return detail(_case(request, case_id), request.auth)


class DuplicateOut(Schema):
    id: int
    number: str
    title: str
    state: str
    similarity: float
    distance_m: float | None
    score: float
    created_at: datetime


@router.get("/{case_id}/duplicates", response=list[DuplicateOut])
def case_duplicates(request, case_id: Id):
    """疑似重复案件:同类别、附近、近期、描述相似的在办案件(仅列出您可见的)。"""
    from civicgrid.cases import duplicates

    candidates = duplicates.for_case(_case(request, case_id), limit=10)
    visible = set(queries.cases_visible(request.auth).filter(id__in=[c.case.pk for c in candidates])
                  .values_list("id", flat=True))
    return [{"id": c.case.pk, "number": c.case.number, "title": c.case.title, "state": c.case.state,
             "similarity": c.similarity, "distance_m": c.distance_m, "score": c.score, "created_at": c.case.created_at}
            for c in candidates if c.case.pk in visible]
