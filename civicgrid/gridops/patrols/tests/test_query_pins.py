"""Query-count pins on the patrol lists: more patrols, workers and checkpoints must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from civicgrid.core import clock
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.tests.conftest import POINT_A, POINT_B, T0, walk
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "patrols:list": Pin("/gridops/patrols/list/", "street", 5),
    "patrols:checkpoints": Pin("/gridops/patrols/checkpoints/", "community", 6),
    "/api/v1/gridops/patrols": Pin("/api/v1/gridops/patrols", "street", 5),
    "/api/v1/gridops/patrols/checkpoints": Pin("/api/v1/gridops/patrols/checkpoints", "community", 5),
}


def test_patrol_lists_do_not_grow_with_rows(pw):
    users = {"street": pw.street_a, "community": pw.community_a}
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            worker = make_user(f"pins_mw{i}", "micro_grid_worker", pw.tree.micro_a)
            start = T0 + timedelta(hours=i)
            actions.record_patrol(actor=worker if i % 2 else pw.gw_a, started_at=start,
                                  ended_at=start + timedelta(minutes=30), points=walk(5, POINT_A, t0=start))
            actions.record_patrol(actor=pw.gw_b, started_at=start, ended_at=start + timedelta(minutes=30),
                                  points=walk(5, POINT_B, t0=start))  # street B: not in street A's lists
            actions.create_checkpoint(actor=pw.community_a, data=actions.CheckpointInput(
                region_code=pw.tree.grid_a.code, name=f"检查点{i}", kind="school", lat=41.13, lng=123.13,
                radius_m=50))

    with clock.at(T0 + timedelta(days=1)):
        check_query_pins(PINS, users, grow)
