"""The SQLite backend (civicgrid.core.sqlite): the WAL is checkpointed after commits, never inside one."""

import pytest
from django.db import connection

from civicgrid.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")


@pytest.fixture
def scratch(tmp_path, django_db_blocker):
    """A connection to a scratch database file of its own (not the test database)."""
    with django_db_blocker.unblock():
        settings = {**connection.settings_dict, "NAME": str(tmp_path / "q.sqlite3"), "TEST": {}}
        wrapper = DatabaseWrapper(settings, "scratch")
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
        yield wrapper
        wrapper.close()


def test_memory_databases_have_no_file():
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": ":memory:", "TEST": {}}, "mem")
    assert wrapper._file_path() is None
    wrapper.close()


def test_the_wal_is_checkpointed_after_a_commit_not_inside_it(scratch, monkeypatch):
    """SQLite's own checkpoint would copy the WAL and fsync inside a commit, holding up every other
    writer; here the commit's automatic one only starts at a backstop size, and every CHECKPOINT_EVERY
    commits the process checkpoints (PASSIVE) once the commit is done."""
    from civicgrid.core.sqlite import base

    with scratch.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == base.AUTOCHECKPOINT_BACKSTOP
    monkeypatch.setattr(scratch, "checkpoint_every", 3)
    in_transaction = []
    real = base.DatabaseWrapper.checkpoint
    monkeypatch.setattr(base.DatabaseWrapper, "checkpoint",
                        lambda self: (in_transaction.append(self.connection.in_transaction), real(self)))
    scratch._commits = 0
    _commit_rows(scratch, 7)
    assert in_transaction == [False, False]  # after the 3rd and 6th commits, outside the transaction


def _commit_rows(wrapper, count: int) -> None:
    for n in range(count):
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (%s)", [n])
        wrapper.commit()
        wrapper.set_autocommit(True)


def test_bulk_writes_leave_checkpoints_to_the_backstop_then_take_one(scratch, monkeypatch):
    """The demo build writes alone for minutes: no checkpoint every few commits (each copied and synced the
    same hot pages again), one at the end, and the usual rhythm afterwards."""
    from civicgrid.core import sql
    from civicgrid.core.sqlite import base

    taken = []
    monkeypatch.setattr(base.DatabaseWrapper, "checkpoint", lambda self: taken.append(self._commits))
    monkeypatch.setattr(scratch, "checkpoint_every", 3)
    scratch._commits = 0
    with scratch.bulk_writes():
        _commit_rows(scratch, 7)
        assert taken == []
    assert taken == [7] and scratch.checkpoint_every == 3
    _commit_rows(scratch, 2)
    assert taken == [7, 9]
    with sql.bulk_writes():  # the default connection: its own bulk mode, or nothing on another database
        pass


def test_opening_a_connection_keeps_the_process_locks_on_the_database_file(scratch, tmp_path):
    """POSIX locks belong to the process, and closing any descriptor of a file drops all of them. If opening
    a second connection opened and closed the database file (as the 0600 check once did), the first one's
    SHARED lock would be gone unnoticed, another process closing its last connection would take the file
    as unused and delete the WAL and shared memory under us: later reads fail with disk I/O errors
    (SQLITE_IOERR_SHORT_READ, seen in CI after the task-recovery test's worker exited)."""
    import subprocess
    import sys

    with scratch.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    second = DatabaseWrapper({**scratch.settings_dict}, "second")
    second.ensure_connection()
    other = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=WAL');"
             "c.execute('SELECT count(*) FROM t').fetchall(); c.close()")
    subprocess.run([sys.executable, "-c", other, scratch.settings_dict["NAME"]], check=True, timeout=60)
    # the other process saw us and left the WAL and its index in place; both connections read on
    assert (tmp_path / "q.sqlite3-shm").exists() and (tmp_path / "q.sqlite3-wal").exists()
    with second.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (2)")
    with scratch.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 2
    second.close()


def test_statements_are_converted_once_and_answer_as_django_converts_them(scratch, monkeypatch):
    from civicgrid.core.sqlite import base as ours

    monkeypatch.setattr(ours, "_qmark", {})
    statement = "SELECT n, '%%' || %s FROM t WHERE n = %s"
    with scratch.cursor() as cursor:
        cursor.execute("INSERT INTO t (n) VALUES (%s)", [7])
        for _ in range(2):
            cursor.execute(statement, ["x", 7])
            assert cursor.fetchall() == [(7, "%x")]
        cursor.execute("SELECT n FROM t WHERE n = %(n)s", {"n": 7})  # pyformat: converted each time
        assert cursor.fetchall() == [(7,)]
    assert ours._qmark[statement] == "SELECT n, '%' || ? FROM t WHERE n = ?"
    assert len(ours._qmark) == 2

    monkeypatch.setattr(ours, "QMARK_KEEP", 2)
    with scratch.cursor() as cursor:
        cursor.execute("SELECT %s", [1])
    assert list(ours._qmark) == ["SELECT %s"]  # full: started again
    with scratch.cursor() as cursor:
        cursor.execute("SELECT %s, %s" + " " * ours.QMARK_LONGEST, [1, 2])  # too long to keep
    assert len(ours._qmark) == 1
