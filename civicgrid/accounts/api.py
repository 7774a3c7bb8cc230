from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from civicgrid.accounts import actions, queries
from civicgrid.accounts.roles import Role
from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.core import context

auth_router = Router(tags=["认证 auth"])
router = Router(tags=["账号 accounts"])


class Credentials(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=256)
    name: str = Field("", max_length=100, description="令牌用途说明")


class TokenOut(Schema):
    token: str
    expires_at: datetime


@auth_router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def create_token(request, payload: Credentials):
    """用户名和密码换取令牌;之后以 `Authorization: Bearer <token>` 调用接口。同一用户名从同一地址连续失败
    过多时暂缓受理(429 `too_many_attempts`,等待时间逐次加倍),与网页登录共用计数。"""
    user = actions.authenticate_user(username=payload.username, password=payload.password,
                                     address=context.from_request(request).ip)
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
        return [
            {
                "role": a.role,
                "role_label": str(a.get_role_display()),
                "region_code": a.region.code if a.region_id else None,
                "region_name": a.region.name if a.region_id else None,
                "department_code": a.department.code if a.department_id else None,
                "department_name": a.department.name if a.department_id else None,
            }
            for a in obj.active_assignments()
        ]


@router.get("/me", response=UserOut)
def me(request):
    return request.auth


@router.get("/users", response=list[UserOut])
@paginate(CountItemsNext)
def list_users(request, role: Role | None = None, is_active: bool | None = None, q: str = ""):
    """本人可见范围内的用户;`role` 按角色筛选(如 micro_grid_worker)。"""
    qs = queries.users_visible(request.auth, role=role, is_active=is_active, q=q)
    return qs.prefetch_related("assignments__region", "assignments__department")
