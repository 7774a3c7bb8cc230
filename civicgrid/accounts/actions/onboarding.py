"""Bringing staff on board: one-time activation links (the owner sets their own password; no initial
password is ever shown or listed) and the all-or-nothing Excel import of staff accounts with their role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.actions.admin import (
    _clean_username,
    _may_onboard,
    check_grant_rules,
    create_user,
    validate_assignment,
)
from civicgrid.accounts.actions.identity import check_password
from civicgrid.accounts.models import ActivationToken, Department, RoleAssignment, User
from civicgrid.accounts.queries import token_hash
from civicgrid.accounts.roles import ROLE_SPECS, SEPARATED_ADMIN_ROLES, Role, ScopeKind
from civicgrid.accounts.validators import clean_mobile
from civicgrid.core import audit, confcache, errors, sms, xlsx
from civicgrid.core.models import AuditResult
from civicgrid.core.scoping import require
from civicgrid.geo.models import Region

ACTIVATE_PATH = "/accounts/activate/"
MAX_ROWS = 6000  # a district's micro-grid workers fit in one file


def _link(base_url: str, raw: str) -> str:
    return f"{base_url.rstrip('/')}{ACTIVATE_PATH}{raw}/"


def _new_token(*, actor: User | None, user: User, delivery: str) -> tuple[str, ActivationToken]:
    """Inside the caller's transaction: a fresh link that replaces any unused older one."""
    now = timezone.now()
    ActivationToken.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    raw = secrets.token_urlsafe(32)
    token = ActivationToken.objects.create(
        user=user, key_hash=token_hash(raw), created_by=actor, delivery=delivery,
        expires_at=now + timedelta(hours=settings.ACTIVATION_LINK_HOURS))
    return raw, token


def _sms_text(user: User, link: str) -> str:
    hours = settings.ACTIVATION_LINK_HOURS
    return (f"【基层治理综合服务平台】{user.display_name or user.username}您好,您的工作账号 {user.username} 已开通。"
            f"请在{hours}小时内打开 {link} 设置登录密码(链接仅可使用一次)。")


def issue_activation(*, actor: User, user: User, base_url: str) -> str | None:
    """A one-time activation link for `user`. With a mobile number on the account it goes by SMS (after
    commit) and None is returned; without one the link is returned to be shown once to the administrator."""
    _may_onboard(actor)
    require(actor, "accounts.view_user", user)
    if not user.is_active:
        raise errors.Conflict("账号已停用,不能发送激活链接", code="user_inactive")
    phone = user.phone or ""
    with transaction.atomic():
        raw, token = _new_token(actor=actor, user=user, delivery="sms" if phone else "shown")
        audit.record(actor=actor, action="accounts.issue_activation", obj=user, details={"delivery": token.delivery})
    link = _link(base_url, raw)
    if phone:
        transaction.on_commit(lambda: sms.send(phone, _sms_text(user, link)))
        return None
    return link


def activation_for(raw: str) -> ActivationToken:
    """The usable token behind a link; 404 unknown, 410 used or expired."""
    token = ActivationToken.objects.select_related("user").filter(key_hash=token_hash(raw or "")).first()
    if token is None:
        raise errors.NotFound("激活链接无效", code="activation_not_found")
    if token.used_at is not None:
        raise Gone("该激活链接已使用过。如需重设密码,请联系系统管理员重新发送", code="activation_used")
    if not token.is_usable():
        raise Gone("该激活链接已过期。请联系系统管理员重新发送", code="activation_expired")
    return token


class Gone(errors.DomainError):
    status = 410
    code = "gone"
    message = "链接已失效"


def activate(*, raw: str, password: str) -> User:
    """Set the account's first password through its link; the link is then used up."""
    token = activation_for(raw)
    user = token.user
    check_password(password, user)
    with transaction.atomic():
        # used once even when two requests race: only the first update finds it unused
        if not ActivationToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise Gone("该激活链接已使用过", code="activation_used")
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit.record(actor=user, action="accounts.activate", obj=user)
    return user


# --- Excel import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = True
    example: str = ""
    note: str = ""


COLUMNS = (
    Column("username", "用户名", example="wgy_zhangsan", note="登录名:字母、数字和 . _ - @"),
    Column("display_name", "姓名", example="张三"),
    Column("phone", "手机号", example="13800000000", note="激活链接以短信发送到此号码"),
    Column("role", "角色", example="微网格员", note="角色名称或代码,如 微网格员、网格员、部门承办人"),
    Column("region", "区域编码", required=False, example="211004001001001001", note="按区域管辖的角色必填"),
    Column("department", "部门编码", required=False, example="", note="按部门管辖的角色必填"),
)

# the three administrator roles are granted one by one, never by a file
IMPORTABLE_ROLES = tuple(r for r in Role if r not in SEPARATED_ADMIN_ROLES and ROLE_SPECS[r].scope != ScopeKind.SELF
                         and r != Role.API_CLIENT)


def template_workbook() -> bytes:
    """The import template: the header row, one example row, and a sheet explaining each column and role."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "工作人员"
    xlsx.write_row(sheet, [c.header for c in COLUMNS])
    xlsx.write_row(sheet, [c.example for c in COLUMNS])
    notes = book.create_sheet("填写说明")
    xlsx.write_row(notes, ["列", "是否必填", "说明"])
    for c in COLUMNS:
        xlsx.write_row(notes, [c.header, "必填" if c.required else "视角色", c.note])
    xlsx.write_row(notes, [])
    xlsx.write_row(notes, ["角色", "代码", "管辖范围"])
    for role in IMPORTABLE_ROLES:
        spec = ROLE_SPECS[role.value]
        where = (f"区域编码({_level(spec.region_level)}级)" if spec.scope == ScopeKind.REGION else "部门编码")
        xlsx.write_row(notes, [str(role.label), role.value, where])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _level(level: str | None) -> str:
    from civicgrid.geo.models import RegionLevel

    return str(RegionLevel(level).label) if level else "任意"


@dataclass
class ImportResult:
    created: list[User] = field(default_factory=list)
    sms_sent: int = 0


def _role_of(text: str) -> str | None:
    text = text.strip()
    for role in Role:
        if text in (role.value, str(role.label)):
            return role.value
    return None


def _check_rows(actor: User, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[dict], list[dict]]:
    """(row report, cleaned rows). Everything is checked before anything is written."""
    header = {c.key: c.header for c in COLUMNS}
    report: list[dict] = []
    values: list[dict] = []

    def bad(row: int, key: str, code: str, message: str) -> None:
        report.append({"row": row, "column": header[key], "code": code, "message": message})

    names = [cells.get("username", "").strip() for _, cells in rows]
    taken = set(User.objects.filter(username__in=[n for n in names if n]).values_list("username", flat=True))
    regions = {r.code: r for r in Region.objects.filter(code__in={c.get("region", "") for _, c in rows} - {""})}
    departments = {d.code: d for d in Department.objects.filter(
        code__in={c.get("department", "").upper() for _, c in rows} - {""}, is_active=True)}
    first_row: dict[str, int] = {}
    phones: dict[str, int] = {}
    for number, cells in rows:
        errors_before = len(report)
        try:
            username = _clean_username(cells.get("username", ""))
        except errors.DomainError as exc:
            bad(number, "username", exc.code, exc.message)
            username = ""
        if username:
            if username in first_row:
                bad(number, "username", "username_repeated", f"用户名与第{first_row[username]}行重复")
            elif username in taken:
                bad(number, "username", "username_taken", "用户名已存在")
            first_row.setdefault(username, number)
        display_name = cells.get("display_name", "").strip()
        if not display_name or len(display_name) > 50:
            bad(number, "display_name", "name_required", "姓名不能为空,最长50字")
        try:
            phone = clean_mobile(cells.get("phone", ""))
        except ValueError as exc:
            bad(number, "phone", "phone_format", str(exc))
            phone = None
        if phone == "":
            bad(number, "phone", "phone_required", "手机号不能为空:激活链接以短信发送")
        elif phone:
            if phone in phones:
                bad(number, "phone", "phone_repeated", f"手机号与第{phones[phone]}行重复")
            phones.setdefault(phone, number)
        role = _role_of(cells.get("role", ""))
        region = department = None
        if role is None:
            bad(number, "role", "unknown_role", f"未知角色“{cells.get('role', '')}”")
        elif role in SEPARATED_ADMIN_ROLES:
            bad(number, "role", "admin_role_not_importable", "三员角色(系统、安全、审计管理员)须逐一授予,不能批量导入")
        elif role not in IMPORTABLE_ROLES:
            bad(number, "role", "role_not_importable", f"{Role(role).label}不是工作人员角色,不能导入")
        else:
            code = cells.get("region", "").strip()
            region = regions.get(code) if code else None
            if code and region is None:
                bad(number, "region", "region_not_found", f"区域编码 {code} 不存在")
            dept_code = cells.get("department", "").strip().upper()
            department = departments.get(dept_code) if dept_code else None
            if dept_code and department is None:
                bad(number, "department", "department_not_found", f"部门编码 {dept_code} 不存在或已停用")
            spec = ROLE_SPECS[role]
            if len(report) == errors_before:
                try:
                    validate_assignment(role=role, region=region if spec.scope == ScopeKind.REGION else None,
                                        department=department if spec.scope == ScopeKind.DEPARTMENT else None)
                    check_grant_rules(actor=actor, user=User(), role=role, region=region)
                except errors.DomainError as exc:
                    key = "department" if exc.code == "department_required" else "region"
                    bad(number, key, exc.code, exc.message)
        if len(report) == errors_before:
            values.append({"row": number, "username": username, "display_name": display_name, "phone": phone,
                           "role": role, "region": region if ROLE_SPECS[role].scope == ScopeKind.REGION else None,
                           "department": department if ROLE_SPECS[role].scope == ScopeKind.DEPARTMENT else None})
    return report, values


def import_staff(*, actor: User, file, base_url: str) -> ImportResult:
    """Import staff accounts with their role from an .xlsx (columns: COLUMNS): every row valid, or nothing
    written and a row report (422 `import_rows_invalid`, details: [{row, column, code, message}]). Each new
    account gets an activation link by SMS; no password is set or shown."""
    require(actor, "accounts.import_users")
    require(actor, "accounts.manage_user")
    content = file.read() if hasattr(file, "read") else bytes(file)
    rows = xlsx.read_rows(BytesIO(content), COLUMNS, MAX_ROWS)
    report, values = _check_rows(actor, rows)
    if report:
        report.sort(key=lambda e: e["row"])
        with transaction.atomic():
            audit.record(actor=actor, action="accounts.import_users", result=AuditResult.FAILED,
                         object_type="accounts.user", details={"rows": len(rows), "errors": len(report)})
        raise errors.ValidationFailed(f"导入文件中有{len(report)}处错误,未导入任何账号,请修改后重新上传",
                                      code="import_rows_invalid", details=report)
    result = ImportResult()
    messages: list[tuple[str, str]] = []
    with transaction.atomic():
        for v in values:
            user = create_user(actor=actor, username=v["username"], password=None, display_name=v["display_name"],
                               phone=v["phone"])
            assignment = RoleAssignment.objects.create(user=user, role=v["role"], region=v["region"],
                                                       department=v["department"])
            audit.record(actor=actor, action="accounts.assign_role", obj=assignment,
                         details={"user": user.username, "role": v["role"], "source": "import",
                                  "region": getattr(v["region"], "code", None),
                                  "department": getattr(v["department"], "code", None)})
            raw, _ = _new_token(actor=actor, user=user, delivery="sms")
            messages.append((v["phone"], _sms_text(user, _link(base_url, raw))))
            result.created.append(user)
        confcache.bump()  # the workers of the places named
        audit.record(actor=actor, action="accounts.import_users", object_type="accounts.user",
                     details={"rows": len(values), "usernames": [u.username for u in result.created][:200]})
        transaction.on_commit(lambda: [sms.send(phone, text) for phone, text in messages])
    result.sms_sent = len(messages)
    return result

