"""Writes about buildings, households, residents and tags, at the action level."""

from __future__ import annotations

from datetime import date

import pytest

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent, IdempotencyKey
from civicgrid.people import actions, queries
from civicgrid.people.models import Household, Resident, ResidentTag, id_number_hash, phone_hash
from civicgrid.people.tests.conftest import ID_A
from civicgrid.people.tests.factories import ident, wrong_check_digit
from civicgrid.testing import make_user


@pytest.fixture
def worker(world):
    return make_user("gw_a", "grid_worker", world.tree.grid_a)


def test_create_household_in_a_micro_grid_of_the_actors_scope(world, worker):
    household = actions.create_household(actor=worker, region=world.tree.micro_a, number="HA-0002",
                                         building=world.building_a, room="2单元301", address="幸福里3号楼")

    assert household.region == world.tree.micro_a
    assert household.building == world.building_a
    assert AuditEvent.objects.filter(action="people.create_household", object_id=str(household.pk)).count() == 1


def test_create_household_refuses_a_region_that_is_not_a_micro_grid(world, worker):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.create_household(actor=worker, region=world.tree.grid_a, number="HA-0002")

    assert caught.value.code == "region_not_micro_grid"
    assert Household.objects.count() == 2


def test_create_household_refuses_a_building_of_another_micro_grid(world, worker):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.create_household(actor=worker, region=world.tree.micro_a, number="HA-0002", building=world.building_b)

    assert caught.value.code == "building_region_mismatch"
    assert Household.objects.count() == 2


def test_create_household_outside_the_actors_scope_is_not_found_and_writes_nothing(world, worker):
    with pytest.raises(errors.NotFound):
        actions.create_household(actor=worker, region=world.tree.micro_b, number="HB-0002")

    assert Household.objects.count() == 2
    assert not AuditEvent.objects.filter(action="people.create_household").exists()
    assert AuditEvent.objects.get(action="people.change_household").result == "denied"


def test_create_resident_derives_gender_and_birth_date_and_fills_the_hashes(world, worker):
    number = ident(4, birth=date(1990, 2, 3))

    resident = actions.create_resident(actor=worker, household=world.household_a, name=" 王芳 ", id_number=number,
                                       phone="138 0000 1111", relation="spouse")

    resident.refresh_from_db()
    assert (resident.name, resident.gender, resident.birth_date) == ("王芳", "F", date(1990, 2, 3))
    assert resident.region == world.tree.micro_a
    assert resident.id_number == number
    assert resident.id_number_hash == id_number_hash(number)
    assert resident.phone == "13800001111"
    assert resident.phone_hash == phone_hash("13800001111")
    event = AuditEvent.objects.get(action="people.create_resident")
    assert (event.object_id, event.fields, event.result) == (str(resident.pk), "id_number,phone", "ok")


def test_create_resident_with_a_wrong_check_digit_is_refused(world, worker):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.create_resident(actor=worker, household=world.household_a, name="王芳",
                                id_number=wrong_check_digit(ident(4)))

    assert caught.value.code == "id_number_checksum"
    assert Resident.objects.count() == 2


def test_create_resident_with_a_stated_gender_that_contradicts_the_number_is_refused(world, worker):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.create_resident(actor=worker, household=world.household_a, name="王芳", id_number=ident(4), gender="M")

    assert caught.value.code == "gender_mismatch"


def test_create_resident_with_a_bad_phone_is_refused(world, worker):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.create_resident(actor=worker, household=world.household_a, name="王芳", id_number=ident(4),
                                phone="12345")

    assert caught.value.code == "phone_format"
    assert Resident.objects.count() == 2


def test_a_registered_id_number_is_a_conflict_even_in_another_scope(world, worker):
    with pytest.raises(errors.Conflict) as caught:
        actions.create_resident(actor=worker, household=world.household_a, name="冒名", id_number=world.resident_b.id_number)

    assert caught.value.code == "id_number_exists"
    assert Resident.objects.count() == 2


def test_the_same_idempotency_key_twice_creates_one_resident(world, worker):
    first = actions.create_resident(actor=worker, household=world.household_a, name="王芳", id_number=ident(4),
                                    idempotency_key="phone-retry-1")
    second = actions.create_resident(actor=worker, household=world.household_a, name="王芳", id_number=ident(4),
                                     idempotency_key="phone-retry-1")

    assert first.pk == second.pk
    assert Resident.objects.filter(id_number_hash=id_number_hash(ident(4))).count() == 1
    assert AuditEvent.objects.filter(action="people.create_resident").count() == 1
    assert IdempotencyKey.objects.filter(key="phone-retry-1").count() == 1


def test_update_resident_rehashes_a_changed_id_number_and_phone(world, worker):
    number = ident(7, birth=date(1975, 1, 1))

    actions.update_resident(actor=worker, resident=world.resident_a, id_number=number, phone="024-12345678")

    resident = Resident.objects.get(pk=world.resident_a.pk)
    assert (resident.id_number, resident.birth_date, resident.gender) == (number, date(1975, 1, 1), "M")
    assert resident.id_number_hash == id_number_hash(number)
    assert resident.phone_hash == phone_hash("024-12345678")
    assert AuditEvent.objects.get(action="people.update_resident").fields == "id_number,phone"


def test_move_resident_takes_the_new_households_micro_grid(world):
    admin = make_user("leader_of_both", "community_admin", world.tree.community_a)
    RoleAssignment.objects.create(user=admin, role="community_admin", region=world.tree.community_b)
    actions.move_resident(actor=admin, resident=world.resident_a, household=world.household_b, relation="other")

    resident = Resident.objects.get(pk=world.resident_a.pk)
    assert (resident.household, resident.region, resident.relation) == (world.household_b, world.tree.micro_b, "other")


def test_move_resident_into_a_household_outside_the_scope_changes_nothing(world, worker):
    with pytest.raises(errors.NotFound):
        actions.move_resident(actor=worker, resident=world.resident_a, household=world.household_b)

    assert Resident.objects.get(pk=world.resident_a.pk).household == world.household_a
    assert not AuditEvent.objects.filter(action="people.move_resident").exists()


def test_deactivate_household_deactivates_its_members(world, worker):
    actions.deactivate_household(actor=worker, household=world.household_a, reason="整户迁出")

    assert Household.objects.get(pk=world.household_a.pk).is_active is False
    assert Resident.objects.get(pk=world.resident_a.pk).is_active is False
    assert queries.residents_visible(worker).count() == 0
    assert queries.residents_visible(worker, active=None).count() == 1


def test_an_ordinary_tag_can_be_added_and_removed(world, worker):
    actions.add_tag(actor=worker, resident=world.resident_a, tag=world.elderly)
    assert ResidentTag.objects.filter(resident=world.resident_a, tag=world.elderly).count() == 1

    assert actions.remove_tag(actor=worker, resident=world.resident_a, tag=world.elderly) is True
    assert ResidentTag.objects.count() == 0


@pytest.fixture
def micro_worker(world):
    """May change residents, may not see sensitive tags."""
    return make_user("mg_a", "micro_grid_worker", world.tree.micro_a)


def test_a_sensitive_tag_needs_the_sensitive_tag_permission(world, micro_worker):
    with pytest.raises(errors.Forbidden):
        actions.add_tag(actor=micro_worker, resident=world.resident_a, tag=world.correction, level="严管")

    assert ResidentTag.objects.count() == 0
    RoleAssignment.objects.create(user=micro_worker, role="police_liaison", region=world.tree.community_a)
    micro_worker.forget_grants()

    actions.add_tag(actor=micro_worker, resident=world.resident_a, tag=world.correction, level="严管")
    assert ResidentTag.objects.get().level == "严管"


def test_sensitive_tags_are_left_out_for_viewers_without_the_permission(world, micro_worker):
    ResidentTag.objects.create(resident=world.resident_a, tag=world.elderly)
    ResidentTag.objects.create(resident=world.resident_a, tag=world.correction, level="普管")
    police = make_user("police_a", "police_liaison", world.tree.community_a)
    resident = queries.with_tags(Resident.objects.filter(pk=world.resident_a.pk)).get()

    assert [t["code"] for t in queries.present_resident(resident, micro_worker)["tags"]] == ["elderly_alone"]
    assert [t["code"] for t in queries.present_resident(resident, police)["tags"]] == [
        "community_correction", "elderly_alone"]
    assert list(queries.residents_visible(micro_worker, tag="community_correction")) == []
    assert list(queries.residents_visible(police, tag="community_correction")) == [world.resident_a]


def test_reveal_returns_the_full_values_and_writes_an_audit_record(world, worker):
    values = actions.reveal_personal(actor=worker, resident=world.resident_a, reason="入户走访核实")

    assert values == {"id_number": ID_A, "phone": "13812341234"}
    event = AuditEvent.objects.get(action="people.reveal_personal")
    assert (event.actor, event.object_type, event.object_id) == (worker, "people.resident", str(world.resident_a.pk))
    assert (event.fields, event.reason, event.result) == ("id_number,phone", "入户走访核实", "ok")


def test_reveal_needs_a_reason(world, worker):
    with pytest.raises(errors.ValidationFailed) as caught:
        actions.reveal_personal(actor=worker, resident=world.resident_a, reason="  ")

    assert caught.value.code == "reveal_reason_required"
    assert not AuditEvent.objects.filter(action="people.reveal_personal").exists()


def test_reveal_needs_the_unmask_permission(world):
    micro_worker = make_user("mgw_a", "micro_grid_worker", world.tree.micro_a)

    with pytest.raises(errors.Forbidden):
        actions.reveal_personal(actor=micro_worker, resident=world.resident_a, reason="入户走访核实")

    assert not AuditEvent.objects.filter(action="people.reveal_personal").exists()
    denial = AuditEvent.objects.get(action="people.unmask_personal")
    assert (denial.result, denial.object_id) == ("denied", str(world.resident_a.pk))
