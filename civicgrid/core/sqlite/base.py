"""Django's SQLite backend with owner-only database files and WAL checkpoints kept out of commits.

SQLite checkpoints the WAL inside the commit that takes it past 1,000 pages: the copy and its fsync then
run while that connection holds the write lock, and every other writer waits. Here the commit's own
automatic checkpoint only starts at a backstop size, and each process runs a PASSIVE checkpoint (which
never blocks writers) after every CHECKPOINT_EVERY of its commits. See docs/write-path.md ("SQLite").

Writers take turns through SQLite's own lock (`BEGIN IMMEDIATE`, busy timeout). A cross-process writer
queue on a lock file used to sit in front of it; a test could not show the starvation it was kept for,
so it went (issue 19).
"""

from __future__ import annotations

import os
import sqlite3

from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY = 32
AUTOCHECKPOINT_BACKSTOP = 10_000  # pages (about 40 MB): for writers that never commit through here


def _owner_only(path: str) -> None:
    """The database holds residents' personal data: its file, and the WAL and shared-memory files SQLite
    creates with the database file's mode, are readable by the server's own user only (0600). SQLite
    itself would create the file 0644 (less the umask); an older, wider file is narrowed too."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # an empty file is an empty database
        for name in (path, path + "-wal", path + "-shm"):
            if os.path.exists(name) and os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
    except OSError:  # another user's file or a read-only place: SQLite answers for itself on connect
        pass


class DatabaseWrapper(base.DatabaseWrapper):
    _commits = 0

    def get_new_connection(self, conn_params):
        path = self._file_path()
        if path is not None:
            _owner_only(path)
        conn = super().get_new_connection(conn_params)
        if path is not None:
            conn.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_BACKSTOP}")
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
            self._commits += 1
            if self._commits % CHECKPOINT_EVERY == 0:
                self.checkpoint()

    def checkpoint(self) -> None:
        """Copy the WAL's committed pages into the database file without blocking anyone (PASSIVE)."""
        if self.connection is not None and self._file_path() is not None and not self.connection.in_transaction:
            try:
                self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:  # never masks the commit's own outcome; an undone checkpoint waits for the next
                pass
