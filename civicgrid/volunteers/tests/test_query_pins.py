"""Query-count pins on the volunteer lists: more volunteers, orders and donations must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import time, timedelta
from decimal import Decimal

import pytest

from civicgrid.cases.models import Category
from civicgrid.testing import Pin, check_query_pins, make_user
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import SiteLevel
from civicgrid.volunteers.tests.conftest import (
    POINT_A,
    POINT_B,
    after_service,
    id_number,
    order_input,
    tomorrow_at,
)

pytestmark = pytest.mark.django_db

LIST_PINS = {
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

    check_query_pins(LIST_PINS, users, grow)


# the service catalogue, the centre's batch preview and an order's suggested stations, a station's
# shortlist of a team for one order, and one volunteer's page and tasks: more services, pending orders,
# stations, team members and served orders must not mean more queries
SERVICE_PINS = {
    "volunteers:services": Pin("/volunteers/services/", "centre", 4),
    "volunteers:batch": Pin("/volunteers/centre/batch/", "centre", 16),
    "/api/v1/volunteers/orders/{order_id}/stations": Pin("/api/v1/volunteers/orders/{pending}/stations", "centre", 7),
    "volunteers:shortlist": Pin("/volunteers/orders/{accepted}/shortlist/?team=T1", "station", 16),
    "volunteers:volunteer": Pin("/volunteers/volunteers/{counsellor}/", "centre", 20),
    "volunteers:tasks": Pin("/volunteers/tasks/", "counsellor", 12),
}

PINS = LIST_PINS | SERVICE_PINS


def served(w, day_offset: int) -> None:
    """An order of the counsellor, served and confirmed, `day_offset` days after the next Wednesday."""
    start, end = (moment + timedelta(days=day_offset) for moment in tomorrow_at(9))
    order, _ = actions.place_order(actor=w.resident, data=order_input(window_start=start, window_end=end))
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=w.centre_admin, order_id=order.pk, station_code=w.station_a.code)
    actions.accept_order(actor=w.station_admin, order_id=order.pk)
    actions.assign_team(actor=w.station_admin, order_id=order.pk, team_code="T1", volunteer_ids=[w.counsellor.pk])
    actions.log_contact(actor=w.counsellor.user, order_id=order.pk, comment="已联系")
    with after_service(order):
        actions.complete_order(actor=w.counsellor.user, order_id=order.pk, report="完成", records=[
            actions.RecordInput(w.counsellor.pk, start, start + timedelta(hours=2))])
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)


def test_service_batch_shortlist_and_volunteer_lists_do_not_grow_with_rows(vworld):
    w = vworld
    counter = itertools.count(10)
    pending, _ = actions.place_order(actor=w.resident, data=order_input(point=POINT_A))
    actions.review_order(actor=w.centre_admin, order_id=pending.pk, approve=True)
    accepted, _ = actions.place_order(actor=w.resident_b, data=order_input(point=POINT_A))
    actions.review_order(actor=w.centre_admin, order_id=accepted.pk, approve=True)
    actions.dispatch_order(actor=w.centre_admin, order_id=accepted.pk, station_code=w.station_a.code)
    actions.accept_order(actor=w.station_admin, order_id=accepted.pk)
    pins = {name: Pin(pin.url.format(pending=pending.pk, accepted=accepted.pk, counsellor=w.counsellor.pk),
                      pin.user, pin.queries, pin.growth) for name, pin in SERVICE_PINS.items()}
    root = Category.objects.get(code="70")
    slots = [{"weekday": d, "start": time(8), "end": time(20)} for d in range(7)]

    def grow(n):
        for _ in range(n):
            i = next(counter)
            Category.objects.create(code=f"70{i + 20}", name=f"服务{i}", parent=root, case_type=root.case_type)
            order, _ = actions.place_order(actor=w.resident, data=order_input(
                point=POINT_A if i % 2 else POINT_B, window_start=tomorrow_at(9)[0] + timedelta(days=3 * (i - 10)),
                window_end=tomorrow_at(9)[1] + timedelta(days=3 * (i - 10))))
            actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)  # the batch shows it
            actions.create_site(actor=w.centre_admin, code=f"S1-{i}", name=f"文明实践站{i}", level=SiteLevel.STATION,
                                region=w.tree.community_a, parent=w.institute, capabilities=["7001"])
            volunteer = actions.register_volunteer(
                actor=w.centre_admin, user=make_user(f"pins_member{i}"), data=actions.VolunteerInput(
                    name=f"队员{i}", id_number=id_number(i + 100), phone=f"1371111{i:04d}",
                    region_code=w.tree.micro_a.code, skills=["7001", "7003"], availability=slots,
                    service_radius_km=30, lat=41.13, lng=123.13))
            actions.add_member(actor=w.centre_admin, team=w.team, volunteer=volunteer)  # the shortlist ranks them
            served(w, i - 9)

    users = {"centre": w.centre_admin, "station": w.station_admin, "counsellor": w.counsellor.user}
    check_query_pins(pins, users, grow)
