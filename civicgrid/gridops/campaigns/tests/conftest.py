"""A small campaign world: community A holds micro-grid A with three households, community B holds
micro-grid B with two; a community admin and workers on each side; an active epidemic-count campaign over
community A (and one over community B) running from 2024-05-01 to 2024-05-31."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.core import clock
from civicgrid.gridops.campaigns import actions, examples
from civicgrid.gridops.campaigns.models import Campaign
from civicgrid.people.models import Household
from civicgrid.people.tests.factories import make_building, make_household
from civicgrid.testing import Tree, make_user

START, END = date(2024, 5, 1), date(2024, 5, 31)


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in May 2024, local time."""
    return timezone.make_aware(datetime(2024, 5, day, hour, minute))


@dataclass
class World:
    tree: Tree
    admin_a: User  # community admin of community A
    admin_b: User
    worker_a: User  # micro-grid worker of micro-grid A
    worker_b: User
    grid_worker_a: User
    households_a: list[Household]
    households_b: list[Household]
    campaign: Campaign  # active, over community A
    campaign_b: Campaign  # active, over community B


def make_households(region, prefix: str, count: int, building_seq: str = "001") -> list[Household]:
    building = make_building(region, region.code + building_seq, "幸福里3号楼")
    return [make_household(region, f"{prefix}-{i:03d}", building, address=f"幸福里3号楼{i}01") for i in range(1, count + 1)]


def active_campaign(admin, target, form=None, title="疫情入户统计") -> Campaign:
    with clock.at(at(1, 8)):
        campaign = actions.create_campaign(actor=admin, title=title, targets=[target], start_date=START,
                                           end_date=END, form=form or examples.EPIDEMIC)
        return actions.publish_campaign(actor=admin, campaign=campaign)


@pytest.fixture
def world(tree) -> World:
    admin_a = make_user("admin_a", "community_admin", tree.community_a)
    admin_b = make_user("admin_b", "community_admin", tree.community_b)
    worker_a = make_user("worker_a", "micro_grid_worker", tree.micro_a)
    worker_b = make_user("worker_b", "micro_grid_worker", tree.micro_b)
    grid_worker_a = make_user("grid_a", "grid_worker", tree.grid_a)
    households_a = make_households(tree.micro_a, "HA", 3)
    households_b = make_households(tree.micro_b, "HB", 2)
    return World(tree, admin_a, admin_b, worker_a, worker_b, grid_worker_a, households_a, households_b,
                 active_campaign(admin_a, tree.community_a), active_campaign(admin_b, tree.community_b))


GOOD = {"members_present": 3, "test_done": "yes", "id_verified": "yes"}
