"""The 办不成事 window on the engine's `hard_case` workflow: intake online and at the counter, and the
coordination-meeting records. The case's own steps (领导包案, 会商, 办理, 回访, 督办) are case transitions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from civicgrid.accounts.models import Department
from civicgrid.cases.actions import submit_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case
from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import get_visible, require
from civicgrid.geo.models import Region
from civicgrid.publicservice.choices import HardCaseIntake
from civicgrid.publicservice.models import HardCaseFile, Meeting

ROOT_CATEGORY = "90"


@dataclass
class HardCaseInput:
    category_code: str  # a 办不成事 category (90xx): the problem type of the statistics
    description: str
    name: str = ""
    phone: str = ""
    tried_before: str = ""  # where the applicant already tried (窗口/部门)
    region_code: str = ""  # where the problem is; blank: the district


def _district_code() -> str:
    root = Region.objects.filter(parent__isnull=True, is_active=True).order_by("code").first()
    if root is None:
        raise errors.ValidationFailed("未配置行政区划", code="region_unknown")
    return root.code


def register(*, actor, data: HardCaseInput, intake: str, idempotency_key: str | None = None) -> tuple[Case, bool]:
    """Online (the resident, who is the case's reporter) or at the counter (window staff for a walk-in,
    with the person's name and phone): the case starts at 已登记 with 首问负责 on the receiver."""
    if intake == HardCaseIntake.COUNTER:
        require(actor, "publicservice.register_hard_case")
        if not data.name.strip():
            raise errors.ValidationFailed("请填写来访人姓名", code="name_required")
    elif intake == HardCaseIntake.ONLINE:
        require(actor, "cases.create_case")
    else:
        raise errors.ValidationFailed("登记方式无效", code="intake_invalid")
    if not str(data.category_code).startswith(ROOT_CATEGORY) or len(str(data.category_code)) < 4:
        raise errors.ValidationFailed("请选择问题类型", code="category_required")
    payload = IntakeInput(description=data.description, category_code=str(data.category_code),
                          title=data.description.strip()[:40],
                          case_type="hard_case", region_code=data.region_code or _district_code(),
                          reporter_name=data.name.strip(), reporter_phone=data.phone.strip(),
                          contact_preference="phone" if data.phone.strip() else "online")
    with transaction.atomic():
        result = submit_case(actor=actor, data=payload, idempotency_key=idempotency_key, body=data)
        if not result.created:
            return result.case, False
        HardCaseFile.objects.create(case=result.case, intake=intake, received_by=actor,
                                    tried_before=data.tried_before.strip()[:300])
        audit.record(actor=actor, action="publicservice.register_hard_case", obj=result.case,
                     details={"intake": intake, "number": result.case.number})
    return result.case, True


def record_meeting(*, actor, case_id: int, held_at, attendees: str, department_codes: list[str],
                   decisions: str) -> Meeting:
    """A coordination meeting (协调会): attendees, the departments at the table, what was decided."""
    require(actor, "publicservice.record_meeting")
    case = get_visible(Case.objects.filter(case_type="hard_case"), actor, "cases.view_case", pk=case_id)
    if not case.is_open:
        raise errors.Conflict("该案件已结案", code="case_closed")
    if held_at is None or held_at > clock.now():
        raise errors.ValidationFailed("会商时间不能晚于现在", code="meeting_in_future")
    if not attendees.strip() or not decisions.strip():
        raise errors.ValidationFailed("请填写参会人员和会商决定", code="meeting_incomplete")
    departments = list(Department.objects.filter(code__in=department_codes, is_active=True))
    if not departments or len(departments) != len(set(department_codes)):
        raise errors.ValidationFailed("请选择参加会商的部门", code="department_unknown")
    with transaction.atomic():
        meeting = Meeting.objects.create(case=case, held_at=held_at, attendees=attendees.strip()[:300],
                                         decisions=decisions.strip(), recorded_by=actor)
        meeting.departments.set(departments)
        audit.record(actor=actor, action="publicservice.record_meeting", obj=case,
                     details={"meeting": meeting.pk, "departments": sorted(department_codes)})
    return meeting
