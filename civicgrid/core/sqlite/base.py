"""Django's SQLite backend with owner-only database files and WAL checkpoints kept out of commits.

SQLite checkpoints the WAL inside the commit that takes it past 1,000 pages: the copy and its fsync then
run while that connection holds the write lock, and every other writer waits. Here the commit's own
automatic checkpoint only starts at a backstop size, and each process runs a PASSIVE checkpoint (which
never blocks writers) after every CHECKPOINT_EVERY of its commits. See docs/write-path.md ("SQLite").

Writers queue: every transaction takes an exclusive `flock` on a file beside the database (waiting in short
steps) before its `BEGIN IMMEDIATE`, and lets go at commit, rollback or close. Without it the waiting worker
sits in SQLite's busy handler, which sleeps 1, 2, 5, 10 … ms between tries while the lock stands free: two
gunicorn workers then kept the CPU busy 69% of the time under an intake load, against 82% with the queue
(bench/intake.py, docs/performance.md). A write outside a transaction does not queue; it polls SQLite's lock
and still gets through (core/tests/test_sqlite_queue.py). Tools that bypass this backend meet SQLite's own lock,
so correctness never depends on the queue.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import sqlite3
import time
from collections.abc import Mapping

from django.db import OperationalError
from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY = 32
SHA256_HEX = "civicgrid_sha256_hex"  # an SQL function on every connection: sha256 of a text, in hex


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()

AUTOCHECKPOINT_BACKSTOP = 10_000  # pages (about 40 MB): for writers that never commit through here


def _owner_only(path: str) -> None:
    """The database holds residents' personal data: its file, and the WAL and shared-memory files SQLite
    creates with the database file's mode, are readable by the server's own user only (0600). SQLite
    itself would create the file 0644 (less the umask); an older, wider file is narrowed too.

    An existing file is never opened here: closing any descriptor of a file drops every POSIX lock the
    process holds on it, and with them the SHARED lock of this process's open connections; another process
    would then take the database as unused and delete the WAL under them (core/tests/test_sqlite_backend.py)."""
    try:
        with contextlib.suppress(FileExistsError):  # O_EXCL: an existing file is left unopened
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))  # an empty file is an empty database
        for name in (path, path + "-wal", path + "-shm"):
            if os.path.exists(name) and os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
    except OSError:  # another user's file or a read-only place: SQLite answers for itself on connect
        pass


# format-style statement -> SQLite's qmark style. Statements repeat (the ORM compiles the same text again
# and again), and Django's regex conversion of each was 3% of the demo build's CPU; long statements (bulk
# inserts, long IN lists) are rare and not kept.
_qmark: dict[str, str] = {}
QMARK_KEEP = 2048
QMARK_LONGEST = 8192
_FORMAT = re.compile(r"(?<!%)%s")  # "%s" is a placeholder, "%%" a literal "%" (Django's format style)


class CursorWrapper(base.SQLiteCursorWrapper):
    def execute(self, query, params=None):
        """Django's conversion, kept per statement text; named (pyformat) parameters and long texts go
        through Django's wrapper as before."""
        if params is None or isinstance(params, Mapping) or len(query) > QMARK_LONGEST:
            return super().execute(query, params)
        found = _qmark.get(query)
        if found is None:
            if len(_qmark) >= QMARK_KEEP:
                _qmark.clear()
            found = _qmark[query] = _FORMAT.sub("?", query).replace("%%", "%")
        return sqlite3.Cursor.execute(self, found, params)


class DatabaseWrapper(base.DatabaseWrapper):
    _commits = 0
    _queue_fd: int | None = None
    _queued = False
    checkpoint_every = CHECKPOINT_EVERY  # 0: only the backstop (bulk_writes)

    def _enter_queue(self) -> None:
        """Wait for the writer queue (up to the connection's timeout) unless this connection holds it."""
        path = self._file_path()
        if self._queued or path is None:
            return
        if self._queue_fd is None:
            self._queue_fd = os.open(path + "-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        # short naps: an intake holds the lock about a millisecond, and every nap past its release leaves
        # the database idle; a try costs one system call
        pause = 0.0001
        while True:
            try:
                fcntl.flock(self._queue_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked (writer queue)") from None
                time.sleep(pause)
                pause = min(pause * 1.5, 0.0005)
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

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def get_new_connection(self, conn_params):
        path = self._file_path()
        if path is not None:
            _owner_only(path)
        conn = super().get_new_connection(conn_params)
        if path is not None:
            conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_BACKSTOP}")
        # what PostgreSQL's encode(sha256(…), 'hex') answers: the audit chain moves its head in one statement
        conn.create_function(SHA256_HEX, 1, _sha256_hex, deterministic=True)
        return conn

    def _file_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
            return None
        return name

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()
            self._commits += 1
            if self.checkpoint_every and self._commits % self.checkpoint_every == 0:
                self.checkpoint()

    @contextlib.contextmanager
    def bulk_writes(self):
        """For a process that writes alone for minutes (the demo build): no PASSIVE checkpoint after every
        CHECKPOINT_EVERY commits, each of which copied the same hot pages (audit head, rollups, index roots)
        into the database file again and synced it (2 s of a two-minute build); the backstop keeps the WAL
        bounded, and one checkpoint runs at the end."""
        every, self.checkpoint_every = self.checkpoint_every, 0
        try:
            yield
        finally:
            self.checkpoint_every = every
            self.checkpoint()

    def checkpoint(self) -> None:
        """Copy the WAL's committed pages into the database file without blocking anyone (PASSIVE)."""
        if self.connection is not None and self._file_path() is not None and not self.connection.in_transaction:
            try:
                self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:  # never masks the commit's own outcome; an undone checkpoint waits for the next
                pass
