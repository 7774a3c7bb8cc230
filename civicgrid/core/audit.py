"""Writing the audit log. Call `record` inside the action's transaction so the entry and the change
commit together; denials are recorded outside any transaction by `scoping.require`."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicgrid.core import context, fastsql
from civicgrid.core.models import AuditChainHead, AuditEvent, AuditResult


def _canonical(event: AuditEvent) -> str:
    return json.dumps(
        [
            event.ts.astimezone(UTC).isoformat(), event.actor_id, event.actor_username, event.ip, event.action,
            event.object_type, event.object_id, event.fields, event.result, event.reason, event.details,
        ],
        ensure_ascii=False, sort_keys=True, default=str,
    )


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def record(**entry) -> AuditEvent:
    """Write one audit entry (arguments: those of `build`) after the last, inside the caller's
    transaction when there is one."""
    event = build(**entry)
    append(event)
    return event


def build(
    *,
    actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    fields: str | list[str] = "",
    result: str = AuditResult.OK,
    reason: str = "",
    details: dict | None = None,
    ts=None,
) -> AuditEvent:
    """The entry `record` would write, not yet chained: an action that builds it before taking the write
    lock fills in what it learns inside (the new object's id) and then calls `append`."""
    info = context.current()
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        ts=ts or timezone.now(),
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        actor_roles=",".join(sorted(actor.role_codes())) if authenticated and hasattr(actor, "role_codes") else "",
        ip=info.ip,
        user_agent=info.user_agent,
        request_id=info.request_id,
        channel=info.channel,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        fields=",".join(fields) if isinstance(fields, list | tuple) else fields,
        result=result,
        reason=reason[:200],
        details=details or {},
    )


def append(event: AuditEvent) -> None:
    """Chain `event` after the last entry and write it."""
    if transaction.get_connection().in_atomic_block:
        _append(event)  # the caller's transaction makes the append atomic; no savepoint needed
    else:
        with transaction.atomic():
            _append(event)


def _append(event: AuditEvent) -> None:
    """Lock the chain head, insert the event after it, move the head. Inside `fastsql.batched()` the lock
    travels with the writes waiting before it and the insert and move with those after."""
    head_table = fastsql.table(AuditChainHead)
    head_sql = fastsql.statement("audit_head",
                                 lambda: f"SELECT last_hash FROM {head_table} WHERE id = 1{fastsql.for_update()}")
    row = fastsql.fetchone(head_sql)
    if row is None:  # the first event ever: make the head, then lock it like everyone else
        AuditChainHead.objects.get_or_create(pk=1)
        row = fastsql.fetchone(head_sql)
    event.prev_hash = row[0]
    event.hash = chain_hash(row[0], event)
    fastsql.insert(event, pk=False)
    fastsql.execute(fastsql.statement("audit_move_head", lambda: f"UPDATE {head_table} SET last_hash = %s WHERE id = 1"),
                    [event.hash])


def verify_chain() -> tuple[int, int | None]:
    """Walk the chain from the first row; returns (rows checked, id of the first broken row or None)."""
    prev = ""
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or chain_hash(prev, event) != event.hash:
            return checked, event.pk
        prev = event.hash
        checked += 1
    return checked, None
