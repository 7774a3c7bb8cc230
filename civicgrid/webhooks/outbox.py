"""Publishing events: called by the action that makes the change, inside its transaction, so an event is
written exactly when its change commits (the outbox). Each subscription that wants the type gets a
delivery row; delivery is enqueued after commit. With no subscriber for a type nothing is written."""

from __future__ import annotations

import secrets

from django.db import transaction

from civicgrid.core import clock, confcache
from civicgrid.webhooks.choices import EVENTS, FAMILIES


def _subscriptions() -> list[tuple[int, frozenset[str]]]:
    from civicgrid.webhooks.models import Subscription

    return [(pk, frozenset(events)) for pk, events in
            Subscription.objects.filter(is_active=True).values_list("id", "events")]


def publish(event_type: str, data: dict) -> str | None:
    """Record `event_type` with `data` for its subscribers; the event id, or None when nobody listens."""
    from civicgrid.webhooks import tasks
    from civicgrid.webhooks.models import Delivery, Event

    if event_type not in EVENTS:
        raise ValueError(f"undeclared webhook event {event_type!r}")
    wanted = [pk for pk, events in confcache.current().get("webhook_subscriptions", _subscriptions)
              if event_type in events]
    if not wanted:
        return None
    now = clock.now()
    event = Event.objects.create(event_id="evt_" + secrets.token_hex(12), type=event_type, created_at=now,
                                 payload={"type": event_type, "timestamp": now.isoformat(), "data": data})
    ids = [d.pk for d in Delivery.objects.bulk_create(
        [Delivery(subscription_id=pk, event=event, next_attempt_at=now) for pk in wanted])]
    if any(pk is None for pk in ids):  # backends that return no ids from bulk_create
        ids = list(Delivery.objects.filter(event=event).values_list("id", flat=True))
    transaction.on_commit(lambda: [tasks.deliver.enqueue(pk) for pk in ids])
    return event.event_id


def case_data(case) -> dict:
    """What a case event says: no reporter, no address of a home, no comment."""
    return {"number": case.number, "case_type": case.case_type, "category": case.category.code if case.category_id else "",
            "state": case.state, "is_open": case.is_open, "region_code": case.region.code if case.region_id else "",
            "department": case.department.code if case.department_id else "",
            "due_at": case.due_at.isoformat() if case.due_at else None,
            "satisfaction": case.satisfaction}


def case_created(case) -> None:
    if case.case_type not in FAMILIES:
        publish("case.created", case_data(case))


def case_moved(case, *, action: str, source: str, target: str, rated: bool) -> None:
    """One workflow step: the family's state change, and for cases their closing and rating."""
    data = {**case_data(case), "action": action, "from_state": source}
    family = FAMILIES.get(case.case_type, "case")
    if source != target:
        publish(f"{family}.state_changed", data)
    if family == "case" and target != source and not case.is_open:
        publish("case.closed", data)
    if family == "case" and rated:
        publish("case.rated", data)
