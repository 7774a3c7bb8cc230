"""Key persons (重点人员): sensitive personal information (PIPL art. 28).

Every answer that shows key-person data writes an audit record (list pages and details, masked or not).
Names, ID numbers and phones are masked unless the caller gives a `reason` (list: query parameter;
detail: `POST /key-persons/{id}/reveal`) and holds people.unmask_personal over the resident. Out of
scope: 404; no key-person permission at all: 403 on lists.
"""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id, RequiredText
from civicgrid.core import clock, errors
from civicgrid.core.scoping import get_visible
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.api.common import ERRORS, Presented, user
from civicgrid.gridops.fieldwork.choices import Condition, FollowUpMethod
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment
from civicgrid.gridops.fieldwork.queries import key_persons as q
from civicgrid.people.models import Resident, Tag

router = Router()


class KeyPersonOut(Schema):
    id: int
    resident_id: int
    name: str = Field(..., description="脱敏显示,如 张**")
    gender_label: str
    birth_date: date | None = Field(..., description="仅完整显示时给出")
    id_number: str
    phone: str
    address: str = Field(..., description="仅完整显示时给出")
    region_code: str
    region_name: str
    tag_code: str
    tag_name: str
    tier: str = Field(..., description="管控级别:严管/普管/宽管 或 红/黄/蓝")
    interval_days: int | None = Field(..., description="应联系间隔(天)")
    started_on: date
    last_contact_at: datetime | None
    due_on: date | None
    days_overdue: int
    is_overdue: bool
    responsible_worker: str
    police_liaison: str
    is_active: bool
    is_masked: bool
    can_reveal: bool
    can_follow_up: bool


class FollowUpOut(Schema):
    id: int
    contacted_at: datetime
    method: str
    method_label: str
    with_police: bool
    police_officer: str
    condition: str
    condition_label: str
    notes: str
    next_due_on: date | None
    recorded_by: str


class KeyPersonDetailOut(Schema):
    person: KeyPersonOut
    follow_ups: list[FollowUpOut]


class UnassignedOut(Schema):
    resident_id: int
    tag_id: int
    tag_code: str
    tag_name: str
    tier: str
    name: str
    region_code: str
    region_name: str
    is_masked: bool


class RevealIn(Schema):
    reason: RequiredText = Field(..., max_length=200, description="查看事由,记入审计日志")


class AssignIn(Schema):
    resident_id: int
    tag_code: str
    responsible_worker: str = Field(..., description="责任网格员的用户名")
    police_liaison: str = Field("", description="社区民警的用户名")
    contact_every_days: int | None = Field(None, ge=1, le=365, description="个人联系频次,覆盖按级别计算的频次")


class FollowUpIn(Schema):
    method: FollowUpMethod
    contacted_at: datetime | None = None
    condition: Condition = Condition.STABLE
    notes: str = Field("", max_length=2000)
    with_police: bool = False
    police_officer: str = Field("", description="在场社区民警的用户名")
    next_due_on: date | None = Field(None, description="下次联系日期(早于按频次计算的日期时生效)")


class EndIn(Schema):
    reason: RequiredText = Field(..., max_length=200)


def _today() -> date:
    return timezone.localdate(clock.now())


@router.get("/key-persons", response={200: list[KeyPersonOut], **ERRORS})
@paginate(CountItemsNext)
def list_key_persons(request, region: str = "", tag: str = "", overdue: bool = False, reason: str = ""):
    """本人范围内的重点人员(在管),超期的在前。默认脱敏;带 `reason`(查看事由)且有 people.unmask_personal
    权限时完整显示。每次查询都记入审计日志(列出了哪些人、是否完整显示)。"""
    rows = q.with_status(q.key_persons_visible(request.auth, region=region, tag=tag), _today())
    if overdue:
        rows = [a for a in rows if a.overdue]
    return Presented(rows, lambda page: actions.read_key_person_list(
        actor=request.auth, assignments=page, reason=reason)["people"])


@router.get("/key-persons/unassigned", response={200: list[UnassignedOut], **ERRORS})
@paginate(CountItemsNext)
def list_unassigned(request, region: str = ""):
    """有重点人员标签但尚未落实责任人的居民(脱敏,记入审计日志)。"""
    rows = q.unassigned_key_persons(request.auth, region=region)
    return Presented(rows, lambda page: actions.read_key_person_list(
        actor=request.auth, assignments=[], unassigned=page)["unassigned"])


@router.get("/key-persons/{assignment_id}", response={200: KeyPersonDetailOut, **ERRORS})
def get_key_person(request, assignment_id: Id):
    """重点人员详情及帮扶记录(脱敏,记入审计日志)。"""
    return actions.read_key_person(actor=request.auth, assignment_id=assignment_id)


@router.post("/key-persons/{assignment_id}/reveal", response={200: KeyPersonDetailOut, **ERRORS})
def reveal_key_person(request, assignment_id: Id, payload: RevealIn):
    """完整显示:须有 people.unmask_personal 权限并填写事由,每次查看记入审计日志。"""
    return actions.read_key_person(actor=request.auth, assignment_id=assignment_id, reason=payload.reason)


@router.post("/key-persons", response={201: KeyPersonDetailOut, **ERRORS})
def assign_key_person(request, payload: AssignIn):
    """落实责任人:为有重点人员标签的居民指定责任网格员和社区民警(已落实的则更换)。"""
    resident = get_visible(Resident.objects.select_related("region"), request.auth, q.FOLLOW_UP,
                           pk=payload.resident_id)
    tag = Tag.objects.filter(code=payload.tag_code.strip()).first()
    if tag is None:
        raise errors.ValidationFailed("标签不存在", code="tag_unknown")
    assignment = actions.assign_key_person(
        actor=request.auth, resident=resident, tag=tag,
        responsible_worker=user(payload.responsible_worker, label="责任人"),
        police_liaison=user(payload.police_liaison, label="社区民警"), contact_every_days=payload.contact_every_days)
    return Status(201, actions.read_key_person(actor=request.auth, assignment_id=assignment.pk))


def _assignment(request, assignment_id: int) -> KeyPersonAssignment:
    return get_visible(KeyPersonAssignment.objects.select_related("resident__region", "tag"), request.auth,
                       pk=assignment_id)


@router.post("/key-persons/{assignment_id}/follow-ups", response={201: FollowUpOut, **ERRORS})
def add_follow_up(request, assignment_id: Id, payload: FollowUpIn):
    """登记一次帮扶/随访。社区民警本人登记即视为民警在场。支持 `Idempotency-Key` 请求头。"""
    follow_up = actions.record_follow_up(
        actor=request.auth, assignment=_assignment(request, assignment_id), method=payload.method,
        contacted_at=payload.contacted_at, condition=payload.condition, notes=payload.notes,
        with_police=payload.with_police, police_officer=user(payload.police_officer, label="在场民警"),
        next_due_on=payload.next_due_on, idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201, q.present_follow_up(follow_up))


@router.post("/key-persons/{assignment_id}/end", response={200: KeyPersonOut, **ERRORS})
def end_key_person(request, assignment_id: Id, payload: EndIn):
    """解除管控(解矫、迁出等),帮扶记录保留。"""
    assignment = actions.end_key_person(actor=request.auth, assignment=_assignment(request, assignment_id),
                                        reason=payload.reason)
    return actions.read_key_person(actor=request.auth, assignment_id=assignment.pk)["person"]
