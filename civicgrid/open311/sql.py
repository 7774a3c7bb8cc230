"""The raw statement of Open311, built once per process with core.sql: every POST looks up its client key
with the key's user and the configuration's version in one round trip, as the API's bearer token does
(open311/tests/test_sql.py compares it with the ORM's answer on both databases)."""

from __future__ import annotations

from civicgrid.accounts.models import User
from civicgrid.accounts.sql import USER_FIELDS
from civicgrid.core import confcache, sql
from civicgrid.open311.models import ApiKey

KEY_FIELDS = ("id", "name", "user", "rate_per_minute", "is_active", "last_used_at")


def _key_sql() -> str:
    return (f"SELECT {sql.columns(ApiKey, KEY_FIELDS, 'k')}, {sql.columns(User, USER_FIELDS, 'u')}, "
            f"{confcache.TOKEN_SUBQUERY} FROM {sql.table(ApiKey)} k JOIN {sql.table(User)} u "
            "ON u.id = k.user_id WHERE k.key_hash = %s AND k.is_active = %s AND u.is_active = %s")


def active_key_with_user(key_hash: str) -> tuple[ApiKey, object] | None:
    """(the active key of an active user, with the user loaded; the configuration's version), or None."""
    row = sql.fetchone(sql.statement("open311.active_key_with_user", _key_sql),
                       [key_hash, sql.param(ApiKey, "is_active", True), sql.param(User, "is_active", True)])
    if row is None:
        return None
    key = sql.load(ApiKey, row, KEY_FIELDS)
    key.user = sql.load(User, row[sql.width(ApiKey, KEY_FIELDS):], USER_FIELDS)
    return key, row[-1]
