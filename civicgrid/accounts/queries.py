from __future__ import annotations

import hashlib

from django.utils import timezone

from civicgrid.accounts.models import ApiToken, Department, User
from civicgrid.core import confcache, fastsql


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _token_sql() -> str:
    # the configuration's version comes along: the request then needs no round trip of its own for it
    return (f"SELECT {fastsql.columns(ApiToken, _TOKEN_FIELDS, 't')}, {fastsql.columns(User, _USER_FIELDS, 'u')}, "
            f"{confcache.TOKEN_SUBQUERY} FROM {fastsql.table(ApiToken)} t JOIN {fastsql.table(User)} u "
            f"ON u.id = t.user_id WHERE t.key_hash = %s")


_TOKEN_FIELDS = ("id", "user", "expires_at", "revoked_at", "last_used_at")
# the caller's own row less the phone number, which every request would otherwise decrypt: it stays
# deferred, read and decrypted only where something uses it
_USER_FIELDS = tuple(f.name for f in User._meta.concrete_fields if f.name != "phone")


def user_for_token(raw: str) -> User | None:
    """The active user behind a valid bearer token, or None. Touches last_used_at at most once a minute.

    Every API request runs this, so the statement is built once (core/fastsql)."""
    if not raw or len(raw) > 200:
        return None
    row = fastsql.fetchone(fastsql.statement("user_for_token", _token_sql), [token_hash(raw)])
    if row is None:
        return None
    token = fastsql.load(ApiToken, row, _TOKEN_FIELDS)
    token.user = fastsql.load(User, row[len(_TOKEN_FIELDS):], _USER_FIELDS)
    now = timezone.now()
    if not token.is_valid(now):
        return None
    confcache.adopt(row[-1])
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now  # a phone's first request of each minute writes this
        fastsql.update(token, ["last_used_at"])
    return token.user


def users_visible(user, *, role: str | None = None, is_active: bool | None = None, q: str = ""):
    qs = User.objects.visible_to(user, "accounts.view_user")
    if role:
        qs = qs.filter(assignments__role=role, assignments__is_active=True)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
    return qs.distinct().order_by("username")


def count_active_role_holders(user, role: str) -> int:
    """How many active users hold `role` within what `user` may see (the figure the UI shows)."""
    return users_visible(user, role=role, is_active=True).count()


def departments_visible(user):
    return Department.objects.visible_to(user, "accounts.view_department").filter(is_active=True)


def tokens_of(user):
    """The user's tokens, newest first (only prefixes are ever shown again)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")[:50]
