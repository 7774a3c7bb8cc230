"""Query-count pins on the region lists: more regions must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.geo.choices import RegionKind, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "geo:browser": Pin("/geo/?q=网格", "dispatcher", 5),
    "geo:region_detail": Pin("/geo/regions/{community}/", "dispatcher", 7),
    "/api/v1/geo/regions": Pin("/api/v1/geo/regions?level=grid", "dispatcher", 5),
}


def test_region_lists_do_not_grow_with_rows(tree):
    dispatcher = make_user("pins_dispatcher", "dispatcher", tree.district)
    counter = itertools.count(2)
    pins = {name: Pin(pin.url.format(community=tree.community_a.code), pin.user, pin.queries, pin.growth)
            for name, pin in PINS.items()}

    def grow(n):
        for _ in range(n):
            i = next(counter)
            community = tree.community_a if i % 2 else tree.community_b
            Region.objects.create(code=f"{community.code}{i:03d}", name=f"网格{i}", level=RegionLevel.GRID,
                                  parent=community, kind=RegionKind.COMPREHENSIVE)

    check_query_pins(pins, {"dispatcher": dispatcher}, grow)
