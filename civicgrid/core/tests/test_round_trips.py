"""Round trips to PostgreSQL that fastsql saves without changing what a request means: the health check
done by the request's first read, BEGIN and COMMIT sent with the statements (`fastsql.atomic`), reads sent
ahead with the next statement, the configuration version read with the bearer token."""

from datetime import timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from civicgrid.accounts.models import ApiToken
from civicgrid.accounts.queries import token_hash, user_for_token
from civicgrid.cases.models import Notification
from civicgrid.core import confcache, context, fastsql
from civicgrid.core.models import ConfigVersion, IdempotencyKey
from civicgrid.testing import driver_statements as statements
from civicgrid.testing import make_user, psycopg_commands

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's round trips")


def other_connection() -> psycopg.Connection:
    """A second connection to the same database, as another process would have (autocommit)."""
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


def notification_count(user) -> int:
    return Notification.objects.filter(user=user).count()


@pytest.mark.django_db(transaction=True)
def test_atomic_commits_its_writes_and_rolls_back_on_an_exception(tree):
    user = make_user("alice")
    with fastsql.atomic():
        fastsql.insert(Notification(user=user, kind="k", text="一"), pk=False)
        assert fastsql.fetchone(f"SELECT count(*) FROM {fastsql.table(Notification)} WHERE user_id = %s",
                                [user.pk]) == (1,)
        fastsql.insert(Notification(user=user, kind="k", text="二"), pk=False)
    assert notification_count(user) == 2
    with pytest.raises(RuntimeError), fastsql.atomic():
        fastsql.insert(Notification(user=user, kind="k", text="三"), pk=False)
        fastsql.fetchone("SELECT 1")
        raise RuntimeError("roll back")
    assert notification_count(user) == 2
    assert not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_an_error_at_the_commit_rolls_everything_back(tree):
    """The foreign keys Django declares are checked at COMMIT, which atomic() sends with the last writes:
    the violation surfaces as the block ends and nothing of the transaction stays."""
    user = make_user("alice")
    with pytest.raises(IntegrityError), fastsql.atomic():
        fastsql.insert(Notification(user=user, kind="k", text="ok"), pk=False)
        fastsql.fetchone("SELECT 1")
        fastsql.insert(Notification(user_id=user.pk + 10_000, kind="k", text="nobody"), pk=False)
    assert notification_count(user) == 0
    assert Notification.objects.count() == 0  # and the connection still works


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_begin_and_commit_travel_with_the_statements(tree, monkeypatch):
    user = make_user("alice")
    connection.ensure_connection()
    sent, seen = psycopg_commands(monkeypatch), statements(monkeypatch)
    with fastsql.atomic():
        fastsql.fetchone(f"SELECT count(*) FROM {fastsql.table(Notification)} WHERE user_id = %s", [user.pk])
        fastsql.insert(Notification(user=user, kind="k", text="一"), pk=False)
        fastsql.insert(Notification(user=user, kind="k", text="二"), pk=False)
    assert sent == []  # psycopg sent neither BEGIN nor COMMIT of its own
    assert len(seen) == 2
    assert seen[0].startswith("BEGIN;\nSELECT count(*)")
    assert seen[1].count("INSERT INTO") == 2 and seen[1].endswith(";\nCOMMIT")
    assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    with other_connection() as other:
        assert other.execute("SELECT count(*) FROM cases_notification WHERE user_id = %s",
                             [user.pk]).fetchone() == (2,)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_atomic_leaves_the_commit_to_the_outer_block(tree, monkeypatch):
    from django.db import transaction

    user = make_user("alice")
    with transaction.atomic():
        connection.ensure_connection()
        seen = statements(monkeypatch)
        with fastsql.atomic():
            fastsql.insert(Notification(user=user, kind="k", text="一"), pk=False)
        assert "COMMIT" not in seen[-1]
        assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    assert notification_count(user) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_twin_submission_committed_first_is_a_conflict_not_an_integrity_error(tree, monkeypatch):
    """The key's insert goes out with COMMIT, after run_once has returned: create_once still turns the
    lost race into the Conflict a phone retries on. (On SQLite the writer lock lets no twin commit inside
    another's transaction.)"""
    from civicgrid.core import errors
    from civicgrid.core.idempotency import create_once

    user = make_user("alice")
    real = fastsql.fetchone

    def look_up_then_the_twin_commits(sql, params=()):
        row = real(sql, params)
        if "core_idempotencykey" in sql:
            with other_connection() as other:
                other.execute(f"INSERT INTO {IdempotencyKey._meta.db_table} (key, actor_id, action, object_type, "
                              "object_id, created_at) VALUES ('tap', %s, 'a', 'x', '0', now())", [user.pk])
        return row
    monkeypatch.setattr(fastsql, "fetchone", look_up_then_the_twin_commits)
    with pytest.raises(errors.Conflict) as exc:
        create_once(key="tap", actor=user, action="a", model=Notification,
                    create=lambda: fastsql.insert(Notification(user=user, kind="k", text="x")), body={})
    assert exc.value.code == "idempotency_in_progress"
    assert notification_count(user) == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_first_read_of_a_request_replaces_a_dropped_connection(tree, monkeypatch):
    user = make_user("alice")
    ApiToken.objects.create(user=user, key_hash=token_hash("raw-token"), prefix="raw-toke",
                            expires_at=timezone.now() + timedelta(days=1))
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with other_connection() as other:  # the server restarts, or drops idle connections
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.close_if_unusable_or_obsolete()  # what Django does as the next request starts
    sent = psycopg_commands(monkeypatch)
    found = user_for_token("raw-token")
    assert found is not None and found.pk == user.pk
    assert connection.connection.info.backend_pid != pid
    assert sent == []  # and the health check cost no `SELECT 1` of its own


@pytest.mark.django_db(transaction=True)
def test_the_first_read_raises_its_own_error_on_a_live_connection(tree):
    from django.db import DatabaseError

    connection.ensure_connection()
    connection.close_if_unusable_or_obsolete()
    with pytest.raises(DatabaseError):
        fastsql.fetchone("SELECT no_such_column FROM core_configversion")
    assert fastsql.fetchone("SELECT 1") == (1,)


def test_the_token_look_up_reads_the_configuration_version_too(tree):
    from django.test.utils import CaptureQueriesContext

    user = make_user("alice")
    ApiToken.objects.create(user=user, key_hash=token_hash("raw-token"), prefix="raw-toke",
                            expires_at=timezone.now() + timedelta(days=1))
    for token in ("first", "changed elsewhere"):
        ConfigVersion.objects.update_or_create(pk=1, defaults={"token": token})  # another process's commit
        bound = context.bind(context.RequestInfo(request_id=token))
        try:
            with CaptureQueriesContext(connection) as queries:
                assert user_for_token("raw-token").pk == user.pk
                assert confcache.current().token == token
            assert not any(q["sql"].lstrip().startswith("SELECT token") for q in queries.captured_queries)
        finally:
            context.reset(bound)


@pytest.mark.django_db(transaction=True)
def test_reads_sent_ahead_travel_with_the_next_statement(tree, monkeypatch):
    user = make_user("alice")
    Notification.objects.create(user=user, kind="k", text="一")
    connection.ensure_connection()
    seen = statements(monkeypatch)
    count = f"SELECT count(*) FROM {fastsql.table(Notification)} WHERE user_id = %s"
    with fastsql.reads_ahead():
        first, second = fastsql.read_ahead(count, [user.pk]), fastsql.read_ahead("SELECT 2")
        waiting = connection.vendor == "postgresql"
        assert first.ready is not waiting and len(seen) == (0 if waiting else 2)
        with fastsql.atomic():
            assert fastsql.fetchone("SELECT 3") == (3,)
            assert first.ready and first.rows() == [(1,)] and second.rows() == [(2,)]
        if waiting:  # one round trip: BEGIN, both reads and the statement
            assert seen[0] == f"BEGIN;\n{count.replace('%s', str(user.pk))};\nSELECT 2;\nSELECT 3"
        late = fastsql.read_ahead("SELECT 4")
    assert late.rows() == [(4,)]  # never taken along: it runs on its own
    assert fastsql.read_ahead("SELECT 5").rows() == [(5,)]  # outside the block it runs at once


@pytest.mark.django_db(transaction=True)
def test_a_batch_merges_awkward_values_exactly(tree):
    """A batch goes out as one text with each statement's values merged in by the driver: quotes,
    backslashes, percent signs, NULL, JSON and time stamps come back as they went in."""
    user = make_user("alice")
    texts = ["50% 'quoted' \\ back\\slash", "%s %(x)s ;\n SELECT 1", "", "中文"]
    with fastsql.atomic():
        for text in texts:
            fastsql.insert(Notification(user=user, kind="k", text=text), pk=False)
        key = IdempotencyKey(key="%s", actor_id=None, action="a'b", object_type="x", object_id="1")
        fastsql.insert(key, pk=False)
    assert sorted(Notification.objects.filter(user=user).values_list("text", flat=True)) == sorted(texts)
    found = IdempotencyKey.objects.get(key="%s")
    assert found.actor_id is None and found.action == "a'b" and found.created_at is not None
