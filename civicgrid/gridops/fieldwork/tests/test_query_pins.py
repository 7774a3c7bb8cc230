"""Query-count pins on the field-work lists: more visits, key persons and activities must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment
from civicgrid.gridops.fieldwork.tests.conftest import TODAY, at
from civicgrid.people.models import ResidentTag
from civicgrid.people.tests.factories import ident, make_household, make_resident
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

PINS = {
    "fieldwork:visit_list": Pin("/gridops/visits/", "community", 5),
    "fieldwork:key_person_list": Pin("/gridops/key-persons/", "community", 13),
    "fieldwork:activity_list": Pin("/gridops/activities/", "community", 7),
    "/api/v1/gridops/visits": Pin("/api/v1/gridops/visits", "community", 5),
    "/api/v1/gridops/visits/tagged-households": Pin("/api/v1/gridops/visits/tagged-households", "community", 6),
    "/api/v1/gridops/key-persons": Pin("/api/v1/gridops/key-persons", "community", 9),
    "/api/v1/gridops/key-persons/unassigned": Pin("/api/v1/gridops/key-persons/unassigned", "community", 10),
    "/api/v1/gridops/activities": Pin("/api/v1/gridops/activities", "community", 5),
}


def test_field_work_lists_do_not_grow_with_rows(world):
    users = {"community": world.community_a}
    counter = itertools.count(10)

    def grow(n):
        for _ in range(n):
            i = next(counter)
            micro, worker = (world.tree.micro_a, world.grid_a) if i % 3 else (world.tree.micro_b, world.grid_b)
            household = make_household(micro, f"HP-{i}", address=f"幸福里{i}号楼")
            tagged = make_resident(household, f"居民{i}", ident(2 * i + 1, date(1950, 1, 1)), f"1390000{i:04d}")
            key = make_resident(household, f"对象{i}", ident(2 * i + 2, date(1990, 1, 1)))
            ResidentTag.objects.create(resident=tagged, tag=world.elderly, valid_from=date(2025, 5, 1))
            ResidentTag.objects.create(resident=key, tag=world.correction, level="普管")
            if i % 2:  # half the key persons have their worker, the other half wait for one
                KeyPersonAssignment.objects.create(resident=key, tag=world.correction, responsible_worker=worker,
                                                   started_on=date(2025, 6, 1))
            actions.record_visit(actor=worker, household=household, visited_at=at(TODAY - timedelta(days=i % 5)),
                                 notes=f"走访{i}", opinions=[actions.OpinionInput(f"意见{i}")])
            actions.record_activity(actor=worker, region=micro.parent, kind="law", title=f"活动{i}",
                                    place="社区活动室", held_on=TODAY - timedelta(days=i % 7), attendance=10 + i)

    check_query_pins(PINS, users, grow)
