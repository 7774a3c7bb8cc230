"""三员分立: the system administrator keeps accounts and departments, the security administrator grants roles
and scopes; nobody grants themself, and the three administrator roles stay on three people."""

import pytest

from civicgrid.accounts import actions
from civicgrid.accounts.models import ApiToken, Department, RoleAssignment, User
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(tree):
    class Admins:
        system = make_user("sys", "system_admin", tree.district)
        security = make_user("sec", "security_admin", tree.district)
        audit = make_user("aud", "audit_admin", tree.district)
    return Admins


def test_system_admin_creates_edits_deactivates_and_reactivates(admins):
    user = actions.create_user(actor=admins.system, username="wang.wu", password=None, display_name="王五",
                               phone="138 0000 1234")
    assert not user.has_usable_password() and user.phone == "13800001234" and user.phone_hash
    actions.update_user(actor=admins.system, user=user, display_name="王五一", phone="+8613900001111")
    user.refresh_from_db()
    assert (user.display_name, user.phone) == ("王五一", "13900001111")
    actions.issue_token(user=user)
    actions.set_user_active(actor=admins.system, user=user, is_active=False)
    assert not User.objects.get(pk=user.pk).is_active
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    actions.set_user_active(actor=admins.system, user=user, is_active=True)
    assert User.objects.get(pk=user.pk).is_active
    logged = list(AuditEvent.objects.filter(actor=admins.system).order_by("id").values_list("action", flat=True))
    assert logged == ["accounts.create_user", "accounts.update_user", "accounts.set_user_active",
                      "accounts.set_user_active"]


def test_bad_account_input_is_a_coded_422(admins):
    for kwargs, code in [({"username": " "}, "username_required"), ({"username": "有空 格"}, "username_format"),
                         ({"username": "ok", "phone": "12345"}, "phone_format")]:
        with pytest.raises(errors.ValidationFailed) as exc:
            actions.create_user(actor=admins.system, password=None, **kwargs)
        assert exc.value.code == code
    actions.create_user(actor=admins.system, username="ok", password=None)
    with pytest.raises(errors.Conflict) as exc:
        actions.create_user(actor=admins.system, username="ok", password=None)
    assert exc.value.code == "username_taken"


@pytest.mark.parametrize("who", ["audit", "security"])
def test_only_the_system_admin_deactivates(admins, who, tree):
    worker = make_user("w", "grid_worker", tree.grid_a)
    with pytest.raises((errors.Forbidden, errors.NotFound)):  # the audit admin may not even see the account
        actions.set_user_active(actor=getattr(admins, who), user=worker, is_active=False)
    assert User.objects.get(pk=worker.pk).is_active


def test_nobody_deactivates_themself(admins):
    with pytest.raises(errors.Conflict) as exc:
        actions.set_user_active(actor=admins.system, user=admins.system, is_active=False)
    assert exc.value.code == "self_deactivation"


def test_the_system_admin_cannot_grant_roles(admins, tree):
    worker = make_user("w")
    with pytest.raises(errors.Forbidden):
        actions.assign_role(actor=admins.system, user=worker, role="grid_worker", region=tree.grid_a)
    assert not RoleAssignment.objects.filter(user=worker).exists()


def test_nobody_assigns_a_role_to_themself(admins, tree):
    with pytest.raises(errors.Conflict) as exc:
        actions.assign_role(actor=admins.security, user=admins.security, role="dispatcher", region=tree.district)
    assert exc.value.code == "self_assignment"
    own = admins.security.assignments.get()
    with pytest.raises(errors.Conflict) as exc:
        actions.remove_role(actor=admins.security, assignment=own)
    assert exc.value.code == "self_assignment"
    assert admins.security.role_codes() == {"security_admin"}


@pytest.mark.parametrize("holder,role", [("system", "security_admin"), ("system", "audit_admin"),
                                         ("audit", "system_admin"), ("audit", "security_admin")])
def test_the_three_admin_roles_stay_on_three_people(admins, tree, holder, role):
    user = getattr(admins, holder)
    with pytest.raises(errors.Conflict) as exc:
        actions.assign_role(actor=admins.security, user=user, role=role, region=tree.district)
    assert exc.value.code == "admin_roles_separated" and exc.value.status == 409
    assert "三名不同人员" in exc.value.message
    assert len(user.role_codes()) == 1


def test_a_second_system_admin_is_allowed(admins, tree):
    other = make_user("sys2")
    actions.assign_role(actor=admins.security, user=other, role="system_admin", region=tree.district)
    other.forget_grants()
    assert other.role_codes() == {"system_admin"}


def test_security_admin_assigns_and_removes_a_scope(admins, tree):
    worker = make_user("w")
    department = make_department()
    a = actions.assign_role(actor=admins.security, user=worker, role="micro_grid_worker", region=tree.micro_a)
    b = actions.assign_role(actor=admins.security, user=worker, role="department_handler", department=department)
    worker.forget_grants()
    assert worker.role_codes() == {"micro_grid_worker", "department_handler"}
    actions.remove_role(actor=admins.security, assignment=a)
    worker.forget_grants()
    assert worker.role_codes() == {"department_handler"}
    assert RoleAssignment.objects.filter(pk=a.pk, is_active=False).exists()  # kept for the record
    with pytest.raises(errors.Conflict) as exc:
        actions.remove_role(actor=admins.security, assignment=a)
    assert exc.value.code == "assignment_inactive"
    removed = AuditEvent.objects.get(action="accounts.remove_role")
    assert removed.details["role"] == "micro_grid_worker" and b.pk != a.pk


def test_a_street_security_admin_grants_only_inside_the_street(tree):
    street_security = make_user("sec_a", "security_admin", tree.district)
    RoleAssignment.objects.filter(user=street_security).update(region=tree.street_a)  # a narrower reach
    street_security.forget_grants()
    worker = make_user("w")
    with pytest.raises(errors.NotFound) as exc:
        actions.assign_role(actor=street_security, user=worker, role="grid_worker", region=tree.grid_b)
    assert exc.value.code == "region_out_of_scope"


def test_system_admin_keeps_departments(admins, tree):
    data = actions.DepartmentInput(code="zjj", name="住房和城乡建设局", short_name="住建局")
    department = actions.create_department(actor=admins.system, data=data)
    assert department.code == "ZJJ"
    with pytest.raises(errors.Conflict) as exc:
        actions.create_department(actor=admins.system, data=data)
    assert exc.value.code == "department_code_taken"
    actions.update_department(actor=admins.system, department=department,
                              data=actions.DepartmentInput(code="ZJJ", name="住建局", kind="district"))
    handler = make_user("h", "department_handler", department=department)
    with pytest.raises(errors.Conflict) as exc:
        actions.set_department_active(actor=admins.system, department=department, is_active=False)
    assert exc.value.code == "department_has_staff"
    actions.remove_role(actor=admins.security, assignment=handler.assignments.get())
    actions.set_department_active(actor=admins.system, department=department, is_active=False)
    assert not Department.objects.get(pk=department.pk).is_active
    with pytest.raises(errors.Forbidden):
        actions.create_department(actor=admins.security, data=actions.DepartmentInput(code="X", name="X"))
