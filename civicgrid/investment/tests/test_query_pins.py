"""Query-count pins on the project lists: more projects must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.investment import actions
from civicgrid.investment.tests.conftest import project_input
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

PINS = {
    "investment:projects": Pin("/investment/projects/", "zone", 7),
    "/api/v1/investment/projects": Pin("/api/v1/investment/projects", "zone", 5),
}


def test_project_lists_do_not_grow_with_rows(iworld):
    w = iworld
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            officer, enterprise, review = ((w.officer_a, w.ent_a, "GX-TC") if i % 2
                                           else (w.officer_b, w.ent_b, "GX-GJ"))
            actions.register_project(actor=officer, data=project_input(enterprise, i, review_department=review))

    check_query_pins(PINS, {"zone": w.officer_zone}, grow)
