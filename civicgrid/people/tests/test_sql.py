"""people.sql's bulk load writes rows that read back through the ORM exactly as bulk_create's would."""

from datetime import date

import pytest

from civicgrid.people import sql
from civicgrid.people.models import Building, Household, Resident, ResidentTag, id_number_hash, phone_hash
from civicgrid.people.tests.factories import ident, make_tags

pytestmark = pytest.mark.django_db


def _rows(tree, n: int):
    buildings = [Building(region=tree.micro_a, code=f"{tree.micro_a.code}{i:03d}", name=f"{i}号楼", floors=6,
                          units=2, lng=123.2, lat=41.2) for i in range(n)]
    return buildings


def test_insert_many_sets_ids_in_order_across_statements(tree):
    buildings = sql.insert_many(_rows(tree, 130))  # more rows than one statement takes on SQLite
    assert [b.pk for b in buildings] == sorted(b.pk for b in buildings)
    assert len({b.pk for b in buildings}) == 130 and not buildings[0]._state.adding
    stored = {b.pk: b.code for b in Building.objects.all()}
    assert all(stored[b.pk] == b.code for b in buildings)


def test_residents_read_back_as_the_orm_writes_them(tree):
    building = sql.insert_many(_rows(tree, 1))[0]
    household = sql.insert_many([Household(region=tree.micro_a, building_id=building.pk, number="H-1", room="101",
                                           address="某路1号101")])[0]
    phone = "13812341234"
    ours, orms = [Resident(region=tree.micro_a, household_id=household.pk, relation="head", name="甲",
                           gender="M", birth_date=date(1980, 5, 17), ethnicity="汉族", id_number=number,
                           id_number_hash=id_number_hash(number), phone=phone, phone_hash=phone_hash(phone))
                  for number in (ident(1), ident(3))]
    number = ident(1)
    sql.insert_many([ours])
    Resident.objects.bulk_create([orms])
    elderly, _ = make_tags()
    tag = sql.insert_many([ResidentTag(resident_id=ours.pk, tag=elderly, valid_from=date(2024, 1, 1))])[0]
    a, b = Resident.objects.get(pk=ours.pk), Resident.objects.get(pk=orms.pk)
    for field in Resident._meta.concrete_fields:
        if field.name not in ("id", "id_number", "id_number_hash", "created_at", "updated_at"):
            assert getattr(a, field.attname) == getattr(b, field.attname), field.name
    assert a.id_number == number and b.id_number == ident(3) and a.phone == phone  # encrypted on the way in, decrypted on the way out
    assert Resident.objects.filter(id_number_hash=id_number_hash(number), pk=ours.pk).exists()
    assert ResidentTag.objects.get(pk=tag.pk).resident_id == ours.pk
