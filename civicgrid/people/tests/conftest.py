from __future__ import annotations

from dataclasses import dataclass

import pytest

from civicgrid.people.models import Building, Household, Resident, Tag
from civicgrid.people.tests.factories import ident, make_building, make_household, make_resident, make_tags
from civicgrid.testing import Tree


@dataclass
class World:
    """One building, household and resident in micro-grid A and in micro-grid B; two tags."""

    tree: Tree
    building_a: Building
    household_a: Household
    resident_a: Resident
    building_b: Building
    household_b: Household
    resident_b: Resident
    elderly: Tag
    correction: Tag


ID_A = ident(1)  # male, born 1980-05-17
PHONE_A = "13812341234"
ID_B = ident(2)


@pytest.fixture
def world(tree) -> World:
    building_a = make_building(tree.micro_a, tree.micro_a.code + "001")
    household_a = make_household(tree.micro_a, "HA-0001", building_a)
    resident_a = make_resident(household_a, "张三", ID_A, PHONE_A)
    building_b = make_building(tree.micro_b, tree.micro_b.code + "001")
    household_b = make_household(tree.micro_b, "HB-0001", building_b)
    resident_b = make_resident(household_b, "李四", ID_B, "13900001111")
    elderly, correction = make_tags()
    return World(tree, building_a, household_a, resident_a, building_b, household_b, resident_b, elderly, correction)
