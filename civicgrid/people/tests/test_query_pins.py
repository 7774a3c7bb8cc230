"""Query-count pins on the people lists: more buildings, households, residents and tags must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.people.models import Building, ResidentTag
from civicgrid.people.tests.factories import ident, make_building, make_household, make_resident
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "people:resident_list": Pin("/people/", "street", 7),
    "people:household_list": Pin("/people/households/", "street", 5),
    "people:household_detail": Pin("/people/households/{household}/", "street", 6),
    "/api/v1/people/buildings": Pin("/api/v1/people/buildings", "dispatcher", 5),
    "/api/v1/people/households": Pin("/api/v1/people/households", "dispatcher", 5),
    "/api/v1/people/residents": Pin("/api/v1/people/residents", "community", 6),
    "/api/v1/people/map/search": Pin("/api/v1/people/map/search?q=号楼", "dispatcher", 5),
}


def test_people_lists_do_not_grow_with_rows(world):
    tree = world.tree
    users = {"street": make_user("pins_street", "street_admin", tree.street_a),
             "community": make_user("pins_community", "community_admin", tree.community_a),
             "dispatcher": make_user("pins_dispatcher", "dispatcher", tree.district)}
    counter = itertools.count(10)
    pins = dict(PINS)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            micro = tree.micro_a if i % 2 == 0 else tree.micro_b
            building = make_building(micro, f"{micro.code}{i:03d}", name=f"{i}号楼")
            Building.objects.filter(pk=building.pk).update(lng=123.12, lat=41.12)  # on the map: its search finds it
            household = make_household(micro, f"HP-{i:04d}", building, address=f"幸福里{i}号")
            head = make_resident(household, f"住户{i}", ident(2 * i + 1), f"139{i:08d}")
            # everyone lands in the first household too: its page lists a growing family
            make_resident(world.household_a, f"家人{i}", ident(2 * i + 2), relation="child")
            ResidentTag.objects.create(resident=head, tag=world.elderly)
            ResidentTag.objects.create(resident=head, tag=world.correction, level="普管")
        for name, pin in PINS.items():
            pins[name] = Pin(pin.url.format(household=world.household_a.pk), pin.user, pin.queries, pin.growth)

    check_query_pins(pins, users, grow)
