"""accounts.sql: the token look-up and the role assignments answer as the ORM does (SQLite and
PostgreSQL)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts import sql
from civicgrid.accounts.models import ApiToken, User
from civicgrid.accounts.queries import token_hash
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def test_the_token_statement_answers_as_the_orm(tree):
    user = make_user("alice")
    ApiToken.objects.create(user=user, key_hash=token_hash("raw-token"), prefix="raw-toke",
                            expires_at=timezone.now() + timedelta(days=1))
    token, _version = sql.token_with_user(token_hash("raw-token"))
    orm = ApiToken.objects.select_related("user").get(key_hash=token_hash("raw-token"))
    for name in sql.TOKEN_FIELDS:
        field = ApiToken._meta.get_field(name)
        assert getattr(token, field.attname) == getattr(orm, field.attname), name
    for name in sql.USER_FIELDS:
        field = User._meta.get_field(name)
        assert getattr(token.user, field.attname) == getattr(orm.user, field.attname), name
    assert sql.token_with_user(token_hash("other")) is None
    now = timezone.now()
    sql.touch_token(token, now)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now


def test_token_lookup_checks_expiry_revocation_and_the_user(tree):
    from civicgrid.accounts.queries import token_hash, user_for_token

    user = make_user("alice")
    token = ApiToken.objects.create(user=user, key_hash=token_hash("raw-token"), prefix="raw-toke",
                                    expires_at=timezone.now() + timedelta(days=1))
    User.objects.filter(pk=user.pk).update(phone="13800000000")
    found = user_for_token("raw-token")
    assert isinstance(found, User) and found.pk == user.pk and found.username == "alice"
    assert found.get_deferred_fields() == {"phone"}  # not decrypted on every request…
    assert found.phone == "13800000000"  # …but there when asked for
    touched = ApiToken.objects.get(pk=token.pk).last_used_at
    assert touched is not None  # the first use touches last_used_at; the next within a minute does not
    user_for_token("raw-token")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == touched
    assert user_for_token("other") is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert user_for_token("raw-token") is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1),
                                                revoked_at=timezone.now())
    assert user_for_token("raw-token") is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert user_for_token("raw-token") is None


def test_active_assignments_read_the_same_as_through_the_orm(tree):
    from civicgrid.accounts.models import RoleAssignment
    from civicgrid.testing import make_department

    user = make_user("alice")
    department = make_department()
    RoleAssignment.objects.create(user=user, role="grid_worker", region=tree.grid_a)
    RoleAssignment.objects.create(user=user, role="department_handler", department=department)
    RoleAssignment.objects.create(user=user, role="dispatcher", region=tree.district, is_active=False)
    expected = list(RoleAssignment.objects.filter(user=user, is_active=True).select_related("region", "department")
                    .order_by("id"))
    found = sql.active_assignments(user)
    assert [(a.pk, a.role, a.region_id, a.department_id) for a in found] == \
        [(a.pk, a.role, a.region_id, a.department_id) for a in expected]
    assert found[0].region.code == tree.grid_a.code and found[0].department is None
    assert found[1].department.name == "城管局" and found[1].region is None
    assert found[0].user is user
