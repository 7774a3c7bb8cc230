"""Orders as the caller may see them: the scoped queryset, one order, its records, the resident's own
orders and the states the other reads group orders by."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from civicgrid.core.scoping import get_visible
from civicgrid.volunteers.models import Order

OPEN_STATES = ("ordered", "reviewed", "dispatched", "station_accepted", "assigned", "in_service")
BUSY_STATES = ("assigned", "in_service")  # a volunteer on such an order is busy in its window
DONE_STATES = ("completed", "archived")  # service delivered (archived orders that were rated or not)


def orders_visible(user):
    return Order.objects.visible_to(user).select_related("case", "case__category", "case__region", "station", "team")


def created_between(since: date | None, until: date | None) -> Q:
    """Orders placed in [since, until], Beijing dates, both ends included (either may be left open)."""
    tz = timezone.get_current_timezone()
    q = Q()
    if since:
        q &= Q(case__created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        q &= Q(case__created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    return q


_ORDER_RELATIONS = ("case", "case__workflow", "case__category", "case__region", "station", "team")


def order_visible(user, order_id: int) -> Order:
    """One order the user may see (404 otherwise), with what its detail shows."""
    qs = Order.objects.select_related(*_ORDER_RELATIONS).prefetch_related("volunteers")
    return get_visible(qs, user, pk=order_id)


def order_of_case(user, case_id: int) -> Order:
    """The order of a case, if the user may see it (404 otherwise: no order, or out of reach)."""
    return get_visible(Order.objects.only("pk"), user, case_id=case_id)


def order_as_left(order_id: int) -> Order:
    """An order as the caller's action has just left it (the caller acted on it, so it may be shown even
    when that action moved it out of their reach)."""
    return Order.objects.select_related(*_ORDER_RELATIONS).prefetch_related("volunteers").get(pk=order_id)


def order_records(order: Order):
    return order.records.select_related("volunteer").order_by("started_at", "id")


def my_orders(user):
    """The orders the user placed (for themselves or on behalf of someone), newest first."""
    return (orders_visible(user).filter(case__reporter_id=user.pk).select_related("case__workflow", "case__region")
            .order_by("-case__created_at", "-id"))


def order_channel(user) -> str:
    """How a web order comes in: a resident orders for themselves; a grid or micro-grid worker (or the
    centre, from a phone call) orders on behalf of an elderly resident."""
    roles = {a.role for a in user.active_assignments()}
    if not roles or roles <= {"resident"}:
        return "resident"
    if roles & {"grid_worker", "micro_grid_worker", "community_admin", "street_admin"}:
        return "grid"
    return "hotline"
