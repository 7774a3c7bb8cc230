"""Query-count pins on the field-work lists: more visits, key persons and activities must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from civicgrid.cases.actions import submit_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.geo.choices import RegionKind, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment
from civicgrid.gridops.fieldwork.tests.conftest import TODAY, at
from civicgrid.people.models import ResidentTag
from civicgrid.people.tests.factories import ident, make_household, make_resident
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "fieldwork:visit_list": Pin("/gridops/visits/", "community", 5),
    "fieldwork:key_person_list": Pin("/gridops/key-persons/", "community", 13),
    "fieldwork:activity_list": Pin("/gridops/activities/", "community", 7),
    "/api/v1/gridops/visits": Pin("/api/v1/gridops/visits", "community", 5),
    "/api/v1/gridops/visits/tagged-households": Pin("/api/v1/gridops/visits/tagged-households", "community", 6),
    "/api/v1/gridops/key-persons": Pin("/api/v1/gridops/key-persons", "community", 9),
    "/api/v1/gridops/key-persons/unassigned": Pin("/api/v1/gridops/key-persons/unassigned", "community", 10),
    "/api/v1/gridops/activities": Pin("/api/v1/gridops/activities", "community", 5),
}

# more grids (each screened, each with a household never visited) and more cases referred to the police
# and joint work: the coverage and screening reports and the police liaison's joint-work lists
JOINT_PINS = {
    "fieldwork:coverage": Pin("/gridops/visits/coverage/", "community", 9),
    "fieldwork:screening_report": Pin("/gridops/screening/", "community", 5),
    "/api/v1/gridops/screening/rounds": Pin("/api/v1/gridops/screening/rounds", "community", 5),
    "fieldwork:joint_home": Pin("/gridops/joint/", "police", 12),
    "/api/v1/gridops/joint/referrals": Pin("/api/v1/gridops/joint/referrals", "police", 5),
    "/api/v1/gridops/joint/records": Pin("/api/v1/gridops/joint/records", "police", 7),
    "/api/v1/gridops/joint/cases": Pin("/api/v1/gridops/joint/cases", "police", 5),
}

PINS = LIST_PINS | JOINT_PINS


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

    check_query_pins(LIST_PINS, users, grow)


def test_coverage_screening_and_joint_lists_do_not_grow_with_rows(world):
    users = {"community": world.community_a, "police": world.police_a}
    counter = itertools.count(10)
    community = world.tree.community_a

    def grow(n):
        for _ in range(n):
            i = next(counter)
            grid = Region.objects.create(code=f"{community.code}{i:03d}", name=f"网格{i}", level=RegionLevel.GRID,
                                         parent=community, kind=RegionKind.COMPREHENSIVE)
            household = make_household(grid, f"HG-{i}", address=f"和平里{i}号楼")
            ResidentTag.objects.create(resident=make_resident(household, f"老人{i}", ident(2 * i + 1, date(1945, 1, 1))),
                                       tag=world.elderly, valid_from=date(2025, 5, 1))
            actions.record_screening(actor=make_user(f"pins_gw{i}", "grid_worker", grid), grid=grid, no_new_disputes=True, notes=f"走访{i}户")
            case = submit_case(actor=world.grid_a, data=IntakeInput(
                description=f"楼下有人聚众赌博{i}", channel="grid", category_code="5001",
                region_code=world.tree.micro_a.code)).case
            actions.refer_case_to_police(actor=world.grid_a, case=case, reason=f"需公安处置{i}")
            actions.record_joint_work(
                actor=world.police_a, kind="patrol", region=world.tree.grid_a, summary=f"夜间联合巡逻{i}",
                police_participants=[world.police_a], grid_participants=[world.grid_a, world.micro_a],
                started_at=at(TODAY, 9), ended_at=at(TODAY, 11), place="幸福里小区")

    check_query_pins(JOINT_PINS, users, grow)
