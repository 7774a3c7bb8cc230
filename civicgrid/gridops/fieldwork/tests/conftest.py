from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Department, DepartmentKind, User
from civicgrid.cases.actions import sync_categories
from civicgrid.core import clock
from civicgrid.people.models import Household, Resident, ResidentTag, Tag
from civicgrid.people.tests.factories import ident, make_household, make_resident
from civicgrid.testing import Tree, make_user

TODAY = date(2025, 6, 20)  # a Friday in the second half of June


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


NOW = at(TODAY, 16)


@dataclass
class World:
    """Side A and side B of the shared tree, with households, a care tag, key persons and one user per role."""

    tree: Tree
    police_dept: Department
    elderly: Tag
    correction: Tag
    mental: Tag
    ha1: Household  # micro A: an elderly resident living alone
    ha2: Household  # micro A: a key person
    ha3: Household  # micro A: nobody tagged
    hb1: Household  # micro B: a key person
    elder_a: Resident
    kp_a: Resident
    kp_b: Resident
    grid_a: User
    grid_b: User
    micro_a: User
    micro_b: User
    community_a: User
    police_a: User
    police_b: User
    volunteer: User
    leader: User


@pytest.fixture
def now():
    with clock.at(NOW):
        yield NOW


@pytest.fixture
def world(tree, now) -> World:
    police = Department.objects.create(code="GAFJ", name="公安分局", kind=DepartmentKind.POLICE, region=tree.district)
    for code, name in (("SFJ", "司法局"), ("ZJJ", "住建局"), ("RSJ", "人社局")):
        Department.objects.create(code=code, name=name)
    team = Department.objects.create(code="TEAM1", name="志愿服务队", kind=DepartmentKind.TEAM)
    sync_categories()
    elderly = Tag.objects.create(code="elderly_alone", name="独居老人", contact_every_days=7)
    correction = Tag.objects.create(code="community_correction", name="社区矫正对象", is_sensitive=True,
                                    contact_every_days=7)
    mental = Tag.objects.create(code="severe_mental_disorder", name="严重精神障碍患者", is_sensitive=True,
                                contact_every_days=14)
    ha1 = make_household(tree.micro_a, "HA-1", address="幸福里1号楼")
    ha2 = make_household(tree.micro_a, "HA-2", address="幸福里2号楼")
    ha3 = make_household(tree.micro_a, "HA-3", address="幸福里3号楼")
    hb1 = make_household(tree.micro_b, "HB-1", address="光明里1号楼")
    elder_a = make_resident(ha1, "赵大爷", ident(1, date(1940, 3, 1)), "13800000001")
    kp_a = make_resident(ha2, "钱小二", ident(3, date(1990, 7, 9)), "13800000002")
    kp_b = make_resident(hb1, "孙小三", ident(5, date(1988, 1, 2)), "13800000003")
    ResidentTag.objects.create(resident=elder_a, tag=elderly, valid_from=date(2025, 5, 1))
    ResidentTag.objects.create(resident=kp_a, tag=correction, level="普管")
    ResidentTag.objects.create(resident=kp_b, tag=correction, level="严管")
    return World(
        tree=tree, police_dept=police, elderly=elderly, correction=correction, mental=mental,
        ha1=ha1, ha2=ha2, ha3=ha3, hb1=hb1, elder_a=elder_a, kp_a=kp_a, kp_b=kp_b,
        grid_a=make_user("gw_a", "grid_worker", tree.grid_a), grid_b=make_user("gw_b", "grid_worker", tree.grid_b),
        micro_a=make_user("mg_a", "micro_grid_worker", tree.micro_a),
        micro_b=make_user("mg_b", "micro_grid_worker", tree.micro_b),
        community_a=make_user("ca_a", "community_admin", tree.community_a),
        police_a=make_user("pol_a", "police_liaison", tree.community_a),
        police_b=make_user("pol_b", "police_liaison", tree.community_b),
        volunteer=make_user("vol", "volunteer", department=team),
        leader=make_user("boss", "leader", tree.district),
    )


@pytest.fixture
def key_persons(world):
    """Both key persons assigned: A to the grid-A worker with the community-A police liaison, likewise B."""
    from civicgrid.gridops.fieldwork.models import KeyPersonAssignment

    a = KeyPersonAssignment.objects.create(resident=world.kp_a, tag=world.correction, responsible_worker=world.grid_a,
                                           police_liaison=world.police_a, started_on=date(2025, 6, 1))
    b = KeyPersonAssignment.objects.create(resident=world.kp_b, tag=world.correction, responsible_worker=world.grid_b,
                                           police_liaison=world.police_b, started_on=date(2025, 6, 1))
    return a, b
