"""Idempotent creates: a retried submission with the same key returns what the first one made.

The key stands for one request: a hash of its body is kept with it, so the same key sent with a different
body (a second report, another photo) is refused (422 `idempotency_key_reused`) instead of being answered
with the first one's object.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from civicgrid.core import crypto, errors, sql
from civicgrid.core.models import IdempotencyKey

T = TypeVar("T")


class Digest(str):
    """A body's fingerprint, worked out already (`fingerprint`): passed as `body`, it is used as it is."""


def fingerprint(body: Any) -> Digest:
    """A keyed SHA-256 (bodies may hold ID numbers) of a canonical form of a request's validated input: JSON
    with sorted keys, where bytes (an uploaded file) stand as their own SHA-256, dataclasses and pydantic
    models as their fields, dates as ISO text and model instances as their label and id. A phone's retry of
    the same body gives the same digest."""
    if isinstance(body, Digest):
        return body
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_canonical)
    return Digest(crypto.keyed_hash(text.encode(), purpose="idempotency"))


def _canonical(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):  # pydantic (ninja schemas)
        return value.model_dump(mode="python")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if hasattr(value, "_meta") and hasattr(value, "pk"):  # a model instance
        return [value._meta.label, value.pk]
    if hasattr(value, "_asdict"):  # a named tuple
        return value._asdict()
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


REUSED_MESSAGE = "该幂等键已用于另一个不同的请求,请为新的提交使用新的幂等键"


def replay(*, key: str | None, actor, action: str, model, body: Any):
    """What an earlier call with this key made, or None: the first half of `run_once`, for an action that
    writes in its own body. Same key with another body: 422 `idempotency_key_reused`. Inside the
    action's transaction."""
    if not key:
        return None
    if len(key) > 100:
        raise errors.ValidationFailed("幂等键过长(最多100个字符)", code="idempotency_key_too_long")
    existing = _earlier(_actor_id(actor), action, key)
    if existing is None:
        return None
    object_id, earlier_digest = existing
    if earlier_digest and earlier_digest != fingerprint(body):  # keys stored before bodies were hashed match any
        raise errors.ValidationFailed(REUSED_MESSAGE, code="idempotency_key_reused")
    return model.objects.get(pk=object_id)


def remember(*, key: str | None, actor, action: str, obj, body: Any) -> None:
    """Store the key with what it made: the second half of `run_once`. No savepoint: a concurrent twin
    that committed first makes the key's insert fail, and the Conflict raised here rolls back the
    caller's whole transaction, as a lost race must."""
    if not key:
        return
    try:
        sql.insert(IdempotencyKey(
            key=key, actor_id=_actor_id(actor), action=action, body_hash=fingerprint(body),
            object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk),
        ))
    except IntegrityError as exc:
        _lost_race(exc)


def run_once(*, key: str | None, actor, action: str, model, create: Callable[[], T], body: Any) -> tuple[T, bool]:
    """Run `create()` once per (actor, action, key); returns (object, created). `body`: the validated
    input the object is made from (see `fingerprint`); an earlier call with the same key and another body
    is 422 `idempotency_key_reused`, and nothing is written.

    Must be called inside the action's transaction. A concurrent duplicate loses on the unique
    constraint and gets 409 `idempotency_in_progress`.
    """
    digest = fingerprint(body) if key else None
    earlier = replay(key=key, actor=actor, action=action, model=model, body=digest)
    if earlier is not None:
        return earlier, False
    try:
        obj = create()
    except IntegrityError as exc:
        _lost_race(exc)
    remember(key=key, actor=actor, action=action, obj=obj, body=digest)
    return obj, True


def _actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def create_once(*, key: str | None, actor, action: str, model, create: Callable[[], T], body: Any
                ) -> tuple[T, bool]:
    """`run_once` in a transaction of its own (the body is hashed before it opens)."""
    digest = fingerprint(body) if key else None
    try:
        with transaction.atomic():
            return run_once(key=key, actor=actor, action=action, model=model, create=create, body=digest)
    except IntegrityError as exc:
        _lost_race(exc)


def _lost_race(exc: IntegrityError):
    if "idempotency" not in str(exc).lower():
        raise exc  # create()'s own constraint, not the twin's key
    raise errors.Conflict("重复提交正在处理,请稍后重试", code="idempotency_in_progress") from None


def _earlier(actor_id, action: str, key: str) -> tuple[str, str] | None:
    """The object id an earlier call with this key made and its body's hash, if any (every retried create
    asks this)."""
    anonymous = actor_id is None
    lookup = sql.statement(f"idempotency_lookup_{anonymous}", lambda: (
        f"SELECT object_id, body_hash FROM {sql.table(IdempotencyKey)} WHERE {sql.quote('key')} = %s AND action = %s "
        f"AND actor_id {'IS NULL' if anonymous else '= %s'}"))
    row = sql.fetchone(lookup, [key, action] if anonymous else [key, action, actor_id])
    return (row[0], row[1]) if row else None
