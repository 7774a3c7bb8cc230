"""people.sql's bulk load writes rows that read back through the ORM exactly as the ORM's own writes."""

from datetime import date

import pytest

from civicgrid.people import sql
from civicgrid.people.models import Building, Household, Resident, ResidentTag, id_number_hash, phone_hash
from civicgrid.people.tests.factories import ident, make_tags

pytestmark = pytest.mark.django_db


def _buildings(tree, n: int) -> list[tuple]:
    return [(tree.micro_a.pk, f"{tree.micro_a.code}{i:03d}", f"{i}号楼", "", 6, 2, 123.2, 41.2) for i in range(n)]


def test_load_rows_returns_ids_in_row_order_across_statements(tree):
    rows = _buildings(tree, 130)  # more rows than one statement takes on SQLite
    ids = sql.load_rows(Building, sql.BUILDING, rows)
    assert ids == sorted(ids) and len(set(ids)) == 130
    stored = dict(Building.objects.values_list("pk", "code"))
    assert [stored[pk] for pk in ids] == [row[1] for row in rows]
    assert sql.load_rows(Building, sql.BUILDING, []) == []


def test_residents_read_back_as_the_orm_writes_them(tree):
    [building] = sql.load_rows(Building, sql.BUILDING, _buildings(tree, 1))
    [household] = sql.load_rows(Household, sql.HOUSEHOLD, [(tree.micro_a.pk, building, "H-1", "101", "某路1号101",
                                                             "registered")])
    phone, number = "13812341234", ident(1)
    [ours] = sql.load_rows(Resident, sql.RESIDENT, [(
        tree.micro_a.pk, household, "head", "甲", "M", date(1980, 5, 17), "汉族", number, id_number_hash(number),
        phone, phone_hash(phone), "registered")])
    orm = Resident.objects.create(region=tree.micro_a, household_id=household, relation="head", name="甲", gender="M",
                                  birth_date=date(1980, 5, 17), ethnicity="汉族", id_number=ident(3),
                                  id_number_hash=id_number_hash(ident(3)), phone=phone, phone_hash=phone_hash(phone))
    elderly, _ = make_tags()
    [tag] = sql.load_rows(ResidentTag, sql.RESIDENT_TAG, [(ours, elderly.pk, "", date(2024, 1, 1))])
    a, b = Resident.objects.get(pk=ours), Resident.objects.get(pk=orm.pk)
    for field in Resident._meta.concrete_fields:
        if field.name not in ("id", "id_number", "id_number_hash", "created_at", "updated_at"):
            assert getattr(a, field.attname) == getattr(b, field.attname), field.name
    assert a.id_number == number and b.id_number == ident(3) and a.phone == phone  # encrypted on the way in, decrypted on the way out
    assert a.is_active and a.created_at is not None and a.updated_at is not None  # the fields left out: their defaults
    assert Resident.objects.filter(id_number_hash=id_number_hash(number), pk=ours).exists()
    stored = ResidentTag.objects.get(pk=tag)
    assert (stored.resident_id, stored.valid_from, stored.level) == (ours, date(2024, 1, 1), "")
    assert Household.objects.get(pk=household).building_id == building


def test_load_rows_refuses_unknown_and_stamped_fields(tree):
    with pytest.raises(ValueError, match="nickname"):
        sql.load_rows(Building, ("region_id", "nickname"), [(tree.micro_a.pk, "x")])
    with pytest.raises(ValueError, match="updated_at"):  # auto_now: the load's own moment, never a given value
        sql.load_rows(Household, ("region_id", "number", "updated_at"), [(tree.micro_a.pk, "H-2", None)])
    assert not Building.objects.exists() and not Household.objects.exists()
