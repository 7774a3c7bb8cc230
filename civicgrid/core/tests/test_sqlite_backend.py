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
    monkeypatch.setattr(base, "CHECKPOINT_EVERY", 3)
    in_transaction = []
    real = base.DatabaseWrapper.checkpoint
    monkeypatch.setattr(base.DatabaseWrapper, "checkpoint",
                        lambda self: (in_transaction.append(self.connection.in_transaction), real(self)))
    scratch._commits = 0
    for n in range(7):
        scratch.set_autocommit(False)
        with scratch.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (%s)", [n])
        scratch.commit()
        scratch.set_autocommit(True)
    assert in_transaction == [False, False]  # after the 3rd and 6th commits, outside the transaction
