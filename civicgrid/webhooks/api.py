"""/api/v1/webhooks: subscriptions and their delivery log, for the system administrator."""

from datetime import datetime

from ninja import Field, Router, Schema, Status

from civicgrid.api.errors import ErrorOut
from civicgrid.api.params import Id
from civicgrid.core import errors
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.webhooks import actions
from civicgrid.webhooks.choices import EVENTS
from civicgrid.webhooks.models import Attempt, Subscription

router = Router(tags=["事件推送 webhooks"])


class SubscriptionIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    url: str = Field(max_length=300, description="接收地址(http/https)")
    events: list[str] = Field(description="事件类型:" + "、".join(EVENTS))


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    failures_in_a_row: int
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime


class CreatedOut(SubscriptionOut):
    secret: str = Field(description="签名密钥(whsec_…),只显示这一次")


class AttemptOut(Schema):
    event_id: str
    event_type: str
    at: datetime
    status: int | None
    error: str
    duration_ms: int
    delivery_state: str


class ActiveIn(Schema):
    is_active: bool


def _require(user):
    if not has_perm_anywhere(user, actions.MANAGE):
        raise errors.Forbidden()


@router.get("/events", response={200: dict[str, str], 401: ErrorOut, 403: ErrorOut})
def events(request):
    """可订阅的事件类型。"""
    _require(request.auth)
    return EVENTS


@router.get("/subscriptions", response={200: list[SubscriptionOut], 401: ErrorOut, 403: ErrorOut})
def subscriptions(request):
    _require(request.auth)
    return list(Subscription.objects.all())


@router.post("/subscriptions", response={201: CreatedOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def create(request, body: SubscriptionIn):
    """登记订阅:推送按 Standard Webhooks 签名(webhook-id、webhook-timestamp、webhook-signature)。"""
    row, secret = actions.create_subscription(actor=request.auth, name=body.name, url=body.url, events=body.events)
    return Status(201, {**SubscriptionOut.from_orm(row).dict(), "secret": secret})


@router.post("/subscriptions/{subscription_id}/active",
             response={200: SubscriptionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def set_active(request, subscription_id: Id, body: ActiveIn):
    """暂停或恢复推送(恢复后失败计数清零)。"""
    return actions.set_active(actor=request.auth, subscription_id=subscription_id, is_active=body.is_active)


@router.get("/subscriptions/{subscription_id}/attempts",
            response={200: list[AttemptOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def attempts(request, subscription_id: Id):
    """推送记录:最近 200 次尝试及对方的响应码。"""
    _require(request.auth)
    if not Subscription.objects.filter(pk=subscription_id).exists():
        raise errors.NotFound("订阅不存在", code="subscription_not_found")
    rows = (Attempt.objects.filter(delivery__subscription_id=subscription_id)
            .select_related("delivery__event").order_by("-id")[:200])
    return [{"event_id": a.delivery.event.event_id, "event_type": a.delivery.event.type, "at": a.at,
             "status": a.status, "error": a.error, "duration_ms": a.duration_ms,
             "delivery_state": a.delivery.state} for a in rows]
