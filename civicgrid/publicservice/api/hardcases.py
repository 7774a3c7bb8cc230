"""The 办不成事 window: intake, meetings, and the public monthly statistics (no login, no personal data)."""

from datetime import datetime

from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from civicgrid.api.params import Id, RequiredText
from civicgrid.publicservice import queries
from civicgrid.publicservice.actions import hardcases
from civicgrid.publicservice.api.common import ERRORS, TAGS

router = Router(tags=TAGS)


class MonthOut(Schema):
    month: str
    received: int
    solved: int
    average_days: float | None


class TypeOut(Schema):
    type: str
    count: int


class StatsOut(Schema):
    received: int
    solved: int
    average_days: float | None
    months: list[MonthOut]
    by_type: list[TypeOut]


class HardCaseIn(Schema):
    category: str = Field(..., max_length=20, description="问题类型(办不成事类别 90xx)")
    description: RequiredText = Field(..., max_length=4000)
    intake: str = Field("online", description="online(本人网上反映)| counter(窗口为来访群众登记)")
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    tried_before: str = Field("", max_length=300)


class HardCaseOut(Schema):
    id: int
    number: str
    state: str
    created_at: datetime


class MeetingIn(Schema):
    held_at: AwareDatetime
    attendees: RequiredText = Field(..., max_length=300)
    departments: list[str] = Field(..., min_length=1, max_length=20)
    decisions: RequiredText = Field(..., max_length=4000)


class MeetingOut(Schema):
    id: int
    held_at: datetime
    attendees: str
    decisions: str


@router.get("/hard-cases/stats", response=StatsOut, auth=None)
def hard_case_stats(request):
    """“办不成事”窗口月度统计(公开,无需登录,不含任何个人信息):受理、办结、平均办理天数、问题类型。"""
    return queries.hard_case_stats()


@router.post("/hard-cases", response={201: HardCaseOut, 200: HardCaseOut, **ERRORS})
def register_hard_case(request, payload: HardCaseIn):
    """登记“办不成事”:居民网上反映(online),或窗口为来访群众登记(counter)。请带 `Idempotency-Key`。"""
    data = hardcases.HardCaseInput(category_code=payload.category, description=payload.description,
                                   name=payload.name, phone=payload.phone, tried_before=payload.tried_before)
    case, created = hardcases.register(actor=request.auth, data=data, intake=payload.intake,
                                       idempotency_key=request.headers.get("Idempotency-Key"))
    return Status(201 if created else 200, case)


@router.post("/hard-cases/{case_id}/meetings", response={201: MeetingOut, **ERRORS})
def record_meeting(request, case_id: Id, payload: MeetingIn):
    """记录协调会(会商):参会人员、参会部门(部门编码)、会商决定。"""
    meeting = hardcases.record_meeting(actor=request.auth, case_id=case_id, held_at=payload.held_at,
                                       attendees=payload.attendees, department_codes=payload.departments,
                                       decisions=payload.decisions)
    return Status(201, meeting)
