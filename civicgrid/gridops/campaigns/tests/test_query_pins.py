"""Query-count pins on the campaign lists: more campaigns, households and answers must not mean more
queries (civicgrid.testing.check_query_pins); the list's meters agree with each campaign's progress."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.core import clock
from civicgrid.gridops.campaigns import actions, queries
from civicgrid.gridops.campaigns.tests.conftest import GOOD, active_campaign, at, make_households
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "campaigns:list": Pin("/gridops/campaigns/", "admin", 7),
    "/api/v1/gridops/campaigns": Pin("/api/v1/gridops/campaigns", "admin", 5),
}

# one campaign's pages and its households: more households answered must not mean more queries
CAMPAIGN_PINS = {
    "campaigns:detail": Pin("/gridops/campaigns/{campaign}/", "admin", 8),
    "campaigns:progress": Pin("/gridops/campaigns/{campaign}/progress/", "admin", 9),
    "campaigns:results": Pin("/gridops/campaigns/{campaign}/results/", "admin", 7),
    "/api/v1/gridops/campaigns/{campaign_id}/households": Pin(
        "/api/v1/gridops/campaigns/{campaign}/households", "worker", 7),
}

PINS = LIST_PINS | CAMPAIGN_PINS


def test_campaign_lists_do_not_grow_with_rows(world):
    counter = itertools.count(2)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            household = make_households(world.tree.micro_a, f"HP{i}", 1, building_seq=f"{i:03d}")[0]
            campaign = active_campaign(world.admin_a, world.tree.community_a, title=f"入户统计{i}")
            with clock.at(at(3)):
                actions.submit_answer(actor=world.worker_a, campaign=campaign, household=household, answers=GOOD,
                                      answered_at=at(3, 9))

    with clock.at(at(10)):
        check_query_pins(LIST_PINS, {"admin": world.admin_a}, grow)
        campaigns = list(queries.campaigns_visible(world.admin_a))
        meters = queries.list_progress(campaigns, world.admin_a)
        for campaign in campaigns:
            full = queries.progress(campaign, world.admin_a)
            assert meters[campaign.pk] == {key: full[key] for key in ("total", "done", "conflicts", "percent")}
        assert sum(meter["done"] for meter in meters.values()) == 15


def test_one_campaigns_lists_do_not_grow_with_rows(world):
    counter = itertools.count(2)
    pins = {name: Pin(pin.url.format(campaign=world.campaign.pk), pin.user, pin.queries, pin.growth)
            for name, pin in CAMPAIGN_PINS.items()}

    def grow(n):
        for _ in range(n):
            i = next(counter)
            household = make_households(world.tree.micro_a, f"HQ{i}", 1, building_seq=f"{i:03d}")[0]
            with clock.at(at(3)):
                actions.submit_answer(actor=world.worker_a, campaign=world.campaign, household=household,
                                      answers=GOOD | {"members_present": i}, answered_at=at(3, 9))

    with clock.at(at(10)):
        check_query_pins(pins, {"admin": world.admin_a, "worker": world.worker_a}, grow)
