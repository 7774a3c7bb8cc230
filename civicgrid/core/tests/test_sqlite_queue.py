"""The SQLite backend's writer queue (civicgrid.core.sqlite): a transaction holds it from BEGIN to COMMIT
or ROLLBACK, a second writer waits for it instead of polling SQLite's lock, it never outlives the
transaction, and a write outside any transaction still gets through while writers hand it over."""

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
def path(tmp_path, django_db_blocker):
    """A scratch database file of its own (not the test database) with one table."""
    with django_db_blocker.unblock():
        first = _wrapper(tmp_path / "q.sqlite3", "setup")
        with first.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
        first.close()
        yield tmp_path / "q.sqlite3"


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


def _write(wrapper, n=2):
    with _atomic(wrapper), wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (%s)", [n])


def test_a_second_writer_waits_in_the_queue_and_then_proceeds(path):
    first, impatient = _wrapper(path, "q1"), _wrapper(path, "q2", timeout=0.3)
    order = []
    with _atomic(first):
        with first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        assert first._queued
        with pytest.raises(OperationalError, match="writer queue"):
            _write(impatient)  # 0.3 s: still queued behind the first, SQLite's lock never asked

        def wait_then_write():
            patient = _wrapper(path, "q3")
            _write(patient)
            order.append("second")
            patient.close()

        waiter = threading.Thread(target=wait_then_write)
        waiter.start()
        time.sleep(0.2)
        order.append("first commits")
    waiter.join(5)
    assert order == ["first commits", "second"]
    assert not first._queued
    first.close()
    impatient.close()


def test_rollback_and_close_release_the_queue(path):
    first, second = _wrapper(path, "q1"), _wrapper(path, "q2", timeout=0.3)
    with pytest.raises(RuntimeError), _atomic(first):
        with first.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError
    assert not first._queued
    _write(second)  # would time out if the rollback had kept the queue
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (3)")
    assert first._queued
    first.close()  # a worker that dies mid-transaction: its connection closes, the queue moves on
    _write(second)
    second.close()


def test_memory_databases_have_no_queue(django_db_blocker):
    with django_db_blocker.unblock():
        wrapper = _wrapper(":memory:", "mem")
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
        _write(wrapper)
        assert wrapper._queue_fd is None
        wrapper.close()


def test_a_write_outside_a_transaction_is_not_starved_by_queued_writers(path):
    """Two writers hand the queue back and forth as fast as they can; a plain autocommit write (a
    last-login update, a tool that does not use this backend) meanwhile polls SQLite's own lock in the
    busy handler and must still get through, each well within the busy timeout."""
    stop = threading.Event()
    errors = []

    def hammer(alias):
        wrapper = _wrapper(path, alias)
        try:
            while not stop.is_set():
                _write(wrapper)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            wrapper.close()

    writers = [threading.Thread(target=hammer, args=(f"h{i}",)) for i in range(2)]
    for t in writers:
        t.start()
    lone = _wrapper(path, "lone", timeout=5)
    lone.set_autocommit(True)
    done = 0
    try:
        for _ in range(5):
            with lone.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (9)")  # raises "database is locked" if starved for 5 s
            done += 1
    finally:
        stop.set()
        for t in writers:
            t.join(10)
        lone.close()
    assert done == 5 and errors == []
