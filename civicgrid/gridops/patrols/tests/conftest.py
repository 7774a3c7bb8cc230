"""Patrol test world: the shared tree with field workers, admins and checkpoints, a fixed clock, and a
hand-built track helper."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from civicgrid.core import clock
from civicgrid.geo.locator import get_locator
from civicgrid.gridops.patrols import actions
from civicgrid.testing import make_user

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2025, 3, 10, tzinfo=TZ).date()
T0 = datetime(2025, 3, 10, 8, 0, tzinfo=TZ)  # patrols start here
STEP_DEG = 0.0009  # one step north: 100.0756 m
STEP_S = 30
POINT_A = (41.12, 123.12)  # inside micro-grid A (grid A)
POINT_B = (41.12, 123.22)  # inside micro-grid B (grid B)


def walk(n: int, start=POINT_A, t0: datetime = T0, step_s: int = STEP_S, step_deg: float = STEP_DEG,
         accuracy: float | None = 8.0) -> list[actions.PointInput]:
    """n points walking north from `start`, one every `step_s` seconds from t0."""
    lat, lng = start
    return [actions.PointInput(recorded_at=t0 + timedelta(seconds=i * step_s), lat=lat + i * step_deg, lng=lng,
                               accuracy=accuracy) for i in range(n)]


@pytest.fixture(autouse=True)
def _fresh_locator():
    get_locator().invalidate()
    yield
    get_locator().invalidate()


@pytest.fixture
def at():
    """`with at(minutes): ...` runs the block at T0 + minutes."""

    def moment(minutes: float = 0):
        return clock.at(T0 + timedelta(minutes=minutes))

    return moment


class World:
    pass


@pytest.fixture
def pw(tree):
    w = World()
    w.tree = tree
    w.gw_a = make_user("gw_a", "grid_worker", tree.grid_a)
    w.gw_b = make_user("gw_b", "grid_worker", tree.grid_b)
    w.mw_a = make_user("mw_a", "micro_grid_worker", tree.micro_a)
    w.community_a = make_user("ca", "community_admin", tree.community_a)
    w.street_a = make_user("sa", "street_admin", tree.street_a)
    w.street_b = make_user("sb", "street_admin", tree.street_b)
    w.leader = make_user("leader", "leader", tree.district)
    w.police_a = make_user("police_a", "police_liaison", tree.community_a)
    w.volunteer = make_user("vol", "volunteer")
    w.resident = make_user("res", "resident")
    with clock.at(T0 - timedelta(days=30)):
        w.school = actions.create_checkpoint(actor=w.community_a, data=actions.CheckpointInput(
            region_code=tree.grid_a.code, name="实验小学", kind="school", lat=41.1245, lng=123.12, radius_m=50))
        w.market = actions.create_checkpoint(actor=w.community_a, data=actions.CheckpointInput(
            region_code=tree.grid_a.code, name="农贸市场", kind="market", lat=41.16, lng=123.18, radius_m=60))
    return w
