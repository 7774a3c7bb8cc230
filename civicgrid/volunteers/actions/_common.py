"""Helpers shared by the volunteer actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.actions import transition_case
from civicgrid.core import idempotency
from civicgrid.core.scoping import fetch_visible
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY
from civicgrid.volunteers.models import (
    Order,
)

MAX_WINDOW = timedelta(hours=12)  # one order is one visit; longer help is several orders
MAX_AHEAD = timedelta(days=60)
HOUR = Decimal("0.01")


# an order with what its actions read: its case (whose reach it follows), the case's region, station and team
ORDER_RELATED = (("case", None), ("case__region", FIELDS_WITHOUT_BOUNDARY), ("station", None), ("team", None))


def _order(actor, order_id: int) -> Order:
    return fetch_visible(Order, actor, pk=order_id, related=ORDER_RELATED)


STEP_KEY_ACTION = "volunteers.order_step"  # one key space for every step: a key names one request


@dataclass(frozen=True)
class Once:
    """The Idempotency-Key a step came with and the fingerprint of its input (actions/steps.py)."""

    key: str
    digest: idempotency.Digest


def _step(actor, order: Order, action: str, *, comment: str = "", facts: dict | None = None,
          expected_event_count: int | None = None, once: Once | None = None):
    """Take the workflow step on the order's case (inside the caller's transaction); the step's event is
    left on the order as `step_event`, and its Idempotency-Key, if any, is stored with it."""
    result = transition_case(actor=actor, case_id=order.case_id, action=action, comment=comment, facts=facts,
                             expected_event_count=expected_event_count, managed=True)
    order.case = result.case
    order.step_event = result.event
    if once is not None:
        idempotency.remember(key=once.key, actor=actor, action=STEP_KEY_ACTION, obj=order, body=once.digest)
    return result


def _role_user_ids(role: str, *, department_ids=None, region_code: str | None = None) -> list[int]:
    qs = RoleAssignment.objects.filter(is_active=True, user__is_active=True, role=role)
    if department_ids is not None:
        qs = qs.filter(department_id__in=list(department_ids))
    if region_code is not None:
        qs = qs.filter(region__isnull=False)
        qs = [a for a in qs.select_related("region") if region_code.startswith(a.region.code)]
        return [a.user_id for a in qs]
    return list(qs.values_list("user_id", flat=True))
