"""Every write about identity: sign-in with lockout, tokens, users, role assignments."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts import throttle
from civicgrid.accounts.models import ApiToken, Department, RoleAssignment, User
from civicgrid.accounts.queries import token_hash
from civicgrid.accounts.roles import ROLE_SPECS, SEPARATED_ADMIN_ROLES, ScopeKind
from civicgrid.core import audit, confcache, errors
from civicgrid.core.models import AuditResult
from civicgrid.core.scoping import require
from civicgrid.geo.models import Region

INVALID_CREDENTIALS = errors.Unauthenticated("用户名或密码错误", code="invalid_credentials")


def authenticate_user(*, username: str, password: str, address: str = "") -> User:
    """Check a password from a source `address`, throttled (等保 AUTH-4, accounts.throttle): failures are
    counted per (username, address) and per address — for unknown usernames exactly as for known ones — and
    earn growing refusals (429 too_many_attempts); the account itself is never locked, so nobody can lock a
    worker out. Unknown users and wrong passwords give the same answer, after the same work."""
    now = timezone.now()
    try:
        throttle.check(username, address)
    except throttle.TooManyAttempts:
        audit.record(actor=None, action="accounts.login", object_type="accounts.user", object_id=username[:64],
                     result=AuditResult.DENIED, reason="too_many_attempts")
        raise
    user = User.objects.filter(username=username).first()
    known = user is not None and user.is_active
    if known:
        right = user.check_password(password)
    else:
        User().set_password(password)  # spend the same time as a real check
        right = False
    if not right:
        throttle.failed(username, address)
        audit.record(actor=None, action="accounts.login", object_type="accounts.user",
                     object_id=str(user.pk) if known else username[:64], result=AuditResult.FAILED,
                     reason="bad_password" if known else "unknown_or_inactive_user")
        raise INVALID_CREDENTIALS
    throttle.succeeded(username, address)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=now)
        audit.record(actor=user, action="accounts.login", obj=user)
    user.last_login = now
    return user


def issue_token(*, user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new bearer token; the raw value is returned once and only its hash is kept."""
    raw = "cg_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, key_hash=token_hash(raw), prefix=raw[3:11], name=name[:100],
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
        )
        audit.record(actor=user, action="accounts.issue_token", obj=token)
    return raw, token


def revoke_token(*, actor: User, raw: str | None = None, token_id: int | None = None) -> None:
    """Revoke one of the actor's own tokens (by raw value or id); a security admin may revoke any."""
    qs = ApiToken.objects.filter(revoked_at__isnull=True)
    if raw is not None:
        qs = qs.filter(key_hash=token_hash(raw))
    else:
        qs = qs.filter(pk=token_id)
    if not actor.has_role("security_admin"):
        qs = qs.filter(user=actor)
    with transaction.atomic():
        token = qs.select_for_update().first()
        if token is None:
            raise errors.NotFound("令牌不存在或已撤销", code="token_not_found")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.revoke_token", obj=token)


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise errors.ValidationFailed("密码不符合要求:" + ";".join(exc.messages), code="weak_password",
                                      details={"password": exc.messages}) from None


def create_user(*, actor: User, username: str, password: str | None, display_name: str = "", phone: str = "") -> User:
    require(actor, "accounts.manage_user")
    username = username.strip()
    if not username:
        raise errors.ValidationFailed("用户名不能为空", code="username_required")
    candidate = User(username=username, display_name=display_name)
    if password:
        _check_password(password, candidate)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise errors.Conflict("用户名已存在", code="username_taken")
        user = User(username=username, display_name=display_name, phone=phone)
        if password:
            user.set_password(password)
            user.password_changed_at = timezone.now()
        else:
            user.set_unusable_password()
        user.save()
        audit.record(actor=actor, action="accounts.create_user", obj=user)
    return user


def validate_assignment(*, role: str, region: Region | None, department: Department | None) -> None:
    spec = ROLE_SPECS.get(role)
    if spec is None:
        raise errors.ValidationFailed(f"未知角色:{role}", code="unknown_role")
    if spec.scope == ScopeKind.REGION:
        if region is None:
            raise errors.ValidationFailed("该角色须指定所辖区域", code="region_required")
        if spec.region_level and region.level != spec.region_level:
            raise errors.ValidationFailed(
                f"该角色须指定{spec.region_level}级区域,而不是{region.get_level_display()}",
                code="wrong_region_level",
            )
    if spec.scope == ScopeKind.DEPARTMENT and department is None:
        raise errors.ValidationFailed("该角色须指定所属部门", code="department_required")


def assign_role(
    *, actor: User, user: User, role: str, region: Region | None = None, department: Department | None = None
) -> RoleAssignment:
    """Give `user` a role over a region or department. Security admins act only within their own scope,
    and the three separated administrator roles never go to one person (等保 AC-1)."""
    require(actor, "accounts.manage_user")
    validate_assignment(role=role, region=region, department=department)
    grant = actor.grant_for("accounts.manage_user")
    if region is not None and not grant.covers_code(region.code):
        raise errors.NotFound("区域不存在或不在您的管辖范围内", code="region_out_of_scope")
    if role in SEPARATED_ADMIN_ROLES and (user.role_codes() & SEPARATED_ADMIN_ROLES) - {role}:
        raise errors.Conflict("系统管理员、安全管理员、审计管理员须由不同人员担任", code="admin_roles_separated")
    with transaction.atomic():
        assignment, _ = RoleAssignment.objects.update_or_create(
            user=user, role=role, region=region, department=department, defaults={"is_active": True}
        )
        audit.record(actor=actor, action="accounts.assign_role", obj=assignment,
                     details={"user": user.username, "role": role, "region": getattr(region, "code", None),
                              "department": getattr(department, "code", None)})
    user.forget_grants()
    return assignment


def set_user_active(*, actor: User, user: User, is_active: bool) -> User:
    require(actor, "accounts.manage_user", user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=is_active)
        confcache.bump()  # the workers of a place are cached
        if not is_active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record(actor=actor, action="accounts.set_user_active", obj=user, details={"is_active": is_active})
    user.is_active = is_active
    return user


def change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise errors.ValidationFailed("原密码不正确", code="wrong_password")
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit.record(actor=user, action="accounts.change_password", obj=user)
