"""Query-count pins on the figures API: more grids, micro-grids and workers must not mean more queries —
each figure is an aggregate over the records (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.geo.choices import RegionKind, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "/api/v1/figures": Pin("/api/v1/figures", "leader", 36),
}


def test_figures_do_not_grow_with_rows(tree):
    leader = make_user("pins_leader", "leader", tree.district)
    counter = itertools.count(2)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            community = tree.community_a if i % 2 else tree.community_b
            grid = Region.objects.create(code=f"{community.code}{i:03d}", name=f"网格{i}", level=RegionLevel.GRID,
                                         parent=community, kind=RegionKind.COMPREHENSIVE)
            micro = Region.objects.create(code=f"{grid.code}001", name=f"微网格{i}", level=RegionLevel.MICRO_GRID,
                                          parent=grid)
            make_user(f"pins_micro{i}", "micro_grid_worker", micro)

    check_query_pins(PINS, {"leader": leader}, grow)
