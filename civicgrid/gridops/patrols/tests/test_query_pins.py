"""Query-count pins on the patrol lists: more patrols, workers and checkpoints must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from civicgrid.cases.actions import sync_categories
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
    # yesterday's patrols of more workers
    "patrols:compliance": Pin("/gridops/patrols/compliance/?show=all", "street", 12),
    # one patrol under way, with more findings and more checkpoints in its grid
    "patrols:detail": Pin("/gridops/patrols/{patrol}/", "street", 17),
}


def test_patrol_lists_do_not_grow_with_rows(pw):
    users = {"street": pw.street_a, "community": pw.community_a}
    counter = itertools.count()
    sync_categories()  # the findings' case categories
    now = T0 + timedelta(days=1)
    with clock.at(now):
        patrol, _ = actions.start_patrol(actor=make_user("pins_gw", "grid_worker", pw.tree.grid_a),
                                      started_at=now - timedelta(hours=1))
    pins = {name: Pin(pin.url.format(patrol=patrol.pk), pin.user, pin.queries, pin.growth)
            for name, pin in PINS.items()}

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
            actions.report_finding(actor=patrol.worker, patrol_id=patrol.pk, data=actions.FindingInput(
                description=f"人行道井盖缺失{i}", lat=POINT_A[0], lng=POINT_A[1], category_code="0601"))

    with clock.at(now):
        check_query_pins(pins, users, grow)
