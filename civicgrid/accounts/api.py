from datetime import datetime

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from civicgrid.accounts import actions, queries
from civicgrid.accounts.actions import handover, onboarding
from civicgrid.accounts.models import Department, DepartmentKind, RoleAssignment, User
from civicgrid.accounts.roles import Role
from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Id
from civicgrid.core import context, errors
from civicgrid.core.scoping import require
from civicgrid.geo.models import Region

auth_router = Router(tags=["认证 auth"])
router = Router(tags=["账号 accounts"])


class Credentials(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=256)
    name: str = Field("", max_length=100, description="令牌用途说明")
    otp: str = Field("", max_length=32, description="动态验证码或恢复码:须双因素认证的账号(三员等)必填")


class TokenOut(Schema):
    token: str
    expires_at: datetime


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def create_token(request, payload: Credentials):
    """用户名和密码换取令牌;之后以 `Authorization: Bearer <token>` 调用接口。须双因素认证的账号(系统、安全、
    审计管理员及配置的角色)同时提交 `otp`(身份验证器的6位动态验证码或一个恢复码):缺少时 401 `otp_required`,
    尚未绑定时 401 `otp_enrolment_required`。同一用户名从同一地址连续失败过多时暂缓受理(429
    `too_many_attempts`,等待时间逐次加倍),与网页登录共用计数。"""
    user = actions.authenticate_user(username=payload.username, password=payload.password,
                                     address=context.from_request(request).ip, otp=payload.otp)
    raw, token = actions.issue_token(user=user, name=payload.name)
    return {"token": raw, "expires_at": token.expires_at}


@auth_router.post("/token/revoke", response={204: None, 404: ErrorOut})
def revoke_token(request):
    """撤销当前请求所用的令牌。"""
    header = request.headers.get("Authorization", "")
    raw = header.split(" ", 1)[1].strip() if header.lower().startswith("bearer ") else ""
    actions.revoke_token(actor=request.auth, raw=raw)
    return Status(204, None)


class AssignmentOut(Schema):
    id: int
    role: str
    role_label: str
    region_code: str | None
    region_name: str | None
    department_code: str | None
    department_name: str | None


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    roles: list[AssignmentOut]

    @staticmethod
    def resolve_roles(obj):
        return [_assignment_out(a) for a in obj.active_assignments()]


@router.get("/me", response=UserOut)
def me(request):
    return request.auth


@router.get("/users", response=list[UserOut])
@paginate(CountItemsNext)
def list_users(request, role: Role | None = None, is_active: bool | None = None, q: str = ""):
    """本人可见范围内的用户;`role` 按角色筛选(如 micro_grid_worker)。"""
    qs = queries.users_visible(request.auth, role=role, is_active=is_active, q=q)
    return qs.prefetch_related("assignments__region", "assignments__department")


# --- account administration (三员分立) -------------------------------------------------------------------


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _managed(request, user_id: int) -> User:
    user = queries.users_for_admin(request.auth).filter(pk=user_id).first()
    if user is None:
        raise errors.NotFound("账号不存在或不在您的管辖范围内", code="user_not_found")
    return user


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    display_name: str = Field(..., min_length=1, max_length=50)
    phone: str = Field("", max_length=20, description="手机号:激活链接以短信发到此号码")


class UserCreatedOut(Schema):
    user: UserOut
    activation_link: str | None = Field(None, description="仅当账号没有手机号时返回一次,交给本人设置密码")


class UserEditIn(Schema):
    display_name: str = Field(..., min_length=1, max_length=50)
    phone: str = Field("", max_length=20)


class DeactivateIn(Schema):
    successor_id: Id | None = Field(None, description="接替人:有在办任务的网格员必填")
    reason: str = Field("", max_length=200)


class HandOverIn(Schema):
    successor_id: Id
    reason: str = Field("", max_length=200)


class HandOverOut(Schema):
    assignments: int
    open_cases: int
    key_persons: int


class RoleIn(Schema):
    role: Role
    region_code: str | None = Field(None, max_length=18, pattern=r"^\d{6,18}$")
    department_code: str | None = Field(None, max_length=20)


class ImportOut(Schema):
    created: int
    sms_sent: int
    usernames: list[str]


def _user_out(user: User) -> User:
    user.forget_grants()
    return user


@router.post("/users", response={201: UserCreatedOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def create_user(request, payload: UserIn):
    """系统管理员新建账号。不设初始密码:有手机号时激活链接以短信发送;没有时在 `activation_link` 中返回一次。"""
    require(request.auth, "accounts.change_user")
    user = actions.create_user(actor=request.auth, username=payload.username, password=None,
                               display_name=payload.display_name, phone=payload.phone)
    link = onboarding.issue_activation(actor=request.auth, user=user, base_url=_base_url(request))
    return Status(201, {"user": user, "activation_link": link})


@router.post("/users/import", response={201: ImportOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def import_users(request, file: UploadedFile = File(...)):
    """安全管理员批量导入工作人员(.xlsx,列见导入模板:用户名、姓名、手机号、角色、区域编码、部门编码)。全部行
    通过才导入;否则 422 `import_rows_invalid`,`details` 为 [{row, column, code, message}],不导入任何账号。
    新账号的激活链接以短信发到本人手机,接口不返回任何密码或链接。"""
    result = onboarding.import_staff(actor=request.auth, file=file, base_url=_base_url(request))
    return Status(201, {"created": len(result.created), "sms_sent": result.sms_sent,
                        "usernames": [u.username for u in result.created]})


@router.patch("/users/{user_id}", response={200: UserOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def update_user(request, user_id: Id, payload: UserEditIn):
    """系统管理员修改账号的姓名和手机号。"""
    require(request.auth, "accounts.change_user")
    user = actions.update_user(actor=request.auth, user=_managed(request, user_id), display_name=payload.display_name,
                               phone=payload.phone)
    return _user_out(user)


@router.post("/users/{user_id}/deactivate",
             response={200: HandOverOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def deactivate_user(request, user_id: Id, payload: DeactivateIn):
    """系统管理员停用账号。负责网格且有在办案件或重点人员的,须指定接替人(`successor_id`),其网格和任务同时
    交接;未指定时 409 `open_tasks_need_successor`,不作任何改动。"""
    require(request.auth, "accounts.change_user")
    user = _managed(request, user_id)
    successor = _managed(request, payload.successor_id) if payload.successor_id else None
    tasks = handover.deactivate(actor=request.auth, user=user, successor=successor, reason=payload.reason)
    return _hand_over_out(tasks if successor else handover.OpenTasks())


@router.post("/users/{user_id}/activate", response={200: UserOut, 403: ErrorOut, 404: ErrorOut})
def activate_user(request, user_id: Id):
    """系统管理员重新启用账号。"""
    require(request.auth, "accounts.change_user")
    return _user_out(actions.set_user_active(actor=request.auth, user=_managed(request, user_id), is_active=True))


def _hand_over_out(tasks: handover.OpenTasks) -> dict:
    return {"assignments": len(tasks.assignments), "open_cases": len(tasks.case_ids),
            "key_persons": len(tasks.key_person_ids)}


@router.post("/users/{user_id}/handover",
             response={200: HandOverOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def hand_over(request, user_id: Id, payload: HandOverIn):
    """人员交接:把网格员的网格(连同其中在办案件)和负责的重点人员交给接替人,记入审计日志。网格员为本网格的
    微网格员选择接替人;社区管理员、系统管理员在其辖区内操作。不能交接给自己(409 `self_assignment`)。"""
    require(request.auth, "accounts.hand_over")
    leaver = queries.handover_candidates(request.auth).filter(pk=user_id).first()
    if leaver is None:
        raise errors.NotFound("人员不存在或不在您的管辖范围内", code="user_not_found")
    successor = queries.successor_candidates(request.auth, leaver).filter(pk=payload.successor_id).first()
    if successor is None:
        raise errors.NotFound("接替人不存在或不在您的管辖范围内", code="successor_not_found")
    tasks = handover.hand_over(actor=request.auth, leaver=leaver, successor=successor, reason=payload.reason)
    return _hand_over_out(tasks)


@router.post("/users/{user_id}/roles",
             response={201: AssignmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def assign_role(request, user_id: Id, payload: RoleIn):
    """安全管理员分配角色及范围(按区域的角色给 `region_code`,按部门的给 `department_code`)。不能给自己分配
    (409 `self_assignment`);系统、安全、审计管理员须由三人分任(409 `admin_roles_separated`)。"""
    require(request.auth, "accounts.manage_user")
    user = _managed(request, user_id)
    region = Region.objects.filter(code=payload.region_code).first() if payload.region_code else None
    if payload.region_code and region is None:
        raise errors.ValidationFailed(f"区域编码 {payload.region_code} 不存在", code="region_not_found")
    department = (queries.departments_to_grant(request.auth).filter(code=payload.department_code.upper()).first()
                  if payload.department_code else None)
    if payload.department_code and department is None:
        raise errors.ValidationFailed(f"部门编码 {payload.department_code} 不存在或已停用", code="department_not_found")
    assignment = actions.assign_role(actor=request.auth, user=user, role=payload.role.value, region=region,
                                     department=department)
    return Status(201, _assignment_out(assignment))


def _assignment_out(a: RoleAssignment) -> dict:
    return {"id": a.pk, "role": a.role, "role_label": str(a.get_role_display()),
            "region_code": a.region.code if a.region_id else None, "region_name": a.region.name if a.region_id else None,
            "department_code": a.department.code if a.department_id else None,
            "department_name": a.department.name if a.department_id else None}


@router.delete("/users/{user_id}/roles/{assignment_id}",
               response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def remove_role(request, user_id: Id, assignment_id: Id):
    """安全管理员撤销一项角色(记录保留,标为已撤销)。"""
    require(request.auth, "accounts.manage_user")
    user = _managed(request, user_id)
    assignment = RoleAssignment.objects.filter(user=user, pk=assignment_id).select_related("region", "department").first()
    if assignment is None:
        raise errors.NotFound("角色不存在", code="assignment_not_found")
    actions.remove_role(actor=request.auth, assignment=assignment)
    return Status(204, None)


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    region_code: str | None
    is_active: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None


class DepartmentIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)
    name: str = Field(..., min_length=1, max_length=100)
    short_name: str = Field("", max_length=30)
    kind: DepartmentKind = DepartmentKind.DISTRICT
    region_code: str | None = Field(None, max_length=18, pattern=r"^\d{6,18}$")


class ActiveIn(Schema):
    is_active: bool


def _department_input(payload: DepartmentIn) -> actions.DepartmentInput:
    region = Region.objects.filter(code=payload.region_code).first() if payload.region_code else None
    if payload.region_code and region is None:
        raise errors.ValidationFailed(f"区域编码 {payload.region_code} 不存在", code="region_not_found")
    return actions.DepartmentInput(code=payload.code, name=payload.name, short_name=payload.short_name,
                                   kind=payload.kind.value, region=region)


def _department(request, department_id: int) -> Department:
    require(request.auth, "accounts.manage_department")
    department = queries.all_departments(request.auth).filter(pk=department_id).first()
    if department is None:
        raise errors.NotFound("部门不存在", code="department_not_found")
    return department


@router.get("/departments", response={200: list[DepartmentOut], 403: ErrorOut})
@paginate(CountItemsNext)
def list_departments(request, q: str = ""):
    """系统管理员维护的部门(含已停用)。"""
    require(request.auth, "accounts.manage_department")
    qs = queries.all_departments(request.auth).order_by("code")
    return qs.filter(name__icontains=q[:50]) if q else qs


@router.post("/departments", response={201: DepartmentOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def create_department(request, payload: DepartmentIn):
    """系统管理员新建部门;编码重复时 409 `department_code_taken`。"""
    require(request.auth, "accounts.manage_department")
    return Status(201, actions.create_department(actor=request.auth, data=_department_input(payload)))


@router.put("/departments/{department_id}",
            response={200: DepartmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def update_department(request, department_id: Id, payload: DepartmentIn):
    """系统管理员修改部门。"""
    department = _department(request, department_id)
    return actions.update_department(actor=request.auth, department=department, data=_department_input(payload))


@router.post("/departments/{department_id}/active",
             response={200: DepartmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def set_department_active(request, department_id: Id, payload: ActiveIn):
    """停用或启用部门;仍有在岗人员时不能停用(409 `department_has_staff`)。"""
    department = _department(request, department_id)
    return actions.set_department_active(actor=request.auth, department=department, is_active=payload.is_active)
