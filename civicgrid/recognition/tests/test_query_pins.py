"""Query-count pins on the nomination lists: more nominations must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.recognition import actions
from civicgrid.recognition.tests.conftest import nomination_input, to_notice
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

PINS = {
    "recognition:mine": Pin("/recognition/my/", "resident", 4),
    "recognition:work": Pin("/recognition/work/", "office", 5),
    "recognition:notices": Pin("/recognition/notices/", "anonymous", 1),
    "/api/v1/recognition/nominations": Pin("/api/v1/recognition/nominations", "office", 5),
    "/api/v1/recognition/public/notices": Pin("/api/v1/recognition/public/notices", "anonymous", 1),
}


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

    check_query_pins(PINS, {"resident": w.resident, "office": w.office, "anonymous": None}, grow)
