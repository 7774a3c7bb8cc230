"""A small zone for the enterprise tests: two parks with their office departments, a zone department,
officers of park A, park B and the whole zone, enterprise contacts of enterprise A and B, a resident, a
leader and the system admin; enterprises A (park A) and B (park B)."""

from __future__ import annotations

from datetime import date

import pytest

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.enterprises import actions, uscc
from civicgrid.enterprises.choices import ParkTheme
from civicgrid.testing import make_user, square


def make_uscc(seq: int, region: str = "211004") -> str:
    """A valid unified social credit code (enterprise, Liaoyang) numbered `seq`."""
    body8 = f"{seq:08d}"
    first17 = f"91{region}{body8}{uscc.org_code_check_digit(body8)}"
    return first17 + uscc.check_character(first17)


def enterprise_input(seq: int, park: str = "PA", **extra) -> actions.EnterpriseInput:
    data = {"uscc": make_uscc(seq), "name": f"测试企业{seq}有限公司", "park": park, "industry_code": "C2614",
            "legal_rep": "张三", "registered_on": date(2015, 6, 18), "registered_capital": "50000000",
            "hightech_field": "new_materials", **extra}
    return actions.EnterpriseInput(**data)


class World:
    pass


@pytest.fixture
def zworld(tree):
    return build_world(tree)


def build_world(tree) -> World:
    w = World()
    w.tree = tree
    w.admin = make_user("sysadmin", "system_admin", tree.district)
    w.zone_dept = Department.objects.create(code="GXJFJ", name="高新区经济发展局", kind=DepartmentKind.ZONE)
    w.zone = actions.create_zone(actor=w.admin, code="GX", name="高新技术产业开发区", region=tree.street_a,
                                 established_on=date(1992, 11, 1), department_codes=["GXJFJ"])
    office_a = Department.objects.create(code="PA-OFFICE", name="园区A服务站", kind=DepartmentKind.ZONE)
    office_b = Department.objects.create(code="PB-OFFICE", name="园区B服务站", kind=DepartmentKind.ZONE)
    w.park_a = actions.create_park(actor=w.admin, zone=w.zone, code="PA", name="精细化工园", theme=ParkTheme.FINE_CHEMICALS,
                                   boundary=square(123.1, 41.1, 0.02), office=office_a)
    w.park_b = actions.create_park(actor=w.admin, zone=w.zone, code="PB", name="数字经济园", theme=ParkTheme.DIGITAL,
                                   boundary=square(123.15, 41.1, 0.02), office=office_b)
    w.officer_a = make_user("officer_a", "enterprise_officer", department=office_a)
    w.officer_b = make_user("officer_b", "enterprise_officer", department=office_b)
    w.officer_zone = make_user("officer_zone", "enterprise_officer", department=w.zone_dept)
    w.leader = make_user("leader", "leader", tree.district)
    w.resident = make_user("resident", "resident")
    w.contact_a = make_user("contact_a", "enterprise_contact")
    w.contact_b = make_user("contact_b", "enterprise_contact")
    w.ent_a = actions.register_enterprise(actor=w.officer_a, data=enterprise_input(1, "PA"))
    w.ent_b = actions.register_enterprise(actor=w.officer_b, data=enterprise_input(2, "PB"))
    actions.add_contact(actor=w.officer_a, enterprise_id=w.ent_a.pk, user=w.contact_a, title="总经理")
    actions.add_contact(actor=w.officer_b, enterprise_id=w.ent_b.pk, user=w.contact_b)
    return w
