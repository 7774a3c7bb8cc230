"""Query-count pins on the case lists: more cases, events, messages and rules must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.accounts.models import Department
from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.cases.tests.conftest import POINT_A, POINT_B
from civicgrid.demo import evidence as demo_evidence
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

# even rounds are citizen requests (a dispatcher dispatches them) at point A, so the first two are likely
# duplicates of each other from the smaller fixture on
CATEGORIES = ("3001", "0102", "3001", "0601", "3005", "0102")

PINS = {
    "cases:list": Pin("/cases/?tab=all", "dispatcher", 11),
    "cases:mine": Pin("/cases/mine/", "resident", 8),
    "cases:board": Pin("/cases/board/", "dispatcher", 14),
    "cases:inbox": Pin("/cases/inbox/", "handler", 6),
    "cases:detail": Pin("/cases/{first}/", "dispatcher", 14),
    "cases:admin_routing": Pin("/cases/admin/routing/", "admin", 7),
    "cases:admin_categories": Pin("/cases/admin/categories/", "admin", 4),
    "/api/v1/cases": Pin("/api/v1/cases", "dispatcher", 5),
    "/api/v1/cases/categories": Pin("/api/v1/cases/categories", "dispatcher", 3),
    "/api/v1/cases/{case_id}/events": Pin("/api/v1/cases/{first}/events", "dispatcher", 5),
    "/api/v1/cases/{case_id}/duplicates": Pin("/api/v1/cases/{first}/duplicates", "dispatcher", 6),
}


def step(actor, case_id, action, **facts):
    demo_evidence.take(actor, case_id, action, facts)


def test_case_lists_do_not_grow_with_rows(world):
    admin = make_user("pins_admin", "system_admin", world.tree.district)
    counter = itertools.count()
    first = {}

    def grow(n):
        for _ in range(n):
            i = next(counter)
            point, reporter = (POINT_A, world.resident) if i % 2 == 0 else (POINT_B, world.resident_b)
            data = IntakeInput(description=f"问题{i}", channel="resident", category_code=CATEGORIES[i % 6], **point)
            case = actions.submit_case(actor=reporter if i % 3 else world.resident, data=data).case
            if i % 2 == 0:  # dispatched: a department, more events, a message to the handler
                step(world.dispatcher, case.pk, "dispatch", department="CGJ")
            if not first:
                first["id"] = case.pk
            else:  # the first case goes round: sent back and dispatched again, two events a turn
                step(world.handler, first["id"], "return", reason=f"非本部门职责{i}")
                step(world.dispatcher, first["id"], "dispatch", department="CGJ")
            parent = Category.objects.get(code="30")
            category = Category.objects.create(code=f"30X{i:02d}", name=f"新类{i}", parent=parent,
                                               case_type=parent.case_type)
            department = Department.objects.create(code=f"PIN{i}", name=f"部门{i}")
            RoutingRule.objects.create(category=category, department=department,
                                       region=world.tree.grid_a if i % 2 else world.tree.grid_b)
        for name, pin in PINS.items():
            pins[name] = Pin(pin.url.format(first=first["id"]), pin.user, pin.queries, pin.growth)

    pins = dict(PINS)
    users = {"dispatcher": world.dispatcher, "resident": world.resident, "handler": world.handler, "admin": admin}
    check_query_pins(pins, users, grow)
