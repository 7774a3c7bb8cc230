"""批量派单 over the API: the centre's preview (GET /volunteers/batch) and the accepted lines
(POST /volunteers/batch), each sent with 中心直派 on its own."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from civicgrid.core import errors
from civicgrid.volunteers import actions, batching
from civicgrid.volunteers.api.common import ERRORS, TAGS
from civicgrid.volunteers.queries import boards as board_queries

router = Router(tags=TAGS)


def _centre_only(user) -> None:
    if not board_queries.works_as(user, "centre_admin"):
        raise errors.Forbidden("只有文明实践中心可以批量派单", code="centre_only")


class ProposedOut(Schema):
    volunteer_id: int
    name: str
    score: float
    parts: dict[str, float] = Field(..., description="加权得分构成:skill, distance, reliability, continuity, load")


class ReasonOut(Schema):
    code: str = Field(..., description="taken, team_split, none_eligible, no_volunteers, 或硬性条件代码")
    count: int
    message: str


class LineOut(Schema):
    order_id: int
    number: str
    service: str
    urgent: bool
    window_start: datetime
    window_end: datetime
    people_needed: int
    expected_event_count: int = Field(..., description="生成方案时的事件数;接受时原样传回")
    team: str | None = Field(None, description="服务队伍代码")
    team_name: str | None = None
    volunteers: list[ProposedOut]
    score: float
    reasons: list[ReasonOut] = Field(..., description="未匹配或人数不足的原因")


class PreviewOut(Schema):
    cap: int
    total_score: float
    matched: list[LineOut]
    unmatched: list[LineOut]
    left_out: int = Field(..., description="超出本轮上限、留待下一轮的待派订单数")


class CapQuery(Schema):
    cap: int = Field(1, ge=1, le=batching.MAX_CAP, description="每名志愿者最多接单数")


def _line(line: batching.Line) -> dict:
    order, case = line.order, line.order.case
    return {
        "order_id": order.pk, "number": case.number, "service": case.category.name if case.category_id else "",
        "urgent": order.is_urgent, "window_start": order.window_start, "window_end": order.window_end,
        "people_needed": order.people_needed, "expected_event_count": case.event_count,
        "team": line.team.code if line.team else None, "team_name": line.team.name if line.team else None,
        "volunteers": [{"volunteer_id": p.volunteer.pk, "name": p.volunteer.name, "score": p.score,
                        "parts": p.parts} for p in line.volunteers],
        "score": line.score, "reasons": [vars(r) for r in line.reasons]}


@router.get("/batch", response={200: PreviewOut, **ERRORS})
def batch_preview(request, query: Query[CapQuery]):
    """批量派单方案(只读):本中心全部待派订单与可派志愿者一起求最优匹配。"""
    _centre_only(request.auth)
    preview = batching.preview(request.auth, cap=query.cap)
    return {"cap": preview.cap, "total_score": preview.total_score, "left_out": preview.left_out,
            "matched": [_line(x) for x in preview.matched], "unmatched": [_line(x) for x in preview.unmatched]}


class PickIn(Schema):
    order_id: int
    team: str = Field(..., min_length=1, max_length=30)
    volunteer_ids: list[int] = Field(..., min_length=1, max_length=20)
    expected_event_count: int


class AcceptIn(Schema):
    lines: list[PickIn] = Field(..., min_length=1, max_length=batching.MAX_ORDERS)


class OutcomeOut(Schema):
    order_id: int
    ok: bool
    code: str = Field(..., description="assigned,或拒绝原因代码(order_changed, volunteer_conflict …)")
    message: str
    state: str | None = None


class AcceptOut(Schema):
    assigned: int
    refused: int
    results: list[OutcomeOut]


@router.post("/batch", response={200: AcceptOut, **ERRORS})
def batch_accept(request, payload: AcceptIn):
    """接受方案中的部分或全部订单:逐单中心直派;过期的方案行逐单拒绝并说明原因,其余照常派出。"""
    _centre_only(request.auth)
    outcomes = actions.accept_batch(actor=request.auth, picks=[
        actions.Pick(x.order_id, x.team, x.volunteer_ids, x.expected_event_count) for x in payload.lines])
    done = sum(o.ok for o in outcomes)
    return {"assigned": done, "refused": len(outcomes) - done, "results": [
        {"order_id": o.order_id, "ok": o.ok, "code": o.code, "message": o.message,
         "state": o.order.case.state if o.order else None} for o in outcomes]}
