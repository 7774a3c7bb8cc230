"""Idempotent creates: a retried submission with the same key returns what the first one made."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError

from civicgrid.core import errors, fastsql
from civicgrid.core.models import IdempotencyKey

T = TypeVar("T")


def run_once(*, key: str | None, actor, action: str, model, create: Callable[[], T]) -> tuple[T, bool]:
    """Run `create()` once per (actor, action, key); returns (object, created).

    Must be called inside the action's transaction. A concurrent duplicate loses on the unique
    constraint and gets the winner's object.
    """
    if not key:
        return create(), True
    if len(key) > 100:
        raise errors.ValidationFailed("幂等键过长(最多100个字符)", code="idempotency_key_too_long")
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    existing = _earlier(actor_id, action, key)
    if existing is not None:
        return model.objects.get(pk=existing), False
    try:
        # Writes nobody reads back wait and travel together (fastsql.batched: fewer round trips to
        # PostgreSQL). No savepoint: a concurrent twin that committed first makes the key's insert fail,
        # and the Conflict raised here rolls back the caller's whole transaction, as a lost race must.
        with fastsql.batched():
            obj = create()
            fastsql.insert(IdempotencyKey(
                key=key, actor_id=actor_id, action=action,
                object_type=f"{model._meta.app_label}.{model._meta.model_name}", object_id=str(obj.pk),
            ), pk=False)
    except IntegrityError as exc:
        _lost_race(exc)
    return obj, True


def create_once(*, key: str | None, actor, action: str, model, create: Callable[[], T]) -> tuple[T, bool]:
    """`run_once` in a transaction of its own, `fastsql.atomic()`: on PostgreSQL its BEGIN and COMMIT travel
    with the statements, and the key's insert with the COMMIT — so a twin's key, committed first, is
    found there, after `run_once` has returned."""
    try:
        with fastsql.atomic():
            return run_once(key=key, actor=actor, action=action, model=model, create=create)
    except IntegrityError as exc:
        _lost_race(exc)


def _lost_race(exc: IntegrityError):
    if "idempotency" not in str(exc).lower():
        raise exc  # create()'s own constraint, not the twin's key
    raise errors.Conflict("重复提交正在处理,请稍后重试", code="idempotency_in_progress") from None


def _earlier(actor_id, action: str, key: str) -> str | None:
    """The object id an earlier call with this key made, if any (every retried create asks this)."""
    anonymous = actor_id is None
    sql = fastsql.statement(f"idempotency_lookup_{anonymous}", lambda: (
        f"SELECT object_id FROM {fastsql.table(IdempotencyKey)} WHERE {fastsql.quote('key')} = %s AND action = %s "
        f"AND actor_id {'IS NULL' if anonymous else '= %s'}"))
    row = fastsql.fetchone(sql, [key, action] if anonymous else [key, action, actor_id])
    return row[0] if row else None
