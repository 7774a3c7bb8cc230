"""Hand-over: a leaving micro-grid worker's patch, the open cases in it and the key persons they look after
move to a successor chosen by the grid worker (or the system administrator), with an audit entry; a worker
with open tasks is not deactivated without one."""

from datetime import date

import pytest

from civicgrid.accounts.actions import handover
from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.cases import actions as case_actions
from civicgrid.cases.actions import sync_categories
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment
from civicgrid.people.models import ResidentTag, Tag
from civicgrid.people.tests.factories import ident, make_household, make_resident
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def patch(tree):
    """Micro-grid A's worker with two open cases in the micro-grid and one key person."""
    make_department("CGJ", "城市管理综合行政执法局")
    sync_categories()
    resident = make_user("res", "resident")
    leaver = make_user("mg_old", "micro_grid_worker", tree.micro_a)
    cases = [case_actions.submit_case(actor=resident, data=IntakeInput(
        description=f"楼道灯坏了{i}", channel="resident", category_code="3001", **POINT_A)).case for i in range(2)]
    tag = Tag.objects.create(code="community_correction", name="社区矫正对象", is_sensitive=True)
    person = make_resident(make_household(tree.micro_a, "HA-1"), "钱小二", ident(3, date(1990, 7, 9)))
    ResidentTag.objects.create(resident=person, tag=tag, level="普管")
    key = KeyPersonAssignment.objects.create(resident=person, tag=tag, responsible_worker=leaver,
                                             started_on=date(2026, 1, 5))
    return leaver, cases, key


def test_open_tasks_are_counted(patch):
    leaver, cases, key = patch
    tasks = handover.open_tasks(leaver)
    assert tasks.case_ids == [c.pk for c in cases] and tasks.key_person_ids == [key.pk]


def test_grid_worker_hands_a_micro_grid_to_a_successor(tree, patch):
    leaver, cases, key = patch
    grid_worker = make_user("gw", "grid_worker", tree.grid_a)
    successor = make_user("mg_new", "micro_grid_worker", tree.micro_a)  # e.g. the neighbouring worker
    handover.hand_over(actor=grid_worker, leaver=leaver, successor=successor, reason="调离")
    leaver.forget_grants()
    successor.forget_grants()
    assert leaver.role_codes() == set()
    assert successor.active_assignments()[0].region == tree.micro_a
    assert KeyPersonAssignment.objects.get(pk=key.pk).responsible_worker == successor
    assert handover.open_tasks(successor).case_ids == [c.pk for c in cases]  # the cases are theirs now
    entry = AuditEvent.objects.get(action="accounts.hand_over")
    assert entry.actor == grid_worker and entry.object_id == str(leaver.pk) and entry.reason == "调离"
    assert entry.details["successor"] == "mg_new" and entry.details["open_cases"] == 2
    assert entry.details["key_persons"] == 1


def test_a_grid_worker_cannot_reach_another_grid_or_hand_to_themself(tree, patch):
    leaver, _, _ = patch
    other_grid = make_user("gw_b", "grid_worker", tree.grid_b)
    own = make_user("gw", "grid_worker", tree.grid_a)
    successor = make_user("mg_new", "micro_grid_worker", tree.micro_a)
    with pytest.raises(errors.NotFound):
        handover.hand_over(actor=other_grid, leaver=leaver, successor=successor)
    with pytest.raises(errors.Conflict) as exc:
        handover.hand_over(actor=own, leaver=leaver, successor=own)
    assert exc.value.code == "self_assignment"
    assert leaver.assignments.get().is_active


def test_deactivating_with_open_tasks_needs_a_successor(tree, patch):
    leaver, cases, key = patch
    system = make_user("sys", "system_admin", tree.district)
    with pytest.raises(errors.Conflict) as exc:
        handover.deactivate(actor=system, user=leaver)
    assert exc.value.code == "open_tasks_need_successor" and exc.value.details == {"open_cases": 2, "key_persons": 1}
    assert User.objects.get(pk=leaver.pk).is_active  # nothing changed

    successor = make_user("mg_new")  # a new account without a role yet: the system admin reaches it
    handover.deactivate(actor=system, user=leaver, successor=successor, reason="退休")
    assert not User.objects.get(pk=leaver.pk).is_active
    assert RoleAssignment.objects.get(user=successor).region == tree.micro_a
    assert KeyPersonAssignment.objects.get(pk=key.pk).responsible_worker == successor
    assert list(AuditEvent.objects.filter(actor=system).order_by("id").values_list("action", flat=True)) == [
        "accounts.hand_over", "accounts.set_user_active"]


def test_a_worker_without_open_tasks_is_deactivated_directly(tree):
    system = make_user("sys", "system_admin", tree.district)
    idle = make_user("mg_idle", "micro_grid_worker", tree.micro_b)
    handover.deactivate(actor=system, user=idle)
    assert not User.objects.get(pk=idle.pk).is_active
