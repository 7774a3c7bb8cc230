"""中心直派: the centre sends a pending order straight to a team and its volunteers, one order at a time or
as the accepted part of a batch-matching preview (civicgrid/volunteers/batching.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from civicgrid.cases import notify
from civicgrid.core import errors
from civicgrid.core.scoping import require
from civicgrid.volunteers.actions._common import Once, _order, _role_user_ids, _step
from civicgrid.volunteers.actions.orders import _active_team, _check_eligible, _staff, _team_members
from civicgrid.volunteers.models import Order, Team

PENDING = "reviewed"  # 待派单: the orders the centre may send straight to a team


def centre_assign(*, actor, order_id: int, team_code: str, volunteer_ids: list[int],
                  expected_event_count: int | None = None, once: Once | None = None) -> Order:
    """中心直派 one pending order: the team must be in the centre's reach and every volunteer a member
    passing the hard filters today. The team's practice site becomes the order's main department (its
    station admin follows the service and confirms the hours); the team is the co-department."""
    order = _order(actor, order_id)
    if order.case.state != PENDING or (expected_event_count is not None
                                       and expected_event_count != order.case.event_count):
        raise errors.Conflict(f"订单 {order.case.number} 已被他人处理,未按方案派单,请重新生成方案",
                              code="order_changed", details={"order_id": order.pk, "state": order.case.state})
    team = _active_team(team_code)
    if not Team.objects.visible_to(actor, "volunteers.view_team").filter(pk=team.pk).exists():
        raise errors.ValidationFailed("该服务队伍不在本中心管辖范围内", code="team_out_of_reach")
    ids, members = _team_members(team, volunteer_ids)
    with transaction.atomic():
        _check_eligible(order, ids)
        _step(actor, order, "centre_assign", expected_event_count=order.case.event_count,
              facts={"department": team.site.department.code, "co_departments": [team.department.code]}, once=once)
        order.station = team.site
        order.save(update_fields=["station"])
        _staff(actor, order, team, ids, members)
        notify.notify_ids(_role_user_ids("station_admin", department_ids=[team.site.department_id]), order.case,
                          "order_assigned_by_centre",
                          f"中心直派 {order.case.number}:{order.case.title} → {team.name}", skip=actor)
    return order


@dataclass
class Pick:
    """One accepted line of a preview: the order, the proposed team and volunteers, and the order's
    event count when the preview was made (a later step makes the line stale)."""

    order_id: int
    team_code: str
    volunteer_ids: list[int] = field(default_factory=list)
    expected_event_count: int | None = None


@dataclass
class Outcome:
    order_id: int
    ok: bool
    code: str = ""
    message: str = ""
    order: Order | None = None


def accept_batch(*, actor, picks: list[Pick]) -> list[Outcome]:
    """The accepted lines of a preview, each through `centre_assign` in its own transaction: a stale or
    no longer eligible line is refused with its reason and the others still go."""
    require(actor, "volunteers.view_order")
    if not picks:
        raise errors.ValidationFailed("请至少勾选一个订单", code="picks_required")
    if len({p.order_id for p in picks}) != len(picks):
        raise errors.ValidationFailed("同一订单只能出现一次", code="picks_duplicate")
    outcomes = []
    for pick in picks:
        try:
            order = centre_assign(actor=actor, order_id=pick.order_id, team_code=pick.team_code,
                                  volunteer_ids=pick.volunteer_ids, expected_event_count=pick.expected_event_count)
        except errors.NotFound:
            outcomes.append(Outcome(pick.order_id, False, "not_found", "订单不存在或不在本中心管辖范围内"))
        except errors.DomainError as exc:
            outcomes.append(Outcome(pick.order_id, False, exc.code, exc.message))
        else:
            outcomes.append(Outcome(pick.order_id, True, "assigned", "已派给服务队伍", order))
    return outcomes
