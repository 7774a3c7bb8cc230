"""Police–grid joint work (四联): referrals both ways, joint records, the shared case view and the
monthly summary."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Day, Id, Month, RequiredText
from civicgrid.cases import queries as case_queries
from civicgrid.cases.choices import Urgency
from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.core.scoping import get_visible
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.api.common import ERRORS, Presented, department, region, users
from civicgrid.gridops.fieldwork.choices import JointKind
from civicgrid.gridops.fieldwork.models import Referral
from civicgrid.gridops.fieldwork.queries import joint as q

router = Router()


class ReferralOut(Schema):
    id: int
    direction: str
    direction_label: str
    case_id: int
    case_number: str
    case_title: str
    region_code: str
    region_name: str
    police_department: str
    police_reference: str
    reason: str
    status: str
    status_label: str
    referred_by: str
    referred_at: datetime
    reply: str
    replied_by: str
    replied_at: datetime | None


class ToPoliceIn(Schema):
    case_id: int
    reason: RequiredText = Field(..., max_length=1000)
    department_code: str = Field("", description="公安单位编码;默认案件所在地的派出所或公安分局")


class FromPoliceIn(Schema):
    region_code: str = Field(..., description="发生地所在网格或微网格")
    description: RequiredText = Field(..., max_length=4000)
    category_code: str = Field(..., description="案件类别编码")
    police_reference: str = Field("", max_length=40, description="警情编号")
    department_code: str = ""
    address: str = Field("", max_length=200)
    urgency: Urgency | None = None


class AnswerIn(Schema):
    accept: bool
    reply: str = Field("", max_length=1000, description="退回时必填")


class JointRecordIn(Schema):
    kind: JointKind
    region_code: str = Field(..., description="网格或微网格编码")
    summary: RequiredText = Field(..., max_length=4000)
    police_participants: list[str] = Field(..., description="参与社区民警的用户名")
    grid_participants: list[str] = Field(..., description="参与网格员的用户名")
    started_at: datetime | None = None
    ended_at: datetime | None = None
    place: str = Field("", max_length=200)
    other_participants: str = Field("", max_length=200)


class JointRecordOut(Schema):
    id: int
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    started_at: datetime
    ended_at: datetime | None
    place: str
    summary: str
    police_participants: list[str]
    grid_participants: list[str]
    other_participants: str
    recorded_by: str


class CaseRowOut(Schema):
    id: int
    number: str
    title: str
    type_label: str
    state_label: str
    region: str
    department: str
    sla_label: str
    created_at: datetime


class SummaryRow(Schema):
    community_code: str
    community_name: str
    to_police: int
    to_police_accepted: int
    to_police_declined: int
    to_police_pending: int
    from_police: int
    from_police_closed: int
    joint_total: int
    joint_patrol: int
    joint_check: int
    joint_mediation: int
    joint_visit: int
    key_persons: int | None = Field(..., description="在管重点人员数(无重点人员权限时为 null)")
    key_persons_overdue: int | None
    follow_ups_with_police: int | None


class SummaryOut(Schema):
    month: date
    month_end: date
    rows: list[SummaryRow]
    totals: dict
    sees_key_persons: bool


@router.get("/joint/referrals", response=list[ReferralOut])
@paginate(CountItemsNext)
def list_referrals(request, direction: str = "", status: str = "", region: str = ""):
    return Presented(q.referrals_visible(request.auth, direction=direction, status=status, region=region),
                     lambda page: [q.present_referral(r) for r in page])


@router.post("/joint/referrals/to-police", response={201: ReferralOut, **ERRORS})
def refer_to_police(request, payload: ToPoliceIn):
    """网格案件移交公安:通知所在社区的社区民警和公安单位承办人,等待接收。同一案件同时只能有一条待接收的移交(409)。"""
    case = get_visible(Case.objects.select_related("region"), request.auth, "cases.view_case", pk=payload.case_id)
    referral = actions.refer_case_to_police(actor=request.auth, case=case, reason=payload.reason,
                                            department=department(payload.department_code),
                                            idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, q.present_referral(referral))


@router.post("/joint/referrals/from-police", response={201: ReferralOut, **ERRORS})
def receive_from_police(request, payload: FromPoliceIn):
    """公安移交网格:社区民警登记警情移交,同一事务中生成案件(渠道“警情移交”)。支持 `Idempotency-Key` 请求头。"""
    place = region(request, payload.region_code, q.RECORD)
    referral = actions.receive_police_referral(
        actor=request.auth, region=place, description=payload.description, category_code=payload.category_code,
        police_reference=payload.police_reference, department=department(payload.department_code),
        address=payload.address, urgency=payload.urgency or "", idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, q.present_referral(referral))


@router.post("/joint/referrals/{referral_id}/answer", response={200: ReferralOut, **ERRORS})
def answer(request, referral_id: Id, payload: AnswerIn):
    """社区民警接收或退回(须说明)移交公安的案件。"""
    referral = get_visible(Referral.objects.select_related("case__region"), request.auth, pk=referral_id)
    referral = actions.answer_referral(actor=request.auth, referral=referral, accept=payload.accept,
                                       reply=payload.reply)
    return q.present_referral(referral)


@router.get("/joint/records", response=list[JointRecordOut])
@paginate(CountItemsNext)
def list_records(request, kind: str = "", region: str = "", since: Day | None = None, until: Day | None = None):
    return Presented(q.joint_records_visible(request.auth, kind=kind, region=region, since=since, until=until),
                     lambda page: [q.present_joint_record(r) for r in page])


@router.post("/joint/records", response={201: JointRecordOut, **ERRORS})
def create_record(request, payload: JointRecordIn):
    """登记联巡、联查、联调、联合走访:须有本地社区民警和网格员各至少一人。支持 `Idempotency-Key` 请求头。"""
    place = region(request, payload.region_code, q.RECORD)
    record = actions.record_joint_work(
        actor=request.auth, kind=payload.kind, region=place, summary=payload.summary,
        police_participants=users(payload.police_participants, label="参与民警"),
        grid_participants=users(payload.grid_participants, label="参与网格员"), started_at=payload.started_at,
        ended_at=payload.ended_at, place=payload.place, other_participants=payload.other_participants,
        idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, q.present_joint_record(record))


@router.get("/joint/cases", response=list[CaseRowOut])
@paginate(CountItemsNext)
def shared_cases(request, region: str = "", open_only: bool = True):
    """共享视图:本人所在社区的案件(社区民警看到其社区的全部案件)。"""
    return Presented(q.community_cases(request.auth, region=region, open_only=open_only),
                     lambda page: [case_queries.present_row(c) for c in page])


@router.get("/joint/summary", response=SummaryOut)
def summary(request, month: Month | None = None):
    """警网联动月报(`month` 为 YYYY-MM,默认本月):按社区统计移交、联动记录、重点人员随访。"""
    today = timezone.localdate(clock.now())
    return q.monthly_summary(request.auth, day=month or today.replace(day=1), today=today)
