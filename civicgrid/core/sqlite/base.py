"""Django's SQLite backend with a writer queue shared by all processes on the machine.

SQLite lets one writer in at a time and makes the others poll (its busy handler sleeps 1, 2, 5, 10 …
ms between tries), so two gunicorn workers writing at once waste most of a wait asleep. Here every
transaction first takes an exclusive `flock` on a file beside the database, waiting in short steps,
and only then runs `BEGIN IMMEDIATE`; the lock is released at commit or rollback. A write statement
outside a transaction (autocommit) queues the same way for its own duration — polling SQLite's lock it
would starve behind the queue's quick hand-overs. Tools that do not use this backend still meet SQLite's
own lock, so correctness never depends on the queue. See docs/architecture.md ("SQLite: the writer
queue").
"""

from __future__ import annotations

import fcntl
import os
import re
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

from civicgrid.core import fastsql

_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


class DatabaseWrapper(base.DatabaseWrapper):
    _queue_fd: int | None = None
    _queued = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(self._queue_autocommit_write)

    # core/fastsql may skip it: it bypasses Django's cursor only inside a transaction
    @fastsql.safe_to_bypass
    def _queue_autocommit_write(self, execute, sql, params, many, context):
        if self._queued or self.in_atomic_block or not _WRITE.match(sql):
            return execute(sql, params, many, context)
        self._enter_queue()
        try:
            return execute(sql, params, many, context)
        finally:
            self._leave_queue()

    def _queue_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or name == ":memory:" or "mode=memory" in name:
            return None
        return name + "-writers.lock"

    def _enter_queue(self) -> None:
        if self._queued or self.transaction_mode is None:
            return
        if self._queue_fd is None:
            path = self._queue_path()
            if path is None:
                return
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        pause = 0.0002
        while True:
            try:
                fcntl.flock(self._queue_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked (writer queue)") from None
                time.sleep(pause)
                pause = min(pause * 1.5, 0.002)
        self._queued = True

    def _leave_queue(self) -> None:
        if self._queued and self._queue_fd is not None:
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)
        self._queued = False

    def _start_transaction_under_autocommit(self):
        self._enter_queue()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None
