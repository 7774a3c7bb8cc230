"""Demo accounts: one active worker per micro-grid and per grid, and a named login per role."""

from __future__ import annotations

import pytest
from django.db.models import Count

from civicgrid.accounts.actions import password_step
from civicgrid.accounts.models import Department, RoleAssignment, User
from civicgrid.accounts.roles import ROLE_SPECS, SEPARATED_ADMIN_ROLES, Role
from civicgrid.demo import catalogue, logins
from civicgrid.demo.tests.conftest import PASSWORD
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region


def _one_worker_per_region(role, level, expected):
    active = User.objects.with_role(role).filter(is_active=True)
    assert active.count() == expected
    per_region = (RoleAssignment.objects.filter(role=role, is_active=True, user__is_active=True)
                  .values("region").annotate(n=Count("id")))
    assert len(per_region) == expected
    assert {row["n"] for row in per_region} == {1}
    assert set(Region.objects.filter(pk__in=[r["region"] for r in per_region]).values_list("level", flat=True)) == {level}


def test_one_active_micro_grid_worker_per_micro_grid(demo, db):
    _one_worker_per_region(Role.MICRO_GRID_WORKER, RegionLevel.MICRO_GRID, 5684)


def test_one_active_grid_worker_per_grid(demo, db):
    _one_worker_per_region(Role.GRID_WORKER, RegionLevel.GRID, 279)


def test_worker_accounts_wait_for_a_password_reset(demo, db):
    worker = User.objects.get(username="mg211004001001001002")
    assert worker.is_active and not worker.has_usable_password()
    assert worker.display_name and worker.phone.startswith("1") and len(worker.phone) == 11
    assert User.objects.filter(username="mg211004001001001001").count() == 0  # that one is `microworker`


@pytest.mark.parametrize("spec", catalogue.LOGINS, ids=lambda s: s.username)
def test_every_named_login_signs_in_with_its_role(demo, db, spec):
    user, _ = password_step(username=spec.username, password=PASSWORD)  # administrators then give a TOTP code
    assert user.role_codes() == {spec.role}
    assignment = user.active_assignments()[0]
    level = ROLE_SPECS[spec.role].region_level
    if level:
        assert assignment.region.level == level
        assert Region.objects.filter(level=level).order_by("code").first() == assignment.region
    if spec.department:
        assert assignment.department.code == spec.department


def test_named_logins_cover_every_role(demo, db):
    # an Open311 client's account comes with its key (open311.actions.issue_key), never as a person's login
    assert {s.role for s in catalogue.LOGINS} == {r.value for r in Role} - {Role.API_CLIENT}
    admins = [s.username for s in catalogue.LOGINS if s.role in SEPARATED_ADMIN_ROLES]
    assert len(set(admins)) == 3  # 三权分立: three different people


def test_departments(demo, db):
    handler = Department.objects.get(code=catalogue.HANDLER_DEPARTMENT)
    assert handler.short_name == "城管局"
    assert Department.objects.get(code=catalogue.ZONE_DEPARTMENT).kind == "zone"
    assert Department.objects.count() == len(catalogue.DEPARTMENTS)


def test_login_table_lists_every_role(demo, db):
    rows = logins.login_rows()
    assert [r[0] for r in rows] == [s.username for s in catalogue.LOGINS]
    assert ("handler", rows[9][1], "部门承办人", "城市管理综合行政执法局") == rows[9]


def test_login_table_adds_the_logins_of_later_stages(demo, db):
    department = Department.objects.get(code=catalogue.ZONE_DEPARTMENT)
    user = User.objects.create_user(username="touzi", password=PASSWORD, display_name="投资促进部专员")
    RoleAssignment.objects.create(user=user, role=Role.ENTERPRISE_OFFICER, department=department)
    User.objects.create_user(username="kechuang", password=PASSWORD)  # no role yet: not listed
    rows = logins.login_rows()
    assert [r[0] for r in rows] == [s.username for s in catalogue.LOGINS] + ["touzi"]
    assert rows[-1] == ("touzi", "投资促进部专员", "企业服务专员", department.name)


def test_users_api_counts_micro_grid_workers(demo, db, client):
    client.force_login(User.objects.get(username="dispatcher"))
    response = client.get("/api/v1/accounts/users", {"role": "micro_grid_worker", "is_active": "true"})
    assert response.status_code == 200
    assert response.json()["count"] == 5684


def test_geo_api_counts_grids(demo, db, client):
    client.force_login(User.objects.get(username="dispatcher"))
    response = client.get("/api/v1/geo/regions", {"level": "grid"})
    assert response.status_code == 200
    assert response.json()["count"] == 279
