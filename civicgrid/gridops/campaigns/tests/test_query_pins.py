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

PINS = {
    "campaigns:list": Pin("/gridops/campaigns/", "admin", 7),
    "/api/v1/gridops/campaigns": Pin("/api/v1/gridops/campaigns", "admin", 5),
}


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
        check_query_pins(PINS, {"admin": world.admin_a}, grow)
        campaigns = list(queries.campaigns_visible(world.admin_a))
        meters = queries.list_progress(campaigns, world.admin_a)
        for campaign in campaigns:
            full = queries.progress(campaign, world.admin_a)
            assert meters[campaign.pk] == {key: full[key] for key in ("total", "done", "conflicts", "percent")}
        assert sum(meter["done"] for meter in meters.values()) == 15
