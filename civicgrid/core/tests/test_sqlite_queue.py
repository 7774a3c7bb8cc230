"""The SQLite backend's writer queue (civicgrid.core.sqlite): a transaction holds it from BEGIN to
COMMIT or ROLLBACK, a second writer waits for it instead of polling SQLite's lock, and it never
outlives the transaction."""

import threading
import time

import pytest
from django.db import OperationalError, connection

from civicgrid.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")


def _wrapper(path, alias, timeout=5):
    settings = {**connection.settings_dict, "NAME": str(path), "TEST": {}}
    settings["OPTIONS"] = {**settings["OPTIONS"], "timeout": timeout}
    return DatabaseWrapper(settings, alias)


@pytest.fixture
def pair(tmp_path, django_db_blocker):
    """Two connections to a scratch database file of their own (not the test database)."""
    with django_db_blocker.unblock():
        first, second = _wrapper(tmp_path / "q.sqlite3", "q1"), _wrapper(tmp_path / "q.sqlite3", "q2", timeout=0.3)
        with first.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
        yield first, second
        first.close()
        second.close()


def test_a_second_writer_waits_for_the_first_and_then_proceeds(pair):
    first, second = pair
    order = []
    with _atomic(first):
        with first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        assert first._queued
        with pytest.raises(OperationalError, match="writer queue"):
            _begin(second)  # 0.3 s timeout: still queued behind the first
        def wait_then_write():
            third = _wrapper(first.settings_dict["NAME"], "q3")  # a connection of the waiting thread's own
            _begin(third)
            order.append("second")
            third.close()

        waiter = threading.Thread(target=wait_then_write)
        waiter.start()
        time.sleep(0.2)
        order.append("first commits")
    waiter.join(5)
    assert order == ["first commits", "second"]
    assert not first._queued


def test_rollback_releases_the_queue(pair):
    first, second = pair
    with pytest.raises(RuntimeError), _atomic(first):
        with first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError
    assert not first._queued
    _begin(second)  # would time out if the lock had leaked


def test_memory_databases_have_no_queue(tmp_path):
    wrapper = _wrapper(":memory:", "mem")
    assert wrapper._queue_path() is None
    wrapper.close()


class _atomic:
    """transaction.atomic for a connection that is not in settings.DATABASES."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def __enter__(self):
        self.wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.wrapper.commit()
        else:
            self.wrapper.rollback()
        self.wrapper.set_autocommit(True)
        return False


def _begin(wrapper):
    with _atomic(wrapper):
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")


def test_a_write_outside_a_transaction_queues_too(pair):
    first, second = pair
    with _atomic(first):
        with first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(OperationalError, match="writer queue"), second.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")  # autocommit, 0.3 s timeout: waits in the queue
    with second.cursor() as cursor:
        cursor.execute("UPDATE t SET n = 3")  # the queue is free again
        cursor.execute("SELECT count(*) FROM t WHERE n = 3")
        assert cursor.fetchone() == (1,)
    assert not second._queued


def test_the_wal_is_checkpointed_after_the_queue_is_left_not_inside_a_commit(pair, monkeypatch):
    """SQLite's own checkpoint would copy the WAL and fsync inside a commit, holding up every other
    writer; here the commit's automatic one only starts at a backstop size, and every CHECKPOINT_EVERY
    commits the process checkpoints (PASSIVE) once it has left the queue."""
    from civicgrid.core.sqlite import base

    first, _ = pair
    with first.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == base.AUTOCHECKPOINT_BACKSTOP
    monkeypatch.setattr(base, "CHECKPOINT_EVERY", 3)
    held_during_checkpoint = []
    real = base.DatabaseWrapper.checkpoint
    monkeypatch.setattr(base.DatabaseWrapper, "checkpoint",
                        lambda self: (held_during_checkpoint.append(self._queued), real(self)))
    for n in range(7):
        with _atomic(first), first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (%s)", [n])
    assert held_during_checkpoint == [False, False]  # after the 3rd and 6th commits, outside the queue
    with first.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, frames, copied = cursor.fetchone()
    assert busy == 0 and frames - copied <= 2  # only the 7th commit's pages wait in the WAL
