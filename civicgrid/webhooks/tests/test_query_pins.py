"""Query-count pins on the webhook subscriptions and the Open311 keys: more of them must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.open311 import actions as open311_actions
from civicgrid.testing import Pin, check_query_pins, make_user
from civicgrid.webhooks import actions
from civicgrid.webhooks.models import Attempt, Delivery, Event

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "/api/v1/webhooks/subscriptions": Pin("/api/v1/webhooks/subscriptions", "admin", 4),
    "/api/v1/open311/keys": Pin("/api/v1/open311/keys", "admin", 6),
}

# one subscription's delivery log, with more events delivered (each attempt names its event)
ATTEMPT_PINS = {
    "/api/v1/webhooks/subscriptions/{subscription_id}/attempts": Pin(
        "/api/v1/webhooks/subscriptions/{subscription}/attempts", "admin", 5),
}

PINS = LIST_PINS | ATTEMPT_PINS


def test_subscriptions_and_keys_do_not_grow_with_rows(tree):
    admin = make_user("pins_admin", "system_admin", tree.district)
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            actions.create_subscription(actor=admin, name=f"订阅{i}", url=f"https://example.org/h{i}",
                                        events=["case.created"])
            open311_actions.issue_key(actor=admin, name=f"应用{i}")

    check_query_pins(LIST_PINS, {"admin": admin}, grow)


def test_a_subscriptions_attempts_do_not_grow_its_queries(tree):
    admin = make_user("pins_admin", "system_admin", tree.district)
    subscription, _secret = actions.create_subscription(actor=admin, name="订阅", url="https://example.org/h",
                                                        events=["case.created"])
    pins = {name: Pin(pin.url.format(subscription=subscription.pk), pin.user, pin.queries, pin.growth)
            for name, pin in ATTEMPT_PINS.items()}
    counter = itertools.count()

    def grow(n):  # what the delivery worker writes: an event, its delivery, a failed try and a success
        for _ in range(n):
            i = next(counter)
            event = Event.objects.create(event_id=f"evt_pin{i}", type="case.created", payload={"n": i})
            delivery = Delivery.objects.create(subscription=subscription, event=event, state="delivered")
            Attempt.objects.create(delivery=delivery, status=None, error="timeout", duration_ms=5000)
            Attempt.objects.create(delivery=delivery, status=200, duration_ms=40 + i)

    check_query_pins(pins, {"admin": admin}, grow)
