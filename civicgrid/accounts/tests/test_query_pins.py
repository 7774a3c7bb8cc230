"""Query-count pins on the account lists and the audit log: more accounts, departments and audit entries
must not mean more queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.accounts.models import Department
from civicgrid.cases.actions import submit_case, sync_categories
from civicgrid.cases.intake import IntakeInput
from civicgrid.core import audit
from civicgrid.testing import Pin, check_query_pins, make_user

pytestmark = pytest.mark.django_db

PINS = {
    "accounts:users": Pin("/accounts/users/", "admin", 7),
    "accounts:departments": Pin("/accounts/departments/", "admin", 5),
    "accounts:handover": Pin("/accounts/handover/", "community", 7),
    "core:audit_list": Pin("/audit/", "auditor", 8),
    "/api/v1/accounts/users": Pin("/api/v1/accounts/users", "admin", 7),
    "/api/v1/accounts/departments": Pin("/api/v1/accounts/departments", "admin", 5),
}


def test_account_lists_do_not_grow_with_rows(tree):
    sync_categories()
    users = {"admin": make_user("pins_admin", "system_admin", tree.district),
             "community": make_user("pins_community", "community_admin", tree.community_a),
             "auditor": make_user("pins_auditor", "audit_admin", tree.district)}
    resident = make_user("pins_resident", "resident")
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            micro, grid = (tree.micro_a, tree.grid_a) if i % 2 == 0 else (tree.micro_b, tree.grid_b)
            department = Department.objects.create(code=f"PIN{i}", name=f"部门{i}", region=tree.district)
            worker = make_user(f"pins_mg{i}", "micro_grid_worker", micro)
            make_user(f"pins_handler{i}", "department_handler", department=department)
            make_user(f"pins_gw{i}", "grid_worker", grid)
            # an open case in the worker's patch (the hand-over list counts them)
            submit_case(actor=resident, data=IntakeInput(description=f"问题{i}", channel="resident",
                                                         category_code="3001", lat=41.12,
                                                         lng=123.12 if i % 2 == 0 else 123.22))
            audit.record(actor=worker, action="accounts.view_user", obj=worker)

    check_query_pins(PINS, users, grow)
