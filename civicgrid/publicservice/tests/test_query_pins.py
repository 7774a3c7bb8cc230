"""Query-count pins on the public-service lists: more items, slots, bookings, online requests and hard
cases must not mean more queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.publicservice import actions
from civicgrid.publicservice.actions import appointments, hardcases, requests
from civicgrid.publicservice.models import Slot
from civicgrid.publicservice.tests.conftest import png
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "publicservice:my_bookings": Pin("/publicservice/bookings/", "resident", 4),
    "/api/v1/publicservice/bookings": Pin("/api/v1/publicservice/bookings", "clerk", 5),
    "publicservice:window_day": Pin("/publicservice/window/?day={day}", "clerk", 6),
    "/api/v1/publicservice/items": Pin("/api/v1/publicservice/items", "anonymous", 1),
    "/api/v1/publicservice/slots": Pin("/api/v1/publicservice/slots?item=HK01&day={day}", "anonymous", 2),
    "publicservice:my_requests": Pin("/publicservice/requests/", "resident", 6),
    "/api/v1/publicservice/requests": Pin("/api/v1/publicservice/requests", "clerk", 7),
    "publicservice:queue": Pin("/publicservice/queue/", "clerk", 8),
    "publicservice:hard_cases": Pin("/publicservice/hard-cases/", "dispatcher", 6),
}


def test_public_service_lists_do_not_grow_with_rows(ps):
    w = ps
    sync_categories()
    counter = itertools.count()
    later = list(Slot.objects.filter(window=w.window, starts_at__date__gt=w.day).order_by("starts_at"))
    pins = {name: Pin(pin.url.format(day=w.day.isoformat()), pin.user, pin.queries, pin.growth)
            for name, pin in PINS.items()}

    def grow(n):
        for _ in range(n):
            i = next(counter)
            # the resident books a later day and cancels (one active booking per item), a neighbour books
            # the window's day: the clerk's lists show them
            booking, _ = appointments.book(actor=w.resident, slot_id=later[i].pk, item_code="HK02")
            appointments.cancel(actor=w.resident, booking_id=booking.pk)
            day_slots = Slot.objects.filter(window=w.window, starts_at__date=w.day).order_by("starts_at")
            appointments.book(actor=make_user(f"pins_res{i}", "resident"), slot_id=day_slots[i // 2].pk,
                              item_code="HK01")
            # one more item in the catalogue, and one more window offering 户口簿补办 on that day
            actions.structure.save_item(actor=w.admin, data=actions.ItemInput(
                code=f"PN{i:02d}", name=f"事项{i}", group="户籍", promised_days=5,
                materials=[{"key": "id_card", "label": "身份证正反面", "required": True}], fields=[]))
            window = actions.structure.create_window(actor=w.admin, office=w.police, code=f"P{i}",
                                                     name=f"户籍{i}号窗口", item_codes=["HK01"], capacity=2)
            actions.structure.open_slots(windows=[window], days=0, start=w.day)
            requests.apply(actor=w.resident, data=requests.RequestInput(
                item_code="HK01", office_code="PCS1", applicant_name="张三", phone="13800000001",
                answers={"reason": f"遗失{i}"}, uploads={"id_card": png()}, delivery="counter"))
            hardcases.register(actor=w.dispatcher, intake="counter", data=hardcases.HardCaseInput(
                category_code="9001", description=f"证明两个部门互相推{i}", name=f"李{i}", phone="13900000002"))

    users = {"resident": w.resident, "clerk": w.clerk, "dispatcher": w.dispatcher, "anonymous": None}
    check_query_pins(pins, users, grow)
