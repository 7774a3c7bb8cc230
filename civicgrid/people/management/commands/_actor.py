"""Commands act as a named user so that scoping and the audit log apply as on the web."""

from __future__ import annotations

from django.core.management.base import CommandError

from civicgrid.accounts.models import User


def actor_named(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户 {username} 不存在或已停用")
    return user
