"""Every write about subscriptions: the system administrator registers, pauses and resumes them."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction

from civicgrid.core import audit, errors
from civicgrid.core.scoping import require
from civicgrid.webhooks import signing
from civicgrid.webhooks.choices import EVENTS
from civicgrid.webhooks.models import Subscription

MANAGE = "webhooks.manage_webhooks"


def _check(name: str, url: str, events: list[str]) -> None:
    if not (name or "").strip() or len(name) > 60:
        raise errors.ValidationFailed("请填写名称(最多60个字)", code="name_required")
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 300:
        raise errors.ValidationFailed("接收地址须为 http(s) 网址", code="url_invalid")
    unknown = sorted(set(events) - set(EVENTS))
    if not events or unknown:
        raise errors.ValidationFailed("请选择要推送的事件" if not events else f"未知事件:{'、'.join(unknown)}",
                                      code="events_invalid", details={"known": sorted(EVENTS)})


def create_subscription(*, actor, name: str, url: str, events: list[str]) -> tuple[Subscription, str]:
    """A new subscription and its signing secret, returned this once."""
    require(actor, MANAGE)
    events = sorted(set(events or []))
    _check(name, url, events)
    secret = signing.new_secret()
    with transaction.atomic():
        row = Subscription.objects.create(name=name.strip(), url=url, secret=secret, events=events, created_by=actor)
        audit.record(actor=actor, action="webhooks.create_subscription", obj=row,
                     details={"url": url, "events": events})
    return row, secret


def set_active(*, actor, subscription_id: int, is_active: bool) -> Subscription:
    """Pause or resume; resuming starts the failure count again."""
    require(actor, MANAGE)
    with transaction.atomic():
        row = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if row is None:
            raise errors.NotFound("订阅不存在", code="subscription_not_found")
        row.is_active = is_active
        if is_active:
            row.failures_in_a_row, row.disabled_at, row.disabled_reason = 0, None, ""
        row.save(update_fields=["is_active", "failures_in_a_row", "disabled_at", "disabled_reason"])
        audit.record(actor=actor, action="webhooks.enable_subscription" if is_active
                     else "webhooks.pause_subscription", obj=row)
    return row
