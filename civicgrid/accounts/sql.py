"""The raw statements of accounts, built once per process with core.sql: every API request looks up its
bearer token, and each user's first request in a configuration reads their role assignments
(tests/test_sql.py compares each with the ORM's answer on both databases)."""

from __future__ import annotations

from datetime import datetime

from civicgrid.accounts.models import ApiToken, Department, RoleAssignment, User
from civicgrid.core import confcache, sql
from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY as REGION_FIELDS
from civicgrid.geo.models import Region

TOKEN_FIELDS = ("id", "user", "expires_at", "revoked_at", "last_used_at")
# the caller's own row less the phone number, which every request would otherwise decrypt: it stays
# deferred, read and decrypted only where something uses it
USER_FIELDS = tuple(f.name for f in User._meta.concrete_fields if f.name != "phone")


def _token_sql() -> str:
    # the configuration's version comes along: the request then needs no round trip of its own for it
    return (f"SELECT {sql.columns(ApiToken, TOKEN_FIELDS, 't')}, {sql.columns(User, USER_FIELDS, 'u')}, "
            f"{confcache.TOKEN_SUBQUERY} FROM {sql.table(ApiToken)} t JOIN {sql.table(User)} u "
            f"ON u.id = t.user_id WHERE t.key_hash = %s")


def token_with_user(key_hash: str) -> tuple[ApiToken, object] | None:
    """(the token with its user loaded, the configuration's version) for a token's hash, or None."""
    row = sql.fetchone(sql.statement("accounts.token_with_user", _token_sql), [key_hash])
    if row is None:
        return None
    token = sql.load(ApiToken, row, TOKEN_FIELDS)
    token.user = sql.load(User, row[sql.width(ApiToken, TOKEN_FIELDS):], USER_FIELDS)
    return token, row[-1]


def touch_token(token: ApiToken, now: datetime) -> None:
    token.last_used_at = now
    sql.update(token, ["last_used_at"])


def _assignments_sql() -> str:
    return (f"SELECT {sql.columns(RoleAssignment, alias='a')}, {sql.columns(Region, REGION_FIELDS, 'r')}, "
            f"{sql.columns(Department, alias='d')} FROM {sql.table(RoleAssignment)} a "
            f"LEFT JOIN {sql.table(Region)} r ON r.id = a.region_id "
            f"LEFT JOIN {sql.table(Department)} d ON d.id = a.department_id "
            "WHERE a.user_id = %s AND a.is_active = %s ORDER BY a.id")


def active_assignments(user) -> list[RoleAssignment]:
    """The user's active role assignments in id order, with their region (without its boundary: a
    district's is large) and department loaded."""
    rows = sql.fetchall(sql.statement("accounts.active_assignments", _assignments_sql),
                        [user.pk, sql.param(RoleAssignment, "is_active", True)])
    at_region = sql.width(RoleAssignment)
    at_department = at_region + sql.width(Region, REGION_FIELDS)
    found = []
    for row in rows:
        assignment = sql.load(RoleAssignment, row)
        assignment.user = user
        assignment.region = sql.load(Region, row[at_region:], REGION_FIELDS) if row[at_region] is not None else None
        assignment.department = sql.load(Department, row[at_department:]) if row[at_department] is not None else None
        found.append(assignment)
    return found
