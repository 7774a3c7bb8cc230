"""/api/v1/open311/keys: the system administrator issues, lists and revokes Open311 client keys."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from civicgrid.api.errors import ErrorOut
from civicgrid.api.params import Id
from civicgrid.core import errors
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.open311 import actions
from civicgrid.open311.models import ApiKey

router = Router(tags=["Open311 接口密钥 open311"])


class KeyIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    jurisdiction_id: str = Field("", max_length=20, description="本区或街道编码;空为本区")
    contact: str = Field("", max_length=120)
    rate_per_minute: int = Field(60, ge=1, le=6000)


class KeyOut(Schema):
    id: int
    name: str
    contact: str
    prefix: str
    jurisdiction_id: str
    rate_per_minute: int
    is_active: bool
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedOut(KeyOut):
    api_key: str = Field(description="只显示这一次;系统只保存其哈希")


def _out(key: ApiKey, **extra) -> dict:
    # the first assignment by id, read from the list's prefetch (one query for all keys, not one per key)
    assignment = min(key.user.assignments.all(), key=lambda a: a.pk, default=None)
    return {"id": key.pk, "name": key.name, "contact": key.contact, "prefix": key.prefix,
            "jurisdiction_id": assignment.region.code if assignment and assignment.region else "",
            "rate_per_minute": key.rate_per_minute, "is_active": key.is_active, "created_at": key.created_at,
            "revoked_at": key.revoked_at, "last_used_at": key.last_used_at, **extra}


def _require(user):
    if not has_perm_anywhere(user, actions.MANAGE):
        raise errors.Forbidden()


@router.get("/keys", response={200: list[KeyOut], 401: ErrorOut, 403: ErrorOut})
def keys(request):
    """所有接口密钥(只显示前缀)。需要系统管理员权限。"""
    _require(request.auth)
    return [_out(k) for k in ApiKey.objects.select_related("user").prefetch_related("user__assignments__region")]


@router.post("/keys", response={201: IssuedOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def issue(request, body: KeyIn):
    """签发密钥:返回的 api_key 只出现这一次。客户端以它 POST /open311/v2/requests。"""
    raw, key = actions.issue_key(actor=request.auth, name=body.name, jurisdiction_code=body.jurisdiction_id,
                                 contact=body.contact, rate_per_minute=body.rate_per_minute)
    return Status(201, _out(key, api_key=raw))


@router.post("/keys/{key_id}/revoke", response={200: KeyOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def revoke(request, key_id: Id):
    """撤销密钥:此后用它提交的请求一律 403。"""
    return _out(actions.revoke_key(actor=request.auth, key_id=key_id))
