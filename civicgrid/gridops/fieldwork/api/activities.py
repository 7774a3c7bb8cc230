"""Publicity activities (普法、政策宣讲、反诈 …): the list, recording one, counts per grid."""

from datetime import date

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, RequiredText
from civicgrid.core import clock
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.api.common import ERRORS, Presented, region
from civicgrid.gridops.fieldwork.choices import ActivityKind
from civicgrid.gridops.fieldwork.queries import activities as q

router = Router()


class ActivityIn(Schema):
    region_code: str = Field(..., description="网格或微网格编码")
    kind: ActivityKind
    title: RequiredText = Field(..., max_length=100)
    place: RequiredText = Field(..., max_length=200)
    held_on: date
    attendance: int = Field(..., ge=0, le=100000)
    notes: str = Field("", max_length=2000)


class ActivityOut(Schema):
    id: int
    region_code: str
    region_name: str
    kind: str
    kind_label: str
    title: str
    place: str
    held_on: date
    attendance: int
    notes: str
    organiser: str


class StatsRow(Schema):
    grid_code: str
    grid_name: str
    activities: int
    attendance: int
    law: int
    policy: int
    anti_fraud: int
    safety: int
    civility: int
    other: int


class KindCount(Schema):
    kind: str
    label: str
    count: int


class StatsTotals(Schema):
    activities: int
    attendance: int


class StatsOut(Schema):
    start: date
    end: date
    rows: list[StatsRow]
    kinds: list[KindCount]
    totals: StatsTotals


@router.get("/activities", response=list[ActivityOut])
@paginate(CountItemsNext)
def list_activities(request, region: str = "", kind: str = "", since: Day | None = None, until: Day | None = None):
    qs = q.activities_visible(request.auth, region=region, kind=kind, since=since, until=until)
    return Presented(qs, lambda page: [q.present_activity(a) for a in page])


@router.get("/activities/stats", response=StatsOut)
def stats(request, start: Day | None = None, end: Day | None = None, region: str = ""):
    """各网格活动场次和参加人数(按类型),默认本月1日至今天。"""
    today = timezone.localdate(clock.now())
    return q.activity_stats(request.auth, start=start or today.replace(day=1), end=end or today, region=region)


@router.post("/activities", response={201: ActivityOut, **ERRORS})
def create_activity(request, payload: ActivityIn):
    """登记一场宣传活动。支持 `Idempotency-Key` 请求头。"""
    place = region(request, payload.region_code, q.RECORD)
    activity = actions.record_activity(
        actor=request.auth, region=place, kind=payload.kind, title=payload.title, place=payload.place,
        held_on=payload.held_on, attendance=payload.attendance, notes=payload.notes,
        idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, q.present_activity(activity))
