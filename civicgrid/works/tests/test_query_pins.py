"""Query-count pins on the works register: more works must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.recognition.tests.conftest import png
from civicgrid.testing import Pin, check_query_pins
from civicgrid.works import actions
from civicgrid.works.tests.conftest import POINT_A, POINT_B, work_input

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "works:list": Pin("/works/", "office", 5),
    "/api/v1/works": Pin("/api/v1/works", "office", 6),
}

# one work's page with more before/after photos
WORK_PINS = {
    "works:detail": Pin("/works/{work}/", "office", 6),
}

PINS = LIST_PINS | WORK_PINS


def test_works_lists_do_not_grow_with_rows(wworld):
    w = wworld
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            actor, code = (w.handler, "ZJ") if i % 2 else (w.other_handler, "YL")
            actions.create_work(actor=actor, data=work_input(name=f"道路修补{i}", department_code=code,
                                                             geometry=POINT_A if i % 3 else POINT_B))

    check_query_pins(LIST_PINS, {"office": w.office}, grow)


def test_a_works_photos_do_not_grow_its_queries(wworld):
    w = wworld
    work = actions.create_work(actor=w.handler, data=work_input())
    pins = {name: Pin(pin.url.format(work=work.pk), pin.user, pin.queries, pin.growth)
            for name, pin in WORK_PINS.items()}
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            actions.add_photo(actor=w.handler, work_id=work.pk, stage="before" if next(counter) % 2 else "after",
                              data=png())

    check_query_pins(pins, {"office": w.office}, grow)
