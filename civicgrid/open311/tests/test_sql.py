"""open311.sql: the key look-up answers as the ORM does (SQLite and PostgreSQL)."""

import pytest

from civicgrid.accounts.models import User
from civicgrid.accounts.sql import USER_FIELDS
from civicgrid.open311 import sql
from civicgrid.open311.actions import key_hash
from civicgrid.open311.models import ApiKey

pytestmark = pytest.mark.django_db


def test_the_key_statement_answers_as_the_orm(o311):
    key, _version = sql.active_key_with_user(key_hash(o311.key))
    orm = ApiKey.objects.select_related("user").get(key_hash=key_hash(o311.key))
    for name in sql.KEY_FIELDS:
        field = ApiKey._meta.get_field(name)
        assert getattr(key, field.attname) == getattr(orm, field.attname), name
    for name in USER_FIELDS:
        field = User._meta.get_field(name)
        assert getattr(key.user, field.attname) == getattr(orm.user, field.attname), name
    assert sql.active_key_with_user(key_hash("o311_other")) is None
    User.objects.filter(pk=orm.user_id).update(is_active=False)
    assert sql.active_key_with_user(key_hash(o311.key)) is None
    User.objects.filter(pk=orm.user_id).update(is_active=True)
    ApiKey.objects.filter(pk=orm.pk).update(is_active=False)
    assert sql.active_key_with_user(key_hash(o311.key)) is None
