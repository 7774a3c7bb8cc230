"""Query-count pins on the volunteer lists: more volunteers, orders and donations must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from civicgrid.testing import Pin, check_query_pins, make_user
from civicgrid.volunteers import actions
from civicgrid.volunteers.tests.conftest import POINT_A, POINT_B, id_number, order_input

pytestmark = pytest.mark.django_db

PINS = {
    "volunteers:volunteers": Pin("/volunteers/volunteers/", "centre", 4),
    "volunteers:centre": Pin("/volunteers/centre/", "centre", 11),
    "volunteers:station": Pin("/volunteers/station/", "station", 8),
    "volunteers:mine": Pin("/volunteers/my/", "resident", 6),
    "volunteers:donations": Pin("/volunteers/donations/", "centre", 9),
    "/api/v1/volunteers/orders": Pin("/api/v1/volunteers/orders", "centre", 6),
    "/api/v1/volunteers/volunteers": Pin("/api/v1/volunteers/volunteers", "centre", 5),
    "/api/v1/volunteers/donations": Pin("/api/v1/volunteers/donations", "centre", 5),
}


def test_volunteer_lists_do_not_grow_with_rows(vworld):
    w = vworld
    users = {"centre": w.centre_admin, "station": w.station_admin, "resident": w.resident}
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            micro = w.tree.micro_a if i % 2 == 0 else w.tree.micro_b
            volunteer = actions.register_volunteer(
                actor=w.centre_admin, user=make_user(f"pins_vol{i}"), data=actions.VolunteerInput(
                    name=f"志愿者{i}", id_number=id_number(i), phone=f"1370000{i:04d}", region_code=micro.code,
                    skills=["7001"]))
            actions.add_member(actor=w.centre_admin, team=w.team, volunteer=volunteer)
            order, _ = actions.place_order(actor=w.resident, data=order_input(point=POINT_A if i % 2 else POINT_B))
            if i % 2:  # reviewed and sent to station A: its list and the centre's show them dispatched
                actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
                actions.dispatch_order(actor=w.centre_admin, order_id=order.pk, station_code=w.station_a.code)
            site = w.station_a if i % 2 else w.station_b
            actions.record_donation(actor=w.centre_admin, site=site, donor=f"捐赠人{i}", kind="money",
                                    amount=Decimal(100 + i))

    check_query_pins(PINS, users, grow)
