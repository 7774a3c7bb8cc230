from __future__ import annotations

import hashlib

from django.utils import timezone

from civicgrid.accounts import sql
from civicgrid.accounts.models import ApiToken, Department, User
from civicgrid.core import confcache


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def user_for_token(raw: str) -> User | None:
    """The active user behind a valid bearer token, or None. Touches last_used_at at most once a minute.

    Every API request runs this, so the statement is built once (accounts/sql.py)."""
    if not raw or len(raw) > 200:
        return None
    found = sql.token_with_user(token_hash(raw))
    if found is None:
        return None
    token, config_version = found
    now = timezone.now()
    if not token.is_valid(now):
        return None
    confcache.adopt(config_version)
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        sql.touch_token(token, now)  # a phone's first request of each minute writes this
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
