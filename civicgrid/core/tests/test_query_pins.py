"""Query-count pins on the working-day calendar page: more special days in the year must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from civicgrid.core import calendars
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "core:calendar": Pin("/audit/calendar/?year=2031", "admin", 5),
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendars.invalidate()
    yield
    calendars.invalidate()


def test_calendar_page_does_not_grow_with_rows(tree):
    admin = make_user("pins_admin", "system_admin", tree.district)
    counter = itertools.count()

    def grow(n):  # a year no seed covers: only these rows
        for _ in range(n):
            i = next(counter)
            day = date(2031, 1, 1) + timedelta(days=7 * i)
            calendars.set_day(actor=admin, day=day, is_workday=day.weekday() >= 5, name=f"调整{i}")

    check_query_pins(PINS, {"admin": admin}, grow)
