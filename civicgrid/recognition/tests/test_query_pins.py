"""Query-count pins on the nomination lists: more nominations must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.recognition import actions
from civicgrid.recognition.tests.conftest import later, nomination_input, to_notice
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "recognition:mine": Pin("/recognition/my/", "resident", 4),
    "recognition:work": Pin("/recognition/work/", "office", 5),
    "recognition:notices": Pin("/recognition/notices/", "anonymous", 1),
    "/api/v1/recognition/nominations": Pin("/api/v1/recognition/nominations", "office", 5),
    "/api/v1/recognition/public/notices": Pin("/api/v1/recognition/public/notices", "anonymous", 1),
}

# one nomination on notice with more objections, and more listings of one person on the board
BOARD_PINS = {
    "recognition:detail": Pin("/recognition/{on_notice}/", "office", 7),
    "/api/v1/recognition/nominations/{nomination_id}/objections": Pin(
        "/api/v1/recognition/nominations/{on_notice}/objections", "office", 5),
    "recognition:board": Pin("/recognition/", "anonymous", 4),
    "/api/v1/recognition/public/board": Pin("/api/v1/recognition/public/board", "anonymous", 2),
    "/api/v1/recognition/public/people/{public_id}": Pin(
        "/api/v1/recognition/public/people/{public_id}", "anonymous", 2),
}

PINS = LIST_PINS | BOARD_PINS


def test_nomination_lists_do_not_grow_with_rows(rworld):
    w = rworld
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            nomination = actions.submit_nomination(actor=w.resident, data=nomination_input(
                nominee_name=f"好人{i}", nominee_phone=f"1380000{i:04d}", title=f"好事{i}",
                region_code="211004001001" if i % 2 else "211004002001"))
            if i % 2:  # on public notice (公示): the notices list and its API show them
                to_notice(w, nomination)

    check_query_pins(LIST_PINS, {"resident": w.resident, "office": w.office, "anonymous": None}, grow)


def test_objections_board_and_person_lists_do_not_grow_with_rows(rworld):
    w = rworld
    on_notice = to_notice(w, actions.submit_nomination(actor=w.other_resident, data=nomination_input(
        nominee_name="李好人", nominee_phone="13900002222", title="义务巡河")))
    first = actions.submit_nomination(actor=w.resident, data=nomination_input())
    pins = {name: Pin(pin.url.format(on_notice=on_notice.pk, public_id=first.honoree.public_id), pin.user,
                      pin.queries, pin.growth) for name, pin in BOARD_PINS.items()}
    counter = itertools.count()
    waiting = [first]

    def grow(n):
        for _ in range(n):
            i = next(counter)
            actions.lodge_objection(actor=None, nomination_id=on_notice.pk, contact_name=f"群众{i}",
                                    contact_phone=f"1370000{i:04d}", body=f"情况不属实{i}")
            nomination = waiting.pop() if waiting else actions.submit_nomination(
                actor=w.resident, data=nomination_input(title=f"好事{i}"))  # the same person again
            to_notice(w, nomination)
            with later(7):
                actions.transition_nomination(actor=w.office, nomination_id=nomination.pk, action="list")

    check_query_pins(pins, {"office": w.office, "anonymous": None}, grow)
