"""Sending one delivery: claim it (a conditional UPDATE, so two workers never send the same attempt), POST
the signed body outside any transaction, then record the answer. Failures are retried with exponential
backoff; after the last attempt the delivery is given up, and a subscription whose deliveries keep failing
is disabled and its administrators are told."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from civicgrid.core import audit, clock
from civicgrid.webhooks import signing
from civicgrid.webhooks.choices import DeliveryState
from civicgrid.webhooks.models import Attempt, Delivery, Subscription

LEASE = timedelta(minutes=2)  # a claimed attempt that never reports back is retried after this


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: 30 s, 1 min, 2 min, … doubling, at most 6 hours."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def _claim(pk: int, now) -> Delivery | None:
    claimed = Delivery.objects.filter(pk=pk, state=DeliveryState.PENDING, next_attempt_at__lte=now,
                                      subscription__is_active=True).update(
        attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
    if not claimed:
        return None
    return Delivery.objects.select_related("event", "subscription").get(pk=pk)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            return answer.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:200]


def attempt(pk: int) -> str | None:
    """Try delivery `pk` once if it is due; its new state, or None when it was not due or taken."""
    now = clock.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    event, subscription = delivery.event, delivery.subscription
    body = json.dumps({"id": event.event_id, **event.payload}, ensure_ascii=False, separators=(",", ":")).encode()
    started = time.monotonic()
    status, error = _post(subscription.url, body,
                          signing.headers(subscription.secret, event.event_id, int(now.timestamp()), body))
    took = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        Attempt.objects.create(delivery=delivery, at=now, status=status, error=error, duration_ms=took)
        delivery.last_status, delivery.last_error = status, error
        if ok:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = DeliveryState.SUCCEEDED, clock.now(), None
            Subscription.objects.filter(pk=subscription.pk).update(failures_in_a_row=0)
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            _count_failure(subscription)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["state", "delivered_at", "next_attempt_at", "last_status", "last_error"])
    if delivery.state == DeliveryState.PENDING:
        _retry_later(delivery)
    return delivery.state


def _retry_later(delivery: Delivery) -> None:
    from civicgrid.webhooks import tasks

    try:
        tasks.deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    except Exception:  # a backend without deferred tasks: the periodic sweep (deliver_due) sends it
        pass


def _count_failure(subscription: Subscription) -> None:
    from civicgrid.cases.models import Notification

    row = Subscription.objects.select_for_update().get(pk=subscription.pk)
    row.failures_in_a_row += 1
    if row.failures_in_a_row >= settings.WEBHOOK_DISABLE_AFTER and row.is_active:
        row.is_active, row.disabled_at = False, clock.now()
        row.disabled_reason = f"连续 {row.failures_in_a_row} 次推送全部失败,已自动停用"
        Delivery.objects.filter(subscription=row, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED, next_attempt_at=None)
        audit.record(actor=None, action="webhooks.disable_subscription", obj=row,
                     details={"reason": row.disabled_reason})
        admins = _administrators(row)
        Notification.objects.bulk_create([
            Notification(user_id=pk, kind="webhook_disabled", text=f"事件推送“{row.name}”{row.disabled_reason}")
            for pk in admins])
    row.save(update_fields=["failures_in_a_row", "is_active", "disabled_at", "disabled_reason"])


def _administrators(subscription: Subscription) -> set[int]:
    from civicgrid.accounts.models import RoleAssignment

    ids = set(RoleAssignment.objects.filter(role="system_admin", is_active=True, user__is_active=True)
              .values_list("user_id", flat=True))
    if subscription.created_by_id:
        ids.add(subscription.created_by_id)
    return ids


def due(now=None, limit: int = 500) -> list[int]:
    now = now or clock.now()
    return list(Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now,
                                        subscription__is_active=True)
                .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
