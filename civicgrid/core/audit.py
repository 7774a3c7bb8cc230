"""Writing the audit log. Call `record` inside the action's transaction so the entry and the change
commit together; denials are recorded outside any transaction by `scoping.require`.

Each row stores `hash = sha256(prev_hash + canonical row)` and the one-row `AuditChainHead` keeps the
last hash, so `verify_chain` finds an edited, inserted or deleted row, the newest ones included. The
canonical row holds every stored field but the id (given by the database after hashing; the chain's
links fix the order) and the two hashes: the list comes from the model, so a new field is hashed too,
and the rows written before it (where it is empty) keep their hashes.
"""

from __future__ import annotations

import hashlib
import json
import operator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from civicgrid.core import context, sql
from civicgrid.core.models import AuditChainHead, AuditEvent, AuditResult
from civicgrid.core.sqlite.base import SHA256_HEX

# the fields each row's hash covers (attnames: actor_id, not actor)
HASHED_FIELDS = tuple(f.attname for f in AuditEvent._meta.concrete_fields if f.name not in {"id", "prev_hash", "hash"})
_hashed_values = operator.attrgetter(*HASHED_FIELDS)
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode
# Chain format 2 hashes HASHED_FIELDS by name (canonical_row). Format 1 (before issue 13) hashed eleven of them, leaving
# out actor_roles, user_agent, request_id and channel; rows written then still verify by that rule, and
# verify_audit counts them. The chain switches once: no format-1 row may follow a format-2 row.
FORMAT = 2
FORMAT_1_UNCOVERED = ("actor_roles", "user_agent", "request_id", "channel")


def canonical_row(names: tuple[str, ...], values: tuple, fmt: int) -> str:
    """`[fmt, name, value, name, value, …]` as JSON, datetimes in UTC. Empty values are left out, so a
    field added to a model later (empty on the rows written before) leaves their hashes as they were.
    The case event chain uses it too."""
    row: list = [fmt]
    for name, value in zip(names, values, strict=True):
        if value:
            row += (name, value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value)
    return _encode(row)


def _canonical(event: AuditEvent) -> str:
    return canonical_row(HASHED_FIELDS, _hashed_values(event), FORMAT)


def _canonical_format_1(event: AuditEvent) -> str:
    return json.dumps(
        [
            event.ts.astimezone(UTC).isoformat(), event.actor_id, event.actor_username, event.ip, event.action,
            event.object_type, event.object_id, event.fields, event.result, event.reason, event.details,
        ],
        ensure_ascii=False, sort_keys=True, default=str,
    )


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def _chain_hash_format_1(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical_format_1(event)).encode()).hexdigest()


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
    """The entry `record` writes, not yet chained (`append` chains and writes it)."""
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
    """Lock the chain head, insert the event after it, move the head (statements built once: every write
    of the project runs them). PostgreSQL does all three in one statement, the hash computed by the server;
    SQLite in two, the head moved by an UPDATE … RETURNING whose hash comes from a function its backend
    registers on every connection (core/sqlite/base.py)."""
    head_table = sql.table(AuditChainHead)
    if connection.vendor == "postgresql":
        move = sql.statement("audit_move_head_pg", lambda: (
            f"UPDATE {head_table} SET prev_hash = last_hash, "
            "last_hash = encode(sha256(convert_to(last_hash || %s, 'UTF8')), 'hex') WHERE id = 1 "
            "RETURNING prev_hash, last_hash AS hash"))
        canonical = _canonical(event)
        _at_head(lambda: sql.insert_from(event, move, [canonical], ("prev_hash", "hash")))
        return
    if connection.vendor == "sqlite" and connection.features.can_return_columns_from_insert:  # RETURNING
        move = sql.statement("audit_move_head_sqlite", lambda: (
            f"UPDATE {head_table} SET prev_hash = last_hash, last_hash = {SHA256_HEX}(last_hash || %s) "
            "WHERE id = 1 RETURNING prev_hash, last_hash"))
        canonical = _canonical(event)
        event.prev_hash, event.hash = _at_head(lambda: sql.fetchone(move, [canonical]))
        sql.insert(event)
        return
    head_sql = sql.statement("audit_head", lambda: f"SELECT last_hash FROM {head_table} WHERE id = 1{sql.for_update()}")
    row = _at_head(lambda: sql.fetchone(head_sql))
    event.prev_hash = row[0]
    event.hash = chain_hash(row[0], event)
    sql.insert(event)
    sql.execute(sql.statement("audit_move_head", lambda: (
        f"UPDATE {head_table} SET prev_hash = last_hash, last_hash = %s WHERE id = 1")), [event.hash])


def _at_head(attempt):
    """What `attempt()` answers at the chain head; before the first event ever there is no head (a falsy
    answer): make it, then attempt again like everyone else. An entry is never left unwritten."""
    found = attempt()
    if not found:
        AuditChainHead.objects.get_or_create(pk=1)
        found = attempt()
        if not found:
            raise RuntimeError("the audit chain head vanished while an entry was appended")
    return found


class ChainCheck(NamedTuple):
    checked: int  # rows that verified
    broken_id: int | None  # the first row that does not fit (None: intact, or only the newest rows are gone)
    problem: str  # what is wrong, in plain words; "" when the chain is intact
    format_1: int = 0  # rows written before every field was hashed (see FORMAT)


def _head() -> str | None:
    return AuditChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()


def verify_chain() -> ChainCheck:
    """Walk the chain from the first row, then compare its end with the chain head. Rows appended while
    it walks are walked too: the head is read before each look for newer rows, so it is never ahead of
    the rows that look finds."""
    prev, checked, format_1, last_id = "", 0, 0, 0
    switched = False  # a format-2 row was seen: no format-1 row may follow
    while True:
        head = _head()
        walked = 0
        for event in AuditEvent.objects.filter(id__gt=last_id).order_by("id").iterator(chunk_size=2000):
            walked += 1
            if event.prev_hash != prev:
                after = f"row {last_id}" if last_id else "the start of the log"
                return ChainCheck(checked, event.pk, f"row {event.pk} does not follow {after}: a row between them "
                                  "was deleted, or this one was inserted out of band", format_1)
            if event.hash == chain_hash(prev, event):
                switched = True
            elif not switched and event.hash == _chain_hash_format_1(prev, event):
                format_1 += 1
            else:
                return ChainCheck(checked, event.pk, f"row {event.pk} was changed after it was written: its fields "
                                  "no longer match its hash", format_1)
            prev, last_id = event.hash, event.pk
            checked += 1
        if walked:
            continue  # rows arrived while walking: read the head again and look for more
        if head is None and checked:
            return ChainCheck(checked, None, "the chain head is missing: it was deleted out of band", format_1)
        if (head or "") != prev:
            end = f"ends at row {last_id}" if last_id else "has no row"
            return ChainCheck(checked, None, f"the log {end} but the chain head holds another last hash: the newest "
                              "rows were deleted, or the head was changed out of band", format_1)
        return ChainCheck(checked, None, "", format_1)
