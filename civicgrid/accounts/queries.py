from __future__ import annotations

import hashlib
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from civicgrid.accounts import sql
from civicgrid.accounts.models import ApiToken, Department, RoleAssignment, User, root_region_codes
from civicgrid.accounts.roles import FIELD_ROLES
from civicgrid.core import confcache
from civicgrid.core.scoping import filter_for, grant_for


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


# the permissions that make a user an account administrator (the account list is theirs)
ADMIN_PERMS = ("accounts.change_user", "accounts.manage_user")


def admin_perm(user) -> str | None:
    """Which account-administration permission `user` holds (the system or the security administrator)."""
    return next((perm for perm in ADMIN_PERMS if grant_for(user, perm)), None)


def users_for_admin(user, *, q: str = "", role: str = "", status: str = ""):
    """The accounts an account administrator manages: those placed in their reach, and — for a district-wide
    administrator — those with no role yet (just created or imported). `status`: active, inactive, unplaced."""
    perm = admin_perm(user)
    if perm is None:
        return User.objects.none()
    reach = filter_for(user, perm, User)
    if _district_wide(user, perm):  # accounts with no role yet belong to the whole district
        reach |= ~Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), is_active=True))
    qs = User.objects.filter(reach)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role:
        qs = qs.filter(assignments__role=role, assignments__is_active=True)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "unplaced":
        qs = qs.filter(~Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), is_active=True)))
    return qs.distinct().order_by("username")


def assignments_of(user):
    """Every role assignment of `user`, active first, with region and department."""
    return (RoleAssignment.objects.filter(user=user).select_related("region", "department")
            .order_by("-is_active", "role", "id"))


def _district_wide(user, perm: str) -> bool:
    grant = grant_for(user, perm)
    return grant.unrestricted or bool(set(grant.region_codes) & set(root_region_codes()))


def all_departments(user):
    """Every department the user may maintain, active or not (a district-wide administrator: all of them,
    those placed in no region included)."""
    perm = "accounts.manage_department"
    qs = Department.objects.all() if _district_wide(user, perm) else Department.objects.visible_to(user, perm)
    return qs.select_related("region")


def departments_to_grant(user):
    """The active departments a security administrator may name in a grant."""
    perm = "accounts.manage_user"
    qs = Department.objects.all() if _district_wide(user, perm) else Department.objects.visible_to(user, perm)
    return qs.filter(is_active=True).order_by("kind", "code")


def handover_candidates(actor):
    """Field workers whose patch the actor may hand over (active, holding a field role in reach)."""
    return (User.objects.visible_to(actor, "accounts.hand_over")
            .filter(is_active=True, assignments__role__in=FIELD_ROLES, assignments__is_active=True)
            .exclude(pk=actor.pk).distinct().order_by("username"))


def successor_candidates(actor, leaver):
    """Whom the actor may name as successor: active accounts they can see, other than the leaver and themself.
    For an administrator, the people near the leaver's patch (workers of the same grid, or community for a
    grid worker) and accounts with no role yet, not the whole district in one list."""
    if admin_perm(actor):
        near = {a.region.code[:-3] for a in RoleAssignment.objects.filter(
            user=leaver, is_active=True, role__in=FIELD_ROLES).select_related("region") if len(a.region.code) > 6}
        qs = users_for_admin(actor)
        if near:
            placed = reduce(or_, [Q(assignments__region__code__startswith=code, assignments__is_active=True)
                                  for code in near])
            qs = qs.filter(placed | ~Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), is_active=True)))
    else:
        qs = User.objects.visible_to(actor, "accounts.view_user")
    return qs.filter(is_active=True).exclude(pk__in=[leaver.pk, actor.pk]).distinct().order_by("username")
