import pytest
from django.contrib.auth.models import AnonymousUser

from civicgrid.accounts.models import Department
from civicgrid.accounts.queries import departments_visible
from civicgrid.testing import make_department, make_user

pytestmark = pytest.mark.django_db


def test_department_permission_matrix(tree):
    own = make_department("CG", "城管局")
    other = make_department("MZ", "民政局")
    Department.objects.filter(pk__in=[own.pk, other.pk]).update(region=tree.district)
    handler = make_user("h", "department_handler", department=own)
    other_handler = make_user("h2", "department_handler", department=other)
    dispatcher = make_user("d", "dispatcher", tree.district)
    no_perm = make_user("a", "audit_admin", tree.district)

    assert list(departments_visible(AnonymousUser())) == []
    assert list(departments_visible(no_perm)) == []
    assert list(departments_visible(other_handler)) == [other]
    assert list(departments_visible(handler)) == [own]
    assert set(departments_visible(dispatcher)) == {own, other}
