"""Query-count pins on the disbursement lists: more payments must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.subsidies.tests.conftest import add_enterprise, pay_enterprise, pay_person
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

PINS = {
    "subsidies:disbursements": Pin("/subsidies/disbursements/", "rsj", 6),
    "/api/v1/subsidies/disbursements": Pin("/api/v1/subsidies/disbursements", "rsj", 5),
}


def test_disbursement_lists_do_not_grow_with_rows(sworld):
    w = sworld
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            pay_person(w, i, name=f"王小{i}")
            pay_enterprise(w, add_enterprise(w, i, park="PA" if i % 2 else "PB"))

    check_query_pins(PINS, {"rsj": w.rsj_officer}, grow)
