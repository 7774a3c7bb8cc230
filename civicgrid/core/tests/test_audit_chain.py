"""The audit chain covers every stored field and its end: an edit of any field, a deleted row in the
middle and deleted newest rows are each reported, in plain words, by verify_chain and verify_audit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicgrid.core import audit, context
from civicgrid.core.models import AuditChainHead, AuditEvent
from civicgrid.testing import another_value, make_user

pytestmark = pytest.mark.django_db

NOT_HASHED = {"id", "prev_hash", "hash"}  # the database gives the id after hashing; the links fix the order


@pytest.fixture
def rows(tree):
    """Five entries written in a request's context, so every field has a value."""
    user = make_user("alice", "grid_worker", tree.grid_a)
    token = context.bind(context.RequestInfo(ip="10.0.0.7", user_agent="Mozilla/5.0", request_id="req-1",
                                             channel="web"))
    try:
        for i in range(5):
            audit.record(actor=user, action="test.write", object_type="x", object_id=i, fields=["phone"],
                         reason="因工作需要", details={"n": i})
    finally:
        context.reset(token)
    return list(AuditEvent.objects.order_by("id"))


def test_every_stored_field_but_the_id_and_the_hashes_is_hashed():
    stored = {f.attname for f in AuditEvent._meta.concrete_fields}

    assert set(audit.HASHED_FIELDS) == stored - NOT_HASHED
    assert {"actor_roles", "user_agent", "request_id", "channel"} <= set(audit.HASHED_FIELDS)


def test_a_field_added_later_leaves_the_hashes_of_older_rows_alone(rows, monkeypatch):
    import operator

    before = audit.chain_hash(rows[2].prev_hash, rows[2])
    rows[2].added_later = ""  # what the migration gives the rows written before the field existed
    monkeypatch.setattr(audit, "HASHED_FIELDS", (*audit.HASHED_FIELDS, "added_later"))
    monkeypatch.setattr(audit, "_hashed_values", operator.attrgetter(*audit.HASHED_FIELDS))

    assert audit.chain_hash(rows[2].prev_hash, rows[2]) == before == rows[2].hash
    rows[2].added_later = "值"
    assert audit.chain_hash(rows[2].prev_hash, rows[2]) != before


def test_an_intact_chain_verifies(rows):
    assert rows[2].actor_roles and rows[2].user_agent and rows[2].request_id and rows[2].channel
    assert audit.verify_chain() == (5, None, "", 0)


@pytest.mark.parametrize("name", sorted({f.name for f in AuditEvent._meta.concrete_fields} - NOT_HASHED))
def test_an_edit_of_any_field_is_reported(rows, name):
    field = AuditEvent._meta.get_field(name)
    third = rows[2]
    AuditEvent.objects.filter(pk=third.pk).update(
        **{field.attname: another_value(field, getattr(third, field.attname), make_user("bob").pk)})

    check = audit.verify_chain()

    assert (check.checked, check.broken_id) == (2, third.pk)
    assert check.problem == f"row {third.pk} was changed after it was written: its fields no longer match its hash"


def test_a_deleted_row_in_the_middle_is_reported(rows):
    AuditEvent.objects.filter(pk=rows[2].pk).delete()

    check = audit.verify_chain()

    assert (check.checked, check.broken_id) == (2, rows[3].pk)
    assert check.problem == (f"row {rows[3].pk} does not follow row {rows[1].pk}: a row between them was deleted, "
                             "or this one was inserted out of band")


@pytest.mark.parametrize("deleted", [1, 2, 5])
def test_deleted_newest_rows_are_reported(rows, deleted):
    AuditEvent.objects.filter(pk__in=[r.pk for r in rows[-deleted:]]).delete()

    check = audit.verify_chain()

    end = f"ends at row {rows[-deleted - 1].pk}" if deleted < 5 else "has no row"
    assert check == (5 - deleted, None, f"the log {end} but the chain head holds another last hash: the newest "
                     "rows were deleted, or the head was changed out of band", 0)


def test_a_deleted_chain_head_is_reported(rows):
    AuditChainHead.objects.all().delete()

    assert audit.verify_chain().problem == "the chain head is missing: it was deleted out of band"


def test_rows_appended_after_the_head_was_read_still_verify(rows, monkeypatch):
    """verify_chain reads the head, then the rows: a row written in between is walked, not reported."""
    real = audit._head

    def head_then_append():
        value = real()
        if not getattr(head_then_append, "done", False):
            head_then_append.done = True
            audit.record(actor=None, action="test.late")
        return value
    monkeypatch.setattr(audit, "_head", head_then_append)

    assert audit.verify_chain() == (6, None, "", 0)


def test_rows_of_the_first_format_still_verify_and_are_counted(rows):
    """Rows hashed before every field was (format 1) verify by their rule; after a format-2 row, a
    format-1 row is an edit."""
    prev = ""
    for row in rows[:3]:
        row.prev_hash, row.hash = prev, audit._chain_hash_format_1(prev, row)
        AuditEvent.objects.filter(pk=row.pk).update(prev_hash=row.prev_hash, hash=row.hash)
        prev = row.hash
    for row in rows[3:]:
        row.prev_hash, row.hash = prev, audit.chain_hash(prev, row)
        AuditEvent.objects.filter(pk=row.pk).update(prev_hash=row.prev_hash, hash=row.hash)
        prev = row.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit.verify_chain() == (5, None, "", 3)

    AuditEvent.objects.filter(pk=rows[1].pk).update(user_agent="edited")  # format 1 did not cover it
    assert audit.verify_chain() == (5, None, "", 3)

    last = rows[4]
    last.hash = audit._chain_hash_format_1(last.prev_hash, last)
    AuditEvent.objects.filter(pk=last.pk).update(hash=last.hash)
    AuditChainHead.objects.filter(pk=1).update(last_hash=last.hash)
    assert audit.verify_chain().broken_id == last.pk


def test_verify_audit_names_the_problem_and_exits_1(rows, capsys):
    AuditEvent.objects.filter(pk=rows[-1].pk).delete()

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")

    assert excinfo.value.returncode == 1
    out = capsys.readouterr().out
    assert "rows checked: 4" in out
    assert f"problem: the log ends at row {rows[-2].pk} but the chain head holds another last hash" in out


def test_each_entry_is_stored_as_returned_and_the_head_follows(tree):
    """The append (one statement on PostgreSQL, hashed by the server) stores the hash Python's rule gives,
    and hands the caller the stored id and hashes."""
    made = [audit.record(actor=None, action="test.write", object_type="x", object_id=i, details={"n": i})
            for i in range(3)]
    stored = {r.pk: r for r in AuditEvent.objects.filter(pk__in=[e.pk for e in made])}
    for before, event in zip(made, made[1:], strict=False):
        assert event.prev_hash == before.hash
    for event in made:
        row = stored[event.pk]
        assert (row.prev_hash, row.hash) == (event.prev_hash, event.hash) == (row.prev_hash, audit.chain_hash(
            row.prev_hash, row))
    head = AuditChainHead.objects.get(pk=1)
    assert (head.prev_hash, head.last_hash) == (made[-2].hash, made[-1].hash)


def test_an_append_is_one_statement_on_postgresql_and_two_on_sqlite(tree, django_assert_num_queries):
    from django.db import connection

    audit.record(actor=None, action="test.head", object_type="x", object_id=0)  # the head exists
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        event = audit.record(actor=None, action="test.write", object_type="x", object_id=1)
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash == audit.chain_hash(event.prev_hash, event)


def test_the_first_entry_ever_makes_the_head():
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()

    first = audit.record(actor=None, action="test.first", object_type="x", object_id=1)
    second = audit.record(actor=None, action="test.second", object_type="x", object_id=2)

    assert (first.prev_hash, second.prev_hash) == ("", first.hash)
    assert first.hash == audit.chain_hash("", first) and first.pk < second.pk
    assert AuditChainHead.objects.get(pk=1).last_hash == second.hash
    assert audit.verify_chain() == (2, None, "", 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(tree):
    """Eight writers at once (really at once on PostgreSQL, queued by SQLite's writer lock): one chain."""
    import threading

    from django.db import connection, transaction

    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                with transaction.atomic():
                    audit.record(actor=None, action="test.concurrent", object_type="x", object_id=f"{n}-{i}")
        except BaseException as exc:  # reported below: a thread's exception would otherwise be lost
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 40
    assert audit.verify_chain().problem == ""
