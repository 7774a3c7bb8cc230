"""Co-handling on a case: each co-handling department's own task and deadline, its feedback, and the
steps an officer records for an external department (a city bureau, a bank) that has no accounts here.

Called by cases.actions inside the transition's transaction (the effects `assign_tasks`, `complete_task`,
`require_tasks_done` and the `on_behalf_of` fact); every error is a DomainError, so nothing is written.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from django.utils import timezone

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.cases import sla
from civicgrid.cases.choices import DepartmentRole
from civicgrid.cases.models import Case, CaseDepartment
from civicgrid.cases.workflow.spec import Limit
from civicgrid.core import errors
from civicgrid.core.calendars import load_calendar
from civicgrid.core.scoping import can

# a co-handling task given without a deadline is due three working days after it is given
DEFAULT_TASK_LIMIT = Limit(3, "work_days")
MAX_TASKS = 10
RECORD_EXTERNAL = "cases.record_external"


def _bad(message: str, **details):
    raise errors.ValidationFailed(message, code="tasks_invalid", details=details or None)


def _due(value, now: datetime) -> datetime:
    """A task's deadline: a date (the end of that working day) or an ISO date-time; it must lie ahead."""
    if isinstance(value, datetime):
        moment = value if timezone.is_aware(value) else timezone.make_aware(value)
    else:
        text = str(value).strip()
        try:
            moment = (sla.end_of_working_day(date.fromisoformat(text)) if len(text) == 10
                      else datetime.fromisoformat(text))
        except ValueError:
            _bad(f"协办期限格式有误:{text}(应为 YYYY-MM-DD)", due=text)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    if moment <= now:
        _bad("协办期限须晚于当前时间", due=str(value))
    return moment


def parse(raw) -> list[dict]:
    """The `tasks` fact as a list of {department, task, due?}: a list, or the same as JSON text."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            _bad("协办任务格式有误")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list) or not raw or len(raw) > MAX_TASKS:
        _bad(f"协办任务须为1–{MAX_TASKS}项")
    items = []
    for item in raw:
        if not isinstance(item, dict):
            _bad("每项协办任务须写明单位和任务")
        code = str(item.get("department") or "").strip()
        task = str(item.get("task") or "").strip()
        if not code or not task:
            _bad("每项协办任务须写明单位和任务", department=code)
        if len(task) > 200:
            _bad("协办任务说明最多200字", department=code)
        items.append({"department": code, "task": task, "due": item.get("due") or None})
    codes = [i["department"] for i in items]
    if len(set(codes)) != len(codes):
        _bad("同一单位只能有一项协办任务", departments=codes)
    return items


def assign(case: Case, raw, now: datetime) -> list[dict]:
    """Give each named department its task and deadline as a co-handler of the case (a department already
    co-handling gets the new task; its earlier feedback is cleared). Returns what the event records."""
    items = parse(raw)
    departments = {d.code: d for d in Department.objects.filter(code__in=[i["department"] for i in items],
                                                               is_active=True)}
    recorded = []
    for item in items:
        dept = departments.get(item["department"])
        if dept is None:
            raise errors.ValidationFailed(f"部门不存在:{item['department']}", code="department_unknown",
                                          details={"department": item["department"]})
        if dept.pk == case.department_id:
            raise errors.ValidationFailed(f"{dept.name}是主办单位,不能同时作为协办单位", code="task_for_lead",
                                          details={"department": dept.code})
        due = _due(item["due"], now) if item["due"] else sla.due_at(now, DEFAULT_TASK_LIMIT, load_calendar(region_code=case.region.code))
        CaseDepartment.objects.update_or_create(
            case=case, department=dept,
            defaults={"role": DepartmentRole.CO, "task": item["task"], "due_at": due, "done_at": None,
                      "done_in_time": None, "result": "", "done_by": None})
        recorded.append({"department": dept.code, "task": item["task"], "due": due.isoformat()})
    return recorded


def complete(case: Case, actor, now: datetime, *, comment: str, on_behalf: Department | None) -> dict:
    """Mark the acting department's open task done: the external department recorded for, else the one
    co-handling department of the actor's with an open task."""
    open_tasks = CaseDepartment.objects.select_for_update().filter(case=case, done_at__isnull=True).exclude(task="")
    if on_behalf is not None:
        row = open_tasks.filter(department=on_behalf).first()
    else:
        mine = {a.department_id for a in actor.active_assignments() if a.department_id}
        rows = list(open_tasks.filter(department_id__in=mine).order_by("id")[:2])
        if len(rows) > 1:
            raise errors.ValidationFailed("您所在的多个单位都有待反馈的协办任务,请由各单位分别反馈",
                                          code="task_department_ambiguous")
        row = rows[0] if rows else None
    if row is None:
        raise errors.Conflict("该单位没有待反馈的协办任务", code="no_open_task")
    row.done_at = now
    row.done_in_time = row.due_at is None or now <= row.due_at
    row.result = comment[:4000]
    row.done_by = actor
    row.save(update_fields=["done_at", "done_in_time", "result", "done_by"])
    return {"task_department": row.department.code, "task_on_time": row.done_in_time}


def require_done(case: Case) -> None:
    """Refuse while a co-handling task is still open (办结 waits for every co-handler's feedback)."""
    pending = list(CaseDepartment.objects.filter(case=case, done_at__isnull=True).exclude(task="")
                   .select_related("department").order_by("id"))
    if pending:
        names = "、".join(p.department.name for p in pending)
        raise errors.Conflict(f"尚有协办任务未反馈:{names}", code="co_tasks_open",
                              details=[p.department.code for p in pending])


def on_behalf(actor, case: Case, code) -> tuple[Department, set[str]]:
    """An officer records a step for an external department on the case: (that department, the roles it
    plays on the case). Not external, not on the case, or an actor who may not record -> nothing is done."""
    dept = Department.objects.filter(code=str(code).strip(), is_active=True).first()
    if dept is None:
        raise errors.ValidationFailed(f"部门不存在:{code}", code="department_unknown")
    if dept.kind != DepartmentKind.EXTERNAL:
        raise errors.ValidationFailed(f"{dept.name}不是区外单位,须由其本单位人员办理", code="department_not_external")
    if not can(actor, RECORD_EXTERNAL, case):
        raise errors.Forbidden("您无权代区外单位登记办理情况", code="external_record_not_allowed")
    if dept.pk == case.department_id:
        return dept, {"lead_unit", "department_handler"}
    if CaseDepartment.objects.filter(case=case, department=dept).exists():
        return dept, {"co_unit", "department_handler"}
    raise errors.ValidationFailed(f"{dept.name}不是本案的承办单位", code="department_not_on_case")
