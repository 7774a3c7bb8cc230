import pytest

from civicgrid.accounts import actions
from civicgrid.accounts.models import RoleAssignment
from civicgrid.accounts.roles import ROLE_SPECS, Role
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.core.scoping import grant_for
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db

REQUIRED_ROLES = {
    "resident", "micro_grid_worker", "grid_worker", "community_admin", "street_admin", "dispatcher",
    "department_handler", "police_liaison", "volunteer", "station_admin", "centre_admin", "enterprise_officer",
    "enterprise_contact", "leader", "system_admin", "security_admin", "audit_admin",
}


def test_every_required_role_exists_with_a_spec():
    assert REQUIRED_ROLES <= {r.value for r in Role}
    assert set(ROLE_SPECS) == {r.value for r in Role}


def test_leader_is_read_only():
    writes = [p for p in ROLE_SPECS["leader"].perms if not p.split(".")[1].startswith("view_")]
    assert writes == []


def test_grant_is_region_prefix_of_assignments(tree):
    user = make_user("gw", "grid_worker", tree.grid_a)
    grant = grant_for(user, "people.view_resident")
    assert grant.region_codes == (tree.grid_a.code,)
    assert grant.covers_code(tree.micro_a.code) and not grant.covers_code(tree.micro_b.code)
    assert not grant_for(user, "accounts.manage_user")


def test_nested_assignments_collapse_to_the_widest(tree):
    user = make_user("x", "street_admin", tree.street_a)
    RoleAssignment.objects.create(user=user, role="community_admin", region=tree.community_a)
    user.forget_grants()
    assert grant_for(user, "people.view_resident").region_codes == (tree.street_a.code,)


def test_inactive_user_has_no_grant(tree):
    user = make_user("gw", "grid_worker", tree.grid_a)
    user.is_active = False
    assert not grant_for(user, "geo.view_region")


def test_security_admin_assigns_roles_within_scope(tree):
    security = make_user("sec", "security_admin", tree.district)
    worker = make_user("w")
    actions.assign_role(actor=security, user=worker, role="grid_worker", region=tree.grid_a)
    assert worker.role_codes() == {"grid_worker"}
    assert AuditEvent.objects.filter(action="accounts.assign_role", actor=security).count() == 1


def test_assignment_must_name_the_right_level(tree):
    security = make_user("sec", "security_admin", tree.district)
    worker = make_user("w")
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.assign_role(actor=security, user=worker, role="grid_worker", region=tree.community_a)
    assert exc.value.code == "wrong_region_level"
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.assign_role(actor=security, user=worker, role="department_handler")
    assert exc.value.code == "department_required"
    assert RoleAssignment.objects.filter(user=worker).count() == 0


def test_separated_admin_roles_are_never_combined(tree):
    security = make_user("sec", "security_admin", tree.district)
    admin = make_user("adm", "system_admin", tree.district)
    with pytest.raises(errors.Conflict) as exc:
        actions.assign_role(actor=security, user=admin, role="audit_admin", region=tree.district)
    assert exc.value.code == "admin_roles_separated"
    assert admin.role_codes() == {"system_admin"}


def test_non_security_admin_cannot_assign_roles_and_nothing_changes(tree):
    admin = make_user("adm", "system_admin", tree.district)
    worker = make_user("w")
    with pytest.raises(errors.Forbidden):
        actions.assign_role(actor=admin, user=worker, role="grid_worker", region=tree.grid_a)
    assert RoleAssignment.objects.filter(user=worker).count() == 0
    assert AuditEvent.objects.filter(action="accounts.manage_user", result="denied").count() == 1


def test_department_handler_grant_is_the_department(tree):
    department = make_department()
    handler = make_user("h", "department_handler", department=department)
    grant = grant_for(handler, "accounts.view_department")
    assert grant.department_ids == (department.pk,) and grant.region_codes == ()
