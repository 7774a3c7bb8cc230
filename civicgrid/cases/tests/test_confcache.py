"""Intake reads categories, regions, routing rules, workers and workflow rows from the per-process
configuration snapshot (civicgrid.core.confcache): every change must reach the next intake."""

import pytest
from django.db import connection, transaction

from civicgrid.accounts import actions as account_actions
from civicgrid.accounts.models import User
from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category, Notification
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import confcache, errors
from civicgrid.core.models import ConfigVersion
from civicgrid.testing import make_user


def submit(world, **data):
    data = {"description": "小区停水了", "channel": "resident", "category_code": "3001", **POINT_A, **data}
    return actions.submit_case(actor=world.resident, data=IntakeInput(**data)).case


def told(user, case) -> bool:
    return Notification.objects.filter(user=user, case=case, kind="new_case").exists()


def test_unchanged_configuration_reuses_the_snapshot(world):
    first = confcache.current()
    assert confcache.current() is first


def test_a_login_does_not_change_the_configuration(world):
    before = confcache.current().token
    world.resident.save(update_fields=["last_login"])
    assert confcache.current().token == before


def test_a_new_worker_hears_of_the_next_case(world):
    admin = make_user("sec", "security_admin", world.tree.district)
    newcomer = make_user("gw_new")
    submit(world)  # fills the snapshot's worker map
    account_actions.assign_role(actor=admin, user=newcomer, role="grid_worker", region=world.tree.grid_a)
    case = submit(world)
    assert told(newcomer, case)
    assert "gw_new" in case.routing["workers"]["grid_worker"]


def test_a_deactivated_worker_is_no_longer_told(world):
    admin = make_user("sys", "system_admin", world.tree.district)
    assert told(world.grid_a, submit(world))
    account_actions.set_user_active(actor=admin, user=world.grid_a, is_active=False)
    assert not told(world.grid_a, submit(world))


def test_a_deactivated_category_is_refused_at_once(world):
    submit(world)
    category = Category.objects.get(code="3001")
    category.is_active = False
    category.save()
    with pytest.raises(errors.ValidationFailed) as exc:
        submit(world)
    assert exc.value.code == "category_unknown"


def test_a_rolled_back_change_leaves_the_old_configuration(world):
    before = confcache.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Category.objects.filter(code="3001").update(name="改名")
        confcache.bump()
        inside = confcache.current()
        assert inside is not before
        raise RuntimeError("roll back")
    after = confcache.current()
    assert after.token == before.token
    assert after is not inside


def test_a_change_made_by_another_process_is_seen(world):
    snapshot = confcache.current()
    with connection.cursor() as cursor:  # what another process's commit looks like from here
        cursor.execute(f"UPDATE {ConfigVersion._meta.db_table} SET token = 'elsewhere' WHERE id = 1")
    assert confcache.current() is not snapshot
    assert confcache.current().token == "elsewhere"


@pytest.mark.parametrize("change", ["username", "is_active"])
def test_user_fields_that_routing_shows_change_the_configuration(world, change):
    before = confcache.current().token
    user = User.objects.get(pk=world.grid_a.pk)
    setattr(user, change, "gw_renamed" if change == "username" else False)
    user.save(update_fields=[change])
    assert confcache.current().token != before


def test_one_request_reads_the_token_once_and_sees_its_own_change(world):
    from django.test.utils import CaptureQueriesContext

    from civicgrid.core import context

    bound = context.bind(context.RequestInfo(request_id="r1"))
    try:
        with CaptureQueriesContext(connection) as queries:
            first = confcache.current()
            assert confcache.current() is first
        assert len(queries) == 1
        confcache.bump()
        assert confcache.current() is not first
    finally:
        context.reset(bound)


def test_a_new_role_takes_effect_at_once(world):
    """Role assignments come from the snapshot; a new one renews it."""
    admin = make_user("sec", "security_admin", world.tree.district)
    assert not world.resident.has_role("grid_worker")
    account_actions.assign_role(actor=admin, user=world.resident, role="grid_worker", region=world.tree.grid_a)
    assert User.objects.get(pk=world.resident.pk).has_role("grid_worker")
