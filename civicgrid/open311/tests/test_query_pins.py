"""Query-count pins on the Open311 GET lists: more services, requests and their steps must not mean more
queries (civicgrid.testing.check_query_pins). They are public: anonymous requests."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.cases.actions import submit_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "open311:services": Pin("/open311/v2/services.json", "anonymous", 1),
    "open311:requests": Pin("/open311/v2/requests.json?extensions=true", "anonymous", 5),
    "open311:updates": Pin("/open311/v2/servicerequestupdates.json", "anonymous", 2),
}


def test_open311_lists_do_not_grow_with_rows(o311):
    resident = make_user("pins_resident", "resident")
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            submit_case(actor=resident, data=IntakeInput(  # urban events: the published case type
                description=f"问题{i}", channel="resident", category_code="0102" if i % 2 else "0601",
                lat=41.12, lng=123.12 if i % 2 else 123.22))
            parent = Category.objects.get(code="01")
            Category.objects.create(code=f"01X{i:02d}", name=f"新类{i}", parent=parent, case_type=parent.case_type)

    check_query_pins(PINS, {"anonymous": None}, grow)
