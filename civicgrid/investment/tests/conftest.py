"""A small zone for the investment tests: the enterprise tests' world (parks A and B with their offices,
a zone department, officers of park A, park B and the whole zone, contacts of enterprises A and B, a
leader, a resident) plus the 投资促进部 and 规划建设部 with an officer each, and a project of each
enterprise: project A reviewed by the 投资促进部, project B by the 规划建设部."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.core import clock
from civicgrid.enterprises import actions as eactions
from civicgrid.enterprises.tests.conftest import build_world
from civicgrid.investment import actions
from civicgrid.testing import make_user


def code(seq: int, year: int = 2026) -> str:
    return f"{year}-211004-26-03-{seq:05d}7"


def project_input(enterprise, seq: int, **extra) -> actions.ProjectInput:
    data = {"code": code(seq), "name": f"测试项目{seq}", "enterprise_id": enterprise.pk,
            "total_investment": "80000000", "currency": "CNY", "signed_on": date(2026, 1, 10), **extra}
    return actions.ProjectInput(**data)


NOW = datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fixed_clock():
    """Every test acts on 15 July 2026 (a Wednesday), whatever the real date."""
    with clock.at(NOW):
        yield


@pytest.fixture
def iworld(tree):
    w = build_world(tree)
    w.tc = Department.objects.create(code="GX-TC", name="高新区投资促进部", kind=DepartmentKind.ZONE)
    w.gj = Department.objects.create(code="GX-GJ", name="高新区规划建设部", kind=DepartmentKind.ZONE)
    eactions.set_zone_departments(actor=w.admin, zone=w.zone, department_codes=["GXJFJ", "GX-TC", "GX-GJ"])
    w.officer_tc = make_user("officer_tc", "enterprise_officer", department=w.tc)
    w.officer_gj = make_user("officer_gj", "enterprise_officer", department=w.gj)
    w.project_a = actions.register_project(actor=w.officer_a, data=project_input(
        w.ent_a, 1, review_department="GX-TC"))
    w.project_b = actions.register_project(actor=w.officer_b, data=project_input(
        w.ent_b, 2, review_department="GX-GJ"))
    return w
