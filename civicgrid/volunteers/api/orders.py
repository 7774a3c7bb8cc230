"""Orders (群众点单 and every step after it), the public service catalogue and the statistics."""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import Q
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, Latitude, Longitude, RequiredText
from civicgrid.cases import queries as case_queries
from civicgrid.cases.choices import Channel, ContactPreference
from civicgrid.core.scoping import require
from civicgrid.volunteers import actions, catalogue
from civicgrid.volunteers.api.common import ERRORS, TAGS, Blank, Cents, RecordOut
from civicgrid.volunteers.queries import orders as order_queries
from civicgrid.volunteers.queries import services as service_queries
from civicgrid.volunteers.queries import stats as stats_queries
from civicgrid.volunteers.queries import suggestions as suggestion_queries

router = Router(tags=TAGS)

CASE_TYPE = "volunteer_order"


# --- catalogue ------------------------------------------------------------------------------------------

class ServiceItemOut(Schema):
    code: str
    name: str
    urgency: str
    required_certificates: list[str] = Field(..., description="服务志愿者须持有且在服务日有效的证书")


class ServiceOut(ServiceItemOut):
    description: str
    is_emergency: bool
    items: list[ServiceItemOut]


class CertificateKindOut(Schema):
    kind: str
    document: str


class CatalogueOut(Schema):
    emergency_notice: str
    services: list[ServiceOut]
    certificate_kinds: list[CertificateKindOut]


@router.get("/services", response=CatalogueOut, auth=None)
def service_catalogue(request):
    """志愿服务目录(公开):8类服务及其服务项目、所需资格证书和紧急情况提示。"""
    return {"emergency_notice": catalogue.EMERGENCY_NOTICE, "services": service_queries.service_catalogue(),
            "certificate_kinds": [{"kind": k, "document": d} for k, d in catalogue.QUALIFICATIONS.items()]}


# --- orders -----------------------------------------------------------------------------------------------

class NamedOut(Schema):
    id: int
    name: str


class OrderOut(Schema):
    id: int
    case_id: int
    number: str = Field(..., alias="case.number")
    state: str = Field(..., alias="case.state")
    state_label: str
    is_open: bool = Field(..., alias="case.is_open")
    category: str | None
    category_name: str | None
    title: str = Field(..., alias="case.title")
    description: str = Field(..., alias="case.description")
    channel: str = Field(..., alias="case.channel")
    region_code: str = Field(..., alias="case.region.code")
    region_name: str = Field(..., alias="case.region.name")
    lat: float | None = Field(..., alias="case.lat")
    lng: float | None = Field(..., alias="case.lng")
    address: str = Field(..., alias="case.address")
    window_start: datetime
    window_end: datetime
    people_needed: int
    on_behalf_of: str
    is_urgent: bool
    station: str | None
    station_name: str | None
    team: str | None
    team_name: str | None
    volunteers: list[NamedOut] = Field(..., description="派出的志愿者(仅姓名)")
    matched_at: datetime | None
    due_at: datetime | None = Field(..., alias="case.due_at")
    sla_status: str = Field(..., alias="case.sla_status")
    satisfaction: int | None = Field(..., alias="case.satisfaction")
    event_count: int = Field(..., alias="case.event_count", description="乐观锁:执行操作时作为 expected_event_count 提交")
    created_at: datetime = Field(..., alias="case.created_at")
    closed_at: datetime | None = Field(..., alias="case.closed_at")

    @staticmethod
    def resolve_state_label(obj):
        return case_queries.state_label(CASE_TYPE, obj.case.state)

    @staticmethod
    def resolve_category(obj):
        return obj.case.category.code if obj.case.category_id else None

    @staticmethod
    def resolve_category_name(obj):
        return obj.case.category.name if obj.case.category_id else None

    @staticmethod
    def resolve_station(obj):
        return obj.station.code if obj.station_id else None

    @staticmethod
    def resolve_station_name(obj):
        return obj.station.name if obj.station_id else None

    @staticmethod
    def resolve_team(obj):
        return obj.team.code if obj.team_id else None

    @staticmethod
    def resolve_team_name(obj):
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_volunteers(obj):
        return [{"id": v.pk, "name": v.name} for v in obj.volunteers.all()]


class OrderActionOut(Schema):
    action: str
    label: str
    target: str
    requires: list[str]


class OrderDetailOut(OrderOut):
    contact_preference: str = Field(..., alias="case.contact_preference")
    allowed_actions: list[OrderActionOut]
    records: list[RecordOut]

    @staticmethod
    def resolve_allowed_actions(obj, context):
        """What the caller may do now, straight from the pinned workflow and the caller's roles."""
        return [{"action": t.action, "label": case_queries.transition_label(t), "target": t.target,
                 "requires": sorted(t.requires)}
                for t in case_queries.allowed_actions(context["request"].auth, obj.case)]

    @staticmethod
    def resolve_records(obj):
        return list(order_queries.order_records(obj))


class OrderIn(Schema):
    category: str = Field(..., max_length=20, description="服务项目编码(70xx 或 70xxxx)")
    description: RequiredText = Field(..., max_length=4000)
    window_start: datetime = Field(..., description="希望服务的开始时间,ISO 8601 带时区")
    window_end: datetime = Field(..., description="希望服务的结束时间,ISO 8601 带时区")
    lat: Latitude | None = Field(None)
    lng: Longitude | None = Field(None)
    region: str = Field("", max_length=20, description="区域编码(无坐标时)")
    address: str = Field("", max_length=200)
    contact_preference: ContactPreference = ContactPreference.PHONE
    people_needed: int = Field(1, description="需要的志愿者人数,1–20")
    on_behalf_of: str = Field("", max_length=50, description="代谁下单(网格员代老人下单时填老人姓名)")
    channel: Channel | None = Field(None, description="渠道。不填时按本人角色确定(居民 resident、网格员 grid、"
                                    "文明实践中心 hotline);角色不能使用的渠道为 403 channel_not_allowed")
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    answers: dict[str, Any] = {}


def _detail(order) -> Any:
    return order_queries.order_as_left(order.pk)


class OrderFilter(FilterSchema):
    state: Annotated[Blank, FilterLookup("case__state")] = None
    category: Annotated[Blank, FilterLookup("case__category__code__startswith")] = Field(
        None, description="服务编码前缀(服务或服务项目)")
    station: Annotated[Blank, FilterLookup("station__code")] = Field(None, description="实践站编码")
    since: Day | None = Field(None, description="下单日期不早于(北京时间)")
    until: Day | None = Field(None, description="下单日期不晚于(北京时间,含当天)")

    def filter_since(self, value) -> Q:
        return order_queries.created_between(value, None)

    def filter_until(self, value) -> Q:
        return order_queries.created_between(None, value)


@router.get("/orders", response=list[OrderOut])
@paginate(CountItemsNext)
def list_orders(request, filters: Query[OrderFilter]):
    """本人可见范围内的订单。category 为服务编码前缀;station 为实践站编码;since/until 为下单日期(北京时间,含两端)。"""
    return filters.filter(order_queries.orders_visible(request.auth)).prefetch_related("volunteers")


@router.post("/orders", response={201: OrderDetailOut, 200: OrderDetailOut, **ERRORS})
def create_order(request, payload: OrderIn):
    """群众点单(或网格员代老人下单)。请带 `Idempotency-Key` 请求头:重试同一请求只下一单(重放返回 200)。"""
    data = actions.OrderInput(
        category_code=payload.category, description=payload.description, window_start=payload.window_start,
        window_end=payload.window_end, lat=payload.lat, lng=payload.lng, address=payload.address,
        region_code=payload.region, channel=payload.channel or "", reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone, contact_preference=payload.contact_preference,
        people_needed=payload.people_needed, on_behalf_of=payload.on_behalf_of, answers=payload.answers)
    order, created = actions.place_order(actor=request.auth, data=data,
                                         idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201 if created else 200, _detail(order))


@router.get("/orders/{order_id}", response={200: OrderDetailOut, **ERRORS})
def get_order(request, order_id: Id):
    """订单详情:工单编号、状态、时限、实践站、队伍、志愿者(仅姓名)、服务记录,以及本人当前可执行的动作。"""
    return order_queries.order_visible(request.auth, order_id)


@router.post("/orders/{order_id}/confirm-records", response={200: OrderDetailOut, **ERRORS})
def confirm_records(request, order_id: Id):
    """实践站确认本单的服务记录(谁记录谁证明),确认后计入志愿者时长。不是流程动作,重复确认无副作用,
    因此不接受 expected_event_count。"""
    actions.confirm_records(actor=request.auth, order_id=order_id)
    return order_queries.order_as_left(order_id)


class StationSuggestionOut(Schema):
    code: str
    name: str
    region_code: str
    score: float
    reasons: list[str]
    declined: bool = Field(..., description="该站曾拒单或超时未接(排在最后)")


@router.get("/orders/{order_id}/stations", response={200: list[StationSuggestionOut], **ERRORS})
def station_suggestions(request, order_id: Id):
    """派单推荐:按属地、服务能力、当前负荷排序的实践站及理由。"""
    order, ranked = suggestion_queries.order_station_suggestions(request.auth, order_id)
    return [{"code": site.code, "name": site.name, "region_code": site.region.code, "score": s.score,
             "reasons": s.reasons, "declined": site.code in order.declined_by} for site, s in ranked]


class CandidateOut(Schema):
    volunteer_id: int
    name: str
    score: float
    parts: dict[str, float] = Field(..., description="加权得分项:skill、distance、reliability、continuity、load")


class ExcludedOut(Schema):
    volunteer_id: int
    name: str
    reasons: list[str] = Field(..., description="未通过的硬性条件,如 certificate_expired:心理咨询师、conflict")


class CandidatesOut(Schema):
    team: str
    candidates: list[CandidateOut]
    excluded: list[ExcludedOut]


@router.get("/orders/{order_id}/candidates", response={200: CandidatesOut, **ERRORS})
def candidates(request, order_id: Id, team: str):
    """某队伍中可派的志愿者(按得分排序,含得分构成),以及不符合条件者及原因。"""
    ranked, excluded = suggestion_queries.order_candidates(request.auth, order_id, team)
    return {"team": team,
            "candidates": [{"volunteer_id": v.pk, "name": v.name, "score": c.score, "parts": c.parts}
                           for v, c in ranked],
            "excluded": [{"volunteer_id": v.pk, "name": v.name, "reasons": reasons}
                         for v, reasons in sorted(excluded.items(), key=lambda item: item[0].pk)]}


# --- statistics ------------------------------------------------------------------------------------------

class StatsOut(Schema):
    orders: int
    matched: int = Field(..., description="已分配队伍(对接成功)的订单数")
    completed: int = Field(..., description="已完成服务(待评价或已归档)的订单数")
    matching_rate: float | None
    median_hours_to_match: float | None
    by_category: dict[str, int] = Field(..., description="按服务类别(名称)的订单数")
    by_status: dict[str, int]
    hours: Cents = Field(..., description="这些订单上记录的服务时长(有异议的不计)")


@router.get("/stats", response={200: StatsOut, **ERRORS})
def stats(request, since: Day | None = None, until: Day | None = None):
    """志愿服务统计(与统计页同一口径):[since, until](北京时间,含两端)内下单、在本人范围内的订单。"""
    require(request.auth, "volunteers.view_stats")
    return stats_queries.stats(request.auth, since=since, until=until)
