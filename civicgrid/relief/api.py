"""Relief API (/api/v1/relief): enterprise relief cases and project blockers — their links to enterprises
and projects, the deadlines in plain words, the co-handlers' tasks, typed outcomes, and the KPIs.

Every step of a case goes through the case engine: `POST /api/v1/cases/{case_id}/transitions` (facts
`department`, `tasks`, `on_behalf_of`, …). Out of reach is 404 (a contact asking for another enterprise's
case), a write the caller may not make 403, bad input 422 with a machine code (`currency_required`,
`category_unknown`, …), a case in the wrong state 409. Creates take an `Idempotency-Key` header.
"""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext, Mapped
from civicgrid.api.params import Id
from civicgrid.cases import queries as case_queries
from civicgrid.relief import actions, queries
from civicgrid.relief.choices import BLOCKER_TYPE, RELIEF_TYPE

TAGS = ["助企纾困 relief"]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
router = Router(tags=TAGS)


def _key(request) -> str | None:
    return request.headers.get("Idempotency-Key") or None


class DeadlineOut(Schema):
    state: str
    text: str = Field(..., description="例如“须于 12月8日(周二)17:00前联系企业”")
    status: str = Field(..., description="pending | overdue | done | done_late | none")
    due_at: datetime | None
    done_at: datetime | None


class TaskOut(Schema):
    department: str
    department_name: str
    is_external: bool
    task: str
    text: str
    status: str
    due_at: datetime | None
    done_at: datetime | None
    result: str


class OutcomeOut(Schema):
    id: int
    kind: str
    amount: Decimal | None
    currency: str
    jobs: int | None
    note: str
    department: str | None = Field(None, alias="department.code")
    text: str = ""
    recorded_at: datetime

    @staticmethod
    def resolve_text(obj):
        return queries.outcome_words(obj)


class CaseRef(Schema):
    id: int
    case_id: int
    number: str
    state: str
    state_label: str
    category: str
    department: str
    is_open: bool
    sla_status: str
    due_at: datetime | None
    created_at: datetime


def _ref(link) -> dict:
    row = case_queries.present_row(link.case)
    return {"id": link.pk, "case_id": link.case_id, "number": row["number"], "state": row["state"],
            "state_label": row["state_label"], "category": link.case.category.code if link.case.category_id else "",
            "department": link.case.department.code if link.case.department_id else "", "is_open": row["is_open"],
            "sla_status": row["sla_status"], "due_at": row["due_at"], "created_at": row["created_at"]}


class ReliefOut(CaseRef):
    enterprise_id: int
    enterprise: str
    is_tailored: bool


class ReliefDetailOut(ReliefOut):
    deadlines: list[DeadlineOut]
    tasks: list[TaskOut]
    outcomes: list[OutcomeOut]


class BlockerOut(CaseRef):
    project_id: int
    project: str
    enterprise_id: int


class BlockerDetailOut(BlockerOut):
    deadlines: list[DeadlineOut]
    tasks: list[TaskOut]


def _relief(link) -> dict:
    return {**_ref(link), "enterprise_id": link.enterprise_id, "enterprise": link.enterprise.name,
            "is_tailored": link.is_tailored}


def _blocker(link) -> dict:
    return {**_ref(link), "project_id": link.project_id, "project": link.project.name,
            "enterprise_id": link.enterprise_id}


def _tasks(case) -> list[dict]:
    return [{**{k: t[k] for k in ("is_external", "task", "text", "status", "due_at", "done_at", "result")},
             "department": t["department"].code, "department_name": t["department"].name}
            for t in queries.tasks_of(case)]


def _deadlines(case) -> list[dict]:
    return [{k: d[k] for k in ("state", "text", "status", "due_at", "done_at")} for d in queries.lead_deadlines(case)]


class ReliefIn(Schema):
    enterprise_id: Id
    category: str = Field(..., max_length=20, description="诉求类别编码(8001 资金/融资 … 8009 其他)")
    description: str = Field(..., max_length=4000)
    title: str = Field("", max_length=120)
    channel: str = Field("", max_length=12, description="enterprise(企业自报)| officer(专员代报)| hotline(12345);不填按角色")
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    is_tailored: bool = Field(False, description="一企一策(多部门联合帮扶)")


class BlockerIn(Schema):
    project_id: Id
    category: str = Field(..., max_length=20, description="堵点类别编码(8101 用地 … 8109 其他)")
    description: str = Field(..., max_length=4000)
    title: str = Field("", max_length=120)
    channel: str = Field("", max_length=12)


class OutcomeIn(Schema):
    kind: str = Field(..., max_length=30, description="capital_increase | funds_introduced | loan | approval_unblocked | jobs_kept | other")
    amount: str | None = Field(None, max_length=24, description="金额(十进制字符串);资金类成效必填,并须有 currency")
    currency: str = Field("", max_length=3, description="CNY | USD | EUR | JPY | HKD;资金类成效必填,缺少时 422 `currency_required`")
    jobs: int | None = Field(None, ge=0, le=1_000_000)
    note: str = Field("", max_length=300)
    department: str = Field("", max_length=20, description="取得成效的单位编码(本案主办或协办单位)")


@router.get("/cases", response=list[ReliefOut])
@paginate(CountItemsNext)
def list_reliefs(request, worklist: str = "", state: str = "", enterprise_id: int | None = None):
    """本人可见的助企纾困诉求(企业联系人只见本企业);worklist: open | overdue | closed。"""
    qs = queries.reliefs_visible(request.auth, worklist=worklist, state=state[:40], enterprise_id=enterprise_id)
    return Mapped(qs, _relief)  # counted and sliced in the database: only the page is presented


@router.post("/cases", response={201: ReliefOut, 200: ReliefOut, **ERRORS})
def submit_relief(request, payload: ReliefIn):
    """提交助企纾困诉求(企业联系人为本企业;专员或12345代企业登记)。请带 `Idempotency-Key`:重试返回 200 和首次的诉求。"""
    relief, created = actions.submit_relief(actor=request.auth, idempotency_key=_key(request), data=actions.ReliefInput(
        enterprise_id=payload.enterprise_id, category_code=payload.category, description=payload.description,
        title=payload.title, channel=payload.channel, reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone, is_tailored=payload.is_tailored))
    return Status(201 if created else 200, _relief(relief))


@router.get("/cases/{relief_id}", response={200: ReliefDetailOut, **ERRORS})
def get_relief(request, relief_id: int):
    relief = queries.relief_visible(request.auth, relief_id)
    return {**_relief(relief), "deadlines": _deadlines(relief.case), "tasks": _tasks(relief.case),
            "outcomes": queries.outcomes_of(relief)}


@router.get("/cases/{relief_id}/outcomes", response={200: list[OutcomeOut], **ERRORS})
def list_outcomes(request, relief_id: int):
    return queries.outcomes_of(queries.relief_visible(request.auth, relief_id))


@router.post("/cases/{relief_id}/outcomes", response={201: OutcomeOut, **ERRORS})
def record_outcome(request, relief_id: int, payload: OutcomeIn):
    """登记办理成效:增资、引入资金、贷款(金额+币种)、审批打通(说明)、稳岗(岗位数)。"""
    outcome = actions.record_outcome(actor=request.auth, relief_id=relief_id,
                                     data=actions.OutcomeInput(**payload.model_dump()))
    return Status(201, outcome)


@router.get("/blockers", response=list[BlockerOut])
@paginate(CountItemsNext)
def list_blockers(request, worklist: str = "", state: str = "", project_id: int | None = None):
    qs = queries.blockers_visible(request.auth, worklist=worklist, state=state[:40], project_id=project_id)
    return Mapped(qs, _blocker)


@router.post("/blockers", response={201: BlockerOut, 200: BlockerOut, **ERRORS})
def raise_blocker(request, payload: BlockerIn):
    """提出项目堵点。请带 `Idempotency-Key`。"""
    blocker, created = actions.raise_blocker(actor=request.auth, idempotency_key=_key(request), data=actions.BlockerInput(
        project_id=payload.project_id, category_code=payload.category, description=payload.description,
        title=payload.title, channel=payload.channel))
    return Status(201 if created else 200, _blocker(blocker))


@router.get("/blockers/{blocker_id}", response={200: BlockerDetailOut, **ERRORS})
def get_blocker(request, blocker_id: int):
    blocker = queries.blocker_visible(request.auth, blocker_id)
    return {**_blocker(blocker), "deadlines": _deadlines(blocker.case), "tasks": _tasks(blocker.case)}


class KpiOut(Schema):
    case_type: str
    response_rate: float | None
    on_time_close_rate: float | None
    satisfaction_rate: float | None
    counts: dict


@router.get("/kpis", response={200: KpiOut, **ERRORS})
def relief_kpis(request, case_type: str = RELIEF_TYPE, since: date | None = None, until: date | None = None):
    """案件引擎的考核指标,限于助企纾困(或项目堵点):响应率(1个工作时内联系企业)、按期结案率、满意率。"""
    from civicgrid.core import errors

    if case_type not in (RELIEF_TYPE, BLOCKER_TYPE):
        raise errors.ValidationFailed("案件类型须为 enterprise_relief 或 project_blocker", code="case_type_invalid")
    figures = queries.relief_kpis(request.auth, since=since, until=until, case_type=case_type)
    if figures is None:
        raise errors.Forbidden("无权查看考核指标", code="forbidden")
    return {"case_type": case_type, **{k: figures[k] for k in ("response_rate", "on_time_close_rate",
                                                               "satisfaction_rate", "counts")}}
