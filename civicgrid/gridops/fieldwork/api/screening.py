"""Dispute screening: rounds, reporting a round (nothing new, or disputes that open cases), and the
completion report of a half-month."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, RequiredText
from civicgrid.core import clock
from civicgrid.core.scoping import get_visible
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.api.common import ERRORS, Presented, region
from civicgrid.gridops.fieldwork.models import ScreeningRound
from civicgrid.gridops.fieldwork.periods import half_month
from civicgrid.gridops.fieldwork.queries import screening as q

router = Router()


class FindingIn(Schema):
    description: RequiredText = Field(..., max_length=2000)
    category_code: str = Field("20", max_length=20, description="矛盾纠纷类别,20xx")
    parties: str = Field("", max_length=200, description="当事人")
    region_code: str = Field("", max_length=20, description="发生地(本网格内的微网格),默认本网格")


class RoundIn(Schema):
    grid_code: str
    day: date | None = Field(None, description="所报排查周期内的任一天,默认今天(半月一期:1–15日、16日–月末)")
    no_new_disputes: bool = Field(False, description="确认本期无新增矛盾纠纷")
    findings: list[FindingIn] = Field(default_factory=list, max_length=20)
    notes: str = Field("", max_length=2000)


class FindingOut(Schema):
    id: int
    description: str
    parties: str
    category_code: str
    case_id: int
    case_number: str


class RoundOut(Schema):
    id: int
    grid_code: str
    grid_name: str
    period_start: date
    period_end: date
    result: str
    result_label: str
    notes: str
    screened_by: str
    screened_at: datetime
    is_late: bool


class RoundDetailOut(RoundOut):
    findings: list[FindingOut]


class ReportRow(Schema):
    grid_code: str
    grid_name: str
    done: bool
    result: str
    result_label: str
    disputes: int
    late: bool
    screened_by: str
    screened_at: datetime | None


class ReportTotals(Schema):
    grids: int
    done: int
    missing: int
    rate: float
    none_found: int
    found: int
    disputes: int
    late: int


class ReportOut(Schema):
    period_start: date
    period_end: date
    rows: list[ReportRow]
    totals: ReportTotals


@router.get("/screening/rounds", response=list[RoundOut])
@paginate(CountItemsNext)
def list_rounds(request, region: str = "", day: Day | None = None):
    """排查记录;`day` 给出时只列该日所在的排查周期。"""
    start = half_month(day)[0] if day else None
    return Presented(q.rounds_visible(request.auth, region=region, period_start=start),
                     lambda page: [q.present_round(r) for r in page])


@router.get("/screening/report", response=ReportOut)
def report(request, day: Day | None = None, region: str = ""):
    """排查完成情况:本人范围内每个网格本期是否已报告、发现纠纷数、是否逾期补报。"""
    return q.screening_report(request.auth, day=day or timezone.localdate(clock.now()), region=region)


@router.get("/screening/rounds/{round_id}", response={200: RoundDetailOut, **ERRORS})
def get_round(request, round_id: Id):
    round_ = get_visible(ScreeningRound.objects.select_related("grid", "screened_by"), request.auth, pk=round_id)
    return q.present_round(round_, findings=True)


@router.post("/screening/rounds", response={201: RoundDetailOut, **ERRORS})
def create_round(request, payload: RoundIn):
    """报告一期排查:`no_new_disputes=true`,或登记发现的纠纷(每条在同一事务中生成矛盾纠纷案件)。
    本期已报告“无新增”后再报“无新增”为 409;已报告后仍可补登纠纷。支持 `Idempotency-Key` 请求头。"""
    grid = region(request, payload.grid_code, q.SCREEN)
    round_ = actions.record_screening(
        actor=request.auth, grid=grid, day=payload.day, no_new_disputes=payload.no_new_disputes,
        findings=[actions.FindingInput(f.description, f.category_code, f.parties, f.region_code)
                  for f in payload.findings],
        notes=payload.notes, idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, q.present_round(round_, findings=True))
