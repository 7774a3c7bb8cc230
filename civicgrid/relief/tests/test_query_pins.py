"""Query-count pins on the relief lists: more relief cases must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.relief.tests.conftest import submit
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

PINS = {
    "relief:index": Pin("/relief/", "dispatcher", 13),
    "relief:mine": Pin("/relief/mine/", "contact", 6),
    "/api/v1/relief/cases": Pin("/api/v1/relief/cases", "dispatcher", 4),
}


def test_relief_lists_do_not_grow_with_rows(rworld):
    w = rworld
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            submit(w, description=f"外资资本金账户被冻结,增资款无法结汇({i})")

    check_query_pins(PINS, {"dispatcher": w.dispatcher, "contact": w.contact_a}, grow)
