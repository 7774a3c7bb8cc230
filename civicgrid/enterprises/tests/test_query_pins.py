"""Query-count pins on the enterprise lists: more enterprises, contacts and qualifications must not mean
more queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from civicgrid.enterprises import actions
from civicgrid.enterprises.tests.conftest import enterprise_input
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "enterprises:list": Pin("/enterprises/list/", "zone", 7),
    "/api/v1/enterprises/enterprises": Pin("/api/v1/enterprises/enterprises", "zone", 5),
    "/api/v1/enterprises/enterprises/{enterprise_id}/contacts": Pin(
        "/api/v1/enterprises/enterprises/{ent_a}/contacts", "zone", 5),
    "/api/v1/enterprises/qualifications/expiring": Pin(
        "/api/v1/enterprises/qualifications/expiring?within_days=365", "zone", 5),
}


def test_enterprise_lists_do_not_grow_with_rows(zworld):
    w = zworld
    counter = itertools.count(10)
    pins = {name: Pin(pin.url.format(ent_a=w.ent_a.pk), pin.user, pin.queries, pin.growth)
            for name, pin in PINS.items()}

    def grow(n):
        for _ in range(n):
            i = next(counter)
            officer, park = (w.officer_a, "PA") if i % 2 else (w.officer_b, "PB")
            enterprise = actions.register_enterprise(actor=officer, data=enterprise_input(i, park))
            actions.add_contact(actor=w.officer_a, enterprise_id=w.ent_a.pk, user=make_user(f"pins_contact{i}", "enterprise_contact"))
            actions.record_qualification(actor=officer, enterprise_id=enterprise.pk, data=actions.QualificationInput(
                kind="high_tech_enterprise", issued_on=date.today() - timedelta(days=3 * 365 - 30 - i)))

    check_query_pins(pins, {"zone": w.officer_zone}, grow)
