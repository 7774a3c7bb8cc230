"""Account administration under 三员分立 (等保 AC-1): the system administrator keeps accounts and departments
(accounts.change_user, accounts.manage_department), the security administrator grants and removes roles and
scopes (accounts.manage_user). Nobody grants themself a role, and the three administrator roles stay on three
different people."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.actions.identity import check_password
from civicgrid.accounts.models import (
    ApiToken,
    Department,
    DepartmentKind,
    RoleAssignment,
    User,
    phone_lookup_hash,
    root_region_codes,
)
from civicgrid.accounts.roles import ROLE_SPECS, SEPARATED_ADMIN_ROLES, Role, ScopeKind
from civicgrid.accounts.validators import clean_mobile
from civicgrid.core import audit, confcache, errors
from civicgrid.core.scoping import can, grant_for, require
from civicgrid.geo.models import Region

USERNAME_MAX = 150


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise errors.ValidationFailed("用户名不能为空", code="username_required")
    if len(username) > USERNAME_MAX or not all(c.isalnum() or c in "._-@" for c in username):
        raise errors.ValidationFailed("用户名只能包含字母、数字和 . _ - @,最长150位", code="username_format")
    return username


def _clean_phone(phone: str) -> str:
    try:
        return clean_mobile(phone)
    except ValueError as exc:
        raise errors.ValidationFailed(str(exc), code="phone_format") from None


def _may_onboard(actor: User) -> None:
    """Creating an account: the system administrator's; the security administrator onboards staff with
    their roles in one step (a single account, or an Excel import)."""
    if can(actor, "accounts.import_users"):
        return
    require(actor, "accounts.change_user")


def create_user(*, actor: User, username: str, password: str | None, display_name: str = "",
                phone: str = "") -> User:
    """A new account. Without a password it cannot sign in until its owner sets one through an activation
    link (actions.onboarding.issue_activation)."""
    _may_onboard(actor)
    username = _clean_username(username)
    phone = _clean_phone(phone)
    display_name = (display_name or "").strip()[:50]
    if password:
        check_password(password, User(username=username, display_name=display_name))
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise errors.Conflict("用户名已存在", code="username_taken")
        user = User(username=username, display_name=display_name, phone=phone,
                    phone_hash=phone_lookup_hash(phone) if phone else "")
        if password:
            user.set_password(password)
            user.password_changed_at = timezone.now()
        else:
            user.set_unusable_password()
        user.save()
        audit.record(actor=actor, action="accounts.create_user", obj=user)
    return user


def update_user(*, actor: User, user: User, display_name: str, phone: str) -> User:
    """Edit an account's name and mobile number (the number activation links are sent to)."""
    require(actor, "accounts.change_user", user)
    phone = _clean_phone(phone)
    display_name = (display_name or "").strip()[:50]
    changed = []
    with transaction.atomic():
        if display_name != user.display_name:
            user.display_name = display_name
            changed.append("display_name")
        if phone != (user.phone or ""):
            user.phone, user.phone_hash = phone, phone_lookup_hash(phone) if phone else ""
            changed += ["phone", "phone_hash"]
        if changed:
            user.save(update_fields=changed)
        audit.record(actor=actor, action="accounts.update_user", obj=user, fields=[f for f in changed if f != "phone_hash"])
    return user


def set_user_active(*, actor: User, user: User, is_active: bool) -> User:
    """Deactivate (sign-in refused, tokens revoked) or re-activate an account. Deactivating a field worker
    with open tasks goes through actions.handover.deactivate_with_handover instead."""
    require(actor, "accounts.change_user", user)
    if user.pk == actor.pk and not is_active:
        raise errors.Conflict("不能停用自己的账号", code="self_deactivation")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=is_active)
        confcache.bump()  # the workers of a place are cached
        if not is_active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record(actor=actor, action="accounts.set_user_active", obj=user, details={"is_active": is_active})
    user.is_active = is_active
    return user


# --- roles and scopes (the security administrator) ----------------------------------------------------


def validate_assignment(*, role: str, region: Region | None, department: Department | None) -> None:
    spec = ROLE_SPECS.get(role)
    if spec is None:
        raise errors.ValidationFailed(f"未知角色:{role}", code="unknown_role")
    if spec.scope == ScopeKind.REGION:
        if region is None:
            raise errors.ValidationFailed("该角色须指定所辖区域", code="region_required")
        if spec.region_level and not level_fits(spec.region_level, region.level):
            raise errors.ValidationFailed(
                f"{Role(role).label}须指定{_level_label(spec.region_level)}级区域,而不是{region.get_level_display()}",
                code="wrong_region_level",
            )
    if spec.scope == ScopeKind.DEPARTMENT and department is None:
        raise errors.ValidationFailed("该角色须指定所属部门", code="department_required")


def level_fits(wanted: str, level: str) -> bool:
    """A role that names a district may name a city or province instead: a city-wide leader."""
    from civicgrid.geo.choices import ABOVE_DISTRICT, RegionLevel

    return level == wanted or (wanted == RegionLevel.DISTRICT and level in ABOVE_DISTRICT)


def _level_label(level: str) -> str:
    from civicgrid.geo.models import RegionLevel

    return str(RegionLevel(level).label)


def check_grant_rules(*, actor: User, user: User, role: str, region: Region | None) -> None:
    """The rules every grant obeys, before anything is written (shared with the Excel import)."""
    if user.pk is not None and user.pk == actor.pk:
        raise errors.Conflict("不能给自己分配角色", code="self_assignment")
    if region is not None and not grant_for(actor, "accounts.manage_user").covers_code(region.code):
        raise errors.NotFound("区域不存在或不在您的管辖范围内", code="region_out_of_scope")
    if role in SEPARATED_ADMIN_ROLES:
        held = (user.role_codes() if user.pk else set()) & SEPARATED_ADMIN_ROLES
        if held - {role}:
            raise errors.Conflict("系统管理员、安全管理员、审计管理员须由三名不同人员担任", code="admin_roles_separated")


def assign_role(
    *, actor: User, user: User, role: str, region: Region | None = None, department: Department | None = None
) -> RoleAssignment:
    """Give `user` a role over a region or department. Security admins act only within their own scope,
    never on themselves, and the three separated administrator roles never go to one person (等保 AC-1)."""
    require(actor, "accounts.manage_user")
    validate_assignment(role=role, region=region, department=department)
    spec = ROLE_SPECS[role]
    region = region if spec.scope == ScopeKind.REGION else None
    department = department if spec.scope == ScopeKind.DEPARTMENT else None
    check_grant_rules(actor=actor, user=user, role=role, region=region)
    if not user.is_active:
        raise errors.Conflict("账号已停用,不能分配角色", code="user_inactive")
    with transaction.atomic():
        # the separation is checked again under the user's lock: two grants at once cannot both pass
        User.objects.select_for_update().filter(pk=user.pk).first()
        held = set(RoleAssignment.objects.filter(user=user, is_active=True, role__in=SEPARATED_ADMIN_ROLES)
                   .values_list("role", flat=True))
        if role in SEPARATED_ADMIN_ROLES and held - {role}:
            raise errors.Conflict("系统管理员、安全管理员、审计管理员须由三名不同人员担任", code="admin_roles_separated")
        assignment, _ = RoleAssignment.objects.update_or_create(
            user=user, role=role, region=region, department=department, defaults={"is_active": True}
        )
        audit.record(actor=actor, action="accounts.assign_role", obj=assignment,
                     details={"user": user.username, "role": role, "region": getattr(region, "code", None),
                              "department": getattr(department, "code", None)})
    user.forget_grants()
    return assignment


def remove_role(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    """Withdraw one role assignment (kept, inactive, for the record)."""
    require(actor, "accounts.manage_user")
    if assignment.user_id == actor.pk:
        raise errors.Conflict("不能撤销自己的角色", code="self_assignment")
    if assignment.region_id and not grant_for(actor, "accounts.manage_user").covers_code(assignment.region.code):
        raise errors.NotFound("区域不存在或不在您的管辖范围内", code="region_out_of_scope")
    with transaction.atomic():
        updated = RoleAssignment.objects.filter(pk=assignment.pk, is_active=True).update(is_active=False)
        if not updated:
            raise errors.Conflict("该角色已撤销", code="assignment_inactive")
        confcache.bump()  # an update() sends no save signal: the cached assignments renew
        audit.record(actor=actor, action="accounts.remove_role", obj=assignment,
                     details={"user": assignment.user.username, "role": assignment.role,
                              "region": assignment.region.code if assignment.region_id else None,
                              "department": assignment.department.code if assignment.department_id else None})
    assignment.is_active = False
    assignment.user.forget_grants()
    return assignment


# --- departments (the system administrator) ------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentInput:
    code: str
    name: str
    short_name: str = ""
    kind: str = DepartmentKind.DISTRICT
    region: Region | None = None


def _clean_department(data: DepartmentInput) -> DepartmentInput:
    code, name = (data.code or "").strip().upper(), (data.name or "").strip()
    if not code or len(code) > 20 or not all(c.isalnum() or c in "-_" for c in code):
        raise errors.ValidationFailed("部门编码须为1–20位字母、数字、- 或 _", code="department_code_format")
    if not name or len(name) > 100:
        raise errors.ValidationFailed("部门名称不能为空,最长100字", code="department_name_required")
    if data.kind not in DepartmentKind.values:
        raise errors.ValidationFailed("部门类型不正确", code="department_kind")
    return DepartmentInput(code=code, name=name, short_name=(data.short_name or "").strip()[:30], kind=data.kind,
                           region=data.region)


def create_department(*, actor: User, data: DepartmentInput) -> Department:
    require(actor, "accounts.manage_department")
    data = _clean_department(data)
    with transaction.atomic():
        if Department.objects.filter(code=data.code).exists():
            raise errors.Conflict("部门编码已存在", code="department_code_taken")
        department = Department.objects.create(code=data.code, name=data.name, short_name=data.short_name,
                                               kind=data.kind, region=data.region)
        audit.record(actor=actor, action="accounts.create_department", obj=department)
    return department


def _require_department(actor: User, department: Department) -> None:
    """A department placed in a region needs that region in reach; one placed nowhere (most district
    departments) belongs to the district's administrator (the grant over a top region)."""
    require(actor, "accounts.manage_department")
    grant = grant_for(actor, "accounts.manage_department")
    code = department.region.code if department.region_id else None
    if not (grant.unrestricted or (grant.covers_code(code) if code else set(grant.region_codes) & set(root_region_codes()))):
        raise errors.NotFound("部门不存在或不在您的管辖范围内", code="department_out_of_scope")


def update_department(*, actor: User, department: Department, data: DepartmentInput) -> Department:
    _require_department(actor, department)
    data = _clean_department(data)
    with transaction.atomic():
        if Department.objects.filter(code=data.code).exclude(pk=department.pk).exists():
            raise errors.Conflict("部门编码已存在", code="department_code_taken")
        changed = [f for f in ("code", "name", "short_name", "kind", "region")
                   if getattr(department, f) != getattr(data, f)]
        for field in changed:
            setattr(department, field, getattr(data, field))
        if changed:
            department.save(update_fields=changed)
        audit.record(actor=actor, action="accounts.update_department", obj=department, fields=changed)
    return department


def set_department_active(*, actor: User, department: Department, is_active: bool) -> Department:
    """Deactivate (no longer offered for dispatch or grants) or re-activate a department; refused while
    active staff still hold a role in it (their work would be left with nobody)."""
    _require_department(actor, department)
    with transaction.atomic():
        if not is_active:
            staff = RoleAssignment.objects.filter(department=department, is_active=True, user__is_active=True).count()
            if staff:
                raise errors.Conflict(f"该部门仍有 {staff} 名在岗人员,请先撤销其角色", code="department_has_staff",
                                      details={"staff": staff})
        department.is_active = is_active
        department.save(update_fields=["is_active"])  # saved, not updated: the configuration snapshot renews
        audit.record(actor=actor, action="accounts.set_department_active", obj=department,
                     details={"is_active": is_active})
    return department
