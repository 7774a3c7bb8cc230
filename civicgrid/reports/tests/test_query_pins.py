"""Query-count pins on the report runs: more runs must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.reports import actions
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "reports:archive": Pin("/reports/", "dispatcher", 5),
    "/api/v1/reports/runs": Pin("/api/v1/reports/runs", "dispatcher", 4),
}


def test_report_runs_do_not_grow_with_rows(tree):
    sync_categories()
    dispatcher = make_user("pins_dispatcher", "dispatcher", tree.district)
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            actions.request_report(actor=dispatcher, kind="case_export", params={"tab": "all", "q": f"问题{i}"})

    check_query_pins(PINS, {"dispatcher": dispatcher}, grow)
