"""Household visits: the log, recording a visit with opinions (optionally opening cases), coverage per
grid and the overdue tagged households."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, RequiredText
from civicgrid.core import clock
from civicgrid.core.scoping import get_visible
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.api.common import ERRORS, Presented
from civicgrid.gridops.fieldwork.choices import VisitPurpose
from civicgrid.gridops.fieldwork.models import HouseholdVisit, VisitOpinion
from civicgrid.gridops.fieldwork.queries import visits as q
from civicgrid.people.models import Household

router = Router()


class OpinionIn(Schema):
    content: RequiredText = Field(..., max_length=2000)
    category_code: str = Field("", max_length=20, description="案件类别编码;空则为“意见建议”(3012)")
    to_case: bool = Field(False, description="立即转为案件(渠道“入户走访”)")


class OpinionOut(Schema):
    id: int
    content: str
    category_code: str
    case_id: int | None
    case_number: str | None


class VisitIn(Schema):
    household_id: int
    purpose: VisitPurpose = VisitPurpose.ROUTINE
    visited_at: datetime | None = Field(None, description="默认当前时间;不能晚于当前时间")
    participants: str = Field("", max_length=200, description="同行人员")
    persons_met: str = Field("", max_length=200, description="接待人")
    notes: str = Field("", max_length=4000)
    opinions: list[OpinionIn] = Field(default_factory=list, max_length=10)
    next_follow_up_on: date | None = None


class VisitOut(Schema):
    id: int
    household_id: int
    household_number: str
    address: str
    region_code: str
    region_name: str
    purpose: str
    purpose_label: str
    visited_at: datetime
    visitor: str
    participants: str
    persons_met: str
    notes: str
    next_follow_up_on: date | None


class VisitDetailOut(VisitOut):
    opinions: list[OpinionOut]


class CaseIn(Schema):
    category_code: str = Field("", max_length=20)


class CoverageRow(Schema):
    grid_code: str
    grid_name: str
    households: int
    visited: int
    rate: float = Field(..., description="走访覆盖率(%)")


class CoverageTotals(Schema):
    grids: int
    households: int
    visited: int
    rate: float


class CoverageOut(Schema):
    start: date
    end: date
    rows: list[CoverageRow]
    totals: CoverageTotals


class TaggedHouseholdOut(Schema):
    household_id: int
    number: str
    address: str
    region_code: str
    region_name: str
    tags: list[str]
    interval_days: int
    last_visit: date | None
    due_on: date
    days_overdue: int
    is_overdue: bool


def _today() -> date:
    return timezone.localdate(clock.now())


@router.get("/visits", response=list[VisitOut])
@paginate(CountItemsNext)
def list_visits(request, region: str = "", purpose: str = "", household_id: Id | None = None,
                since: Day | None = None, until: Day | None = None):
    """本人范围内的入户走访记录,新的在前。"""
    qs = q.visits_visible(request.auth, region=region, purpose=purpose, household_id=household_id, since=since,
                          until=until)
    return Presented(qs, lambda page: [q.present_visit(v, request.auth) for v in page])


@router.get("/visits/coverage", response=CoverageOut)
def coverage(request, start: Day | None = None, end: Day | None = None, region: str = ""):
    """走访覆盖率:期间内走访过的在册户数 / 在册户数,按网格。默认本月1日至今天。"""
    today = _today()
    return q.coverage(request.auth, start=start or today.replace(day=1), end=end or today, region=region)


@router.get("/visits/tagged-households", response=list[TaggedHouseholdOut])
@paginate(CountItemsNext)
def tagged_households(request, region: str = "", overdue: bool = False):
    """需定期走访的户(独居老人等关爱标签,频次取成员标签中最短者),`overdue=true` 只看已超期的。"""
    return q.tagged_households(request.auth, today=_today(), region=region, overdue_only=overdue)


@router.get("/visits/{visit_id}", response={200: VisitDetailOut, **ERRORS})
def get_visit(request, visit_id: Id):
    visit = get_visible(HouseholdVisit.objects.select_related("household", "region", "visitor"), request.auth,
                        pk=visit_id)
    return q.present_visit(visit, request.auth, opinions=True)


@router.post("/visits", response={201: VisitDetailOut, **ERRORS})
def create_visit(request, payload: VisitIn):
    """登记入户走访。`opinions[].to_case=true` 的意见在同一事务中转为案件(渠道 visit),任一案件失败则整条不保存。
    支持 `Idempotency-Key` 请求头。"""
    household = get_visible(Household.objects.select_related("region"), request.auth, "fieldwork.record_visit",
                            pk=payload.household_id)
    visit = actions.record_visit(
        actor=request.auth, household=household, purpose=payload.purpose, visited_at=payload.visited_at,
        participants=payload.participants, persons_met=payload.persons_met, notes=payload.notes,
        opinions=[actions.OpinionInput(o.content, o.category_code, o.to_case) for o in payload.opinions],
        next_follow_up_on=payload.next_follow_up_on, idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return Status(201, q.present_visit(visit, request.auth, opinions=True))


@router.post("/visits/opinions/{opinion_id}/case", response={200: OpinionOut, **ERRORS})
def opinion_to_case(request, opinion_id: Id, payload: CaseIn):
    """把走访收集的意见转为案件(每条意见只转一次,重复转为 409)。"""
    opinion = get_visible(VisitOpinion.objects.select_related("visit__household__region"), request.auth,
                          pk=opinion_id)
    opinion = actions.raise_case_from_opinion(actor=request.auth, opinion=opinion, category_code=payload.category_code)
    return q.present_opinion(opinion)
