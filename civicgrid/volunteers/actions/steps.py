"""Every step of an order by its workflow action name, as `POST /api/v1/cases/{id}/transitions` takes it:
the step's own action with the step's inputs, and the Idempotency-Key a phone's retry carries.

A retry with the same key and the same input answers the order as it is, without taking the step again
(else the retry would meet 409 `action_not_allowed_in_state`); the same key with other input is 422
`idempotency_key_reused`. One key space covers every step, so a key names one request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from civicgrid.cases.models import CaseEvent
from civicgrid.core import errors, idempotency
from civicgrid.volunteers.actions._common import STEP_KEY_ACTION, Once, _order
from civicgrid.volunteers.actions.batch import centre_assign
from civicgrid.volunteers.actions.orders import (
    accept_order,
    assign_team,
    cancel_order,
    complete_order,
    decline_order,
    dispatch_order,
    log_contact,
    rate_order,
    review_order,
)
from civicgrid.volunteers.models import Order

# workflow action -> the action that takes it; each is called with the step's inputs as keywords
STEPS: dict[str, Callable[..., Order]] = {
    "accept": partial(review_order, approve=True),
    "reject": partial(review_order, approve=False),
    "dispatch": dispatch_order,
    "station_accept": accept_order,
    "decline": decline_order,
    "assign_team": assign_team,
    "centre_assign": centre_assign,
    "contact": log_contact,
    "complete": complete_order,
    "rate": rate_order,
    "cancel": cancel_order,
}


@dataclass
class StepResult:
    order: Order
    event: CaseEvent  # the event the step wrote (on a replay: the latest event of that action)
    replayed: bool


def take_step(*, actor, order_id: int, action: str, inputs: dict[str, Any], expected_event_count: int | None = None,
              idempotency_key: str | None = None) -> StepResult:
    """Take one step of an order. `inputs` are the keywords of the step's action (checked by the API's
    schema first). Out of reach 404; a workflow action no step here takes 422 `action_not_offered`."""
    order = _order(actor, order_id)  # 404 before anything else, the replay included
    run = STEPS.get(action)
    if run is None:
        raise errors.ValidationFailed("志愿服务订单不能执行此操作", code="action_not_offered",
                                      details={"offered": sorted(STEPS)})
    once = None
    if idempotency_key:
        body = {"order": order.pk, "action": action, "inputs": inputs, "expected_event_count": expected_event_count}
        once = Once(idempotency_key, idempotency.fingerprint(body))
        earlier = idempotency.replay(key=once.key, actor=actor, action=STEP_KEY_ACTION, model=Order, body=once.digest)
        if earlier is not None:
            event = earlier.case.events.filter(action=action).order_by("-seq").first()
            return StepResult(earlier, event, replayed=True)
    order = run(actor=actor, order_id=order.pk, expected_event_count=expected_event_count, once=once, **inputs)
    return StepResult(order, order.step_event, replayed=False)
