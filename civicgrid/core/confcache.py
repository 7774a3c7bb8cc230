"""A per-process cache of rarely changing configuration that every intake reads (categories, routing
rules, regions, the workers of a place, workflow rows, the calendar).

The cache is keyed by the token in `ConfigVersion`: `current()` reads it (one primary-key lookup) and
hands back the snapshot built for that token, or a fresh empty one. Writers change the token in their own
transaction — through the save/delete signals of the watched models, or `bump()` after bulk writes — so
the next request in any process sees the change, and a rolled-back change restores the old token
(whose snapshot holds only committed data). Snapshots fill lazily and are read-only to their users.
"""

from __future__ import annotations

import contextvars
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from civicgrid.core import context
from civicgrid.core.models import ConfigVersion

T = TypeVar("T")
_TABLE = ConfigVersion._meta.db_table


class Snapshot:
    def __init__(self, token: str):
        self.token = token
        self._values: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], T]) -> T:
        """The cached value for `key`, loaded once per snapshot."""
        try:
            return self._values[key]
        except KeyError:
            pass
        value = load()
        with self._lock:
            return self._values.setdefault(key, value)


_snapshot: Snapshot | None = None
# within one request the token is read once: (the request's RequestInfo, its snapshot)
_request_memo: contextvars.ContextVar[tuple[object, Snapshot] | None] = contextvars.ContextVar(
    "civicgrid_confcache", default=None)


def _read_token() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else ""


def current() -> Snapshot:
    """The snapshot for the configuration as this connection sees it now — read once per request (a
    change this request makes itself, `bump()`, is seen at once)."""
    request = context.current()
    memo = _request_memo.get()
    if memo is not None and memo[0] is request and request is not context.NO_REQUEST:
        return memo[1]
    return _use(_read_token(), request)


# the version token as a scalar subquery: the API's token look-up, every request's first statement, reads
# it in the same round trip and hands it to `adopt`
TOKEN_SUBQUERY = f"(SELECT token FROM {_TABLE} WHERE id = 1)"


def adopt(token: str | None) -> None:
    """Take the version token that the request's first statement read (`TOKEN_SUBQUERY`), so `current()`
    needs no round trip of its own in this request."""
    request = context.current()
    if request is not context.NO_REQUEST:
        _use(token or "", request)


def _use(token: str, request) -> Snapshot:
    global _snapshot
    snap = _snapshot
    if snap is None or snap.token != token:
        snap = _snapshot = Snapshot(token)
    _request_memo.set((request, snap))
    return snap


def bump() -> None:
    """Mark the configuration changed; call inside the transaction that changed it."""
    token = uuid.uuid4().hex
    _request_memo.set(None)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_TABLE} SET token = %s WHERE id = 1", [token])
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO {_TABLE} (id, token) VALUES (1, %s)", [token])


def _on_save(fields: frozenset[str] | None):
    def handler(sender, update_fields=None, raw=False, **kwargs):
        if raw or (fields is not None and update_fields is not None and not fields & set(update_fields)):
            return
        bump()
    return handler


def _on_change(sender, **kwargs):
    bump()


_handlers: list = []  # signal receivers are weak references by default: keep ours alive


def watch(model, *, fields: Iterable[str] | None = None, m2m: Iterable = ()) -> None:
    """Bump on every save and delete of `model` (saves that only touch other fields than `fields` are
    ignored, e.g. a login's `last_login`) and on changes of the given many-to-many relations."""
    on_save = _on_save(frozenset(fields) if fields is not None else None)
    _handlers.append(on_save)
    post_save.connect(on_save, sender=model, dispatch_uid=f"confcache-save-{model._meta.label}")
    post_delete.connect(_on_change, sender=model, dispatch_uid=f"confcache-delete-{model._meta.label}")
    for through in m2m:
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"confcache-m2m-{through._meta.label}")
