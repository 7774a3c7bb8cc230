"""Query-count pins on the webhook subscriptions and the Open311 keys: more of them must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.open311 import actions as open311_actions
from civicgrid.testing import Pin, check_query_pins, make_user
from civicgrid.webhooks import actions

pytestmark = pytest.mark.django_db

PINS = {
    "/api/v1/webhooks/subscriptions": Pin("/api/v1/webhooks/subscriptions", "admin", 4),
    "/api/v1/open311/keys": Pin("/api/v1/open311/keys", "admin", 6),
}


def test_subscriptions_and_keys_do_not_grow_with_rows(tree):
    admin = make_user("pins_admin", "system_admin", tree.district)
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            actions.create_subscription(actor=admin, name=f"订阅{i}", url=f"https://example.org/h{i}",
                                        events=["case.created"])
            open311_actions.issue_key(actor=admin, name=f"应用{i}")

    check_query_pins(PINS, {"admin": admin}, grow)
