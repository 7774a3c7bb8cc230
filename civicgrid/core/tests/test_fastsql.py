"""core.fastsql writes and reads rows exactly as the ORM would, and the models it writes have no
signal receivers that its inserts would skip."""

from datetime import timedelta

import pytest
from django.db.models import signals
from django.utils import timezone

from civicgrid.accounts.models import ApiToken, User
from civicgrid.cases.models import Case, CaseEvent, Notification
from civicgrid.core import fastsql
from civicgrid.core.models import AuditEvent, IdempotencyKey
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

# every model some hot path passes to fastsql.insert/update
WRITTEN = [Case, CaseEvent, Notification, AuditEvent, IdempotencyKey, ApiToken]


@pytest.mark.parametrize("model", WRITTEN, ids=lambda m: m.__name__)
def test_models_written_by_fastsql_have_no_signal_receivers(model):
    for signal in (signals.pre_save, signals.post_save):
        assert not signal.has_listeners(model), f"{model.__name__} has {signal} receivers that fastsql would skip"


def _case(tree, **extra):
    from civicgrid.cases.models import WorkflowDefinition
    from civicgrid.cases.workflows import sync_workflows

    sync_workflows()
    workflow = WorkflowDefinition.objects.filter(key="urban_event").latest("version")
    return Case(case_type="urban_event", workflow=workflow, state="reported", title="井盖丢失",
                description="小区门口井盖丢失", channel="hotline", region=tree.micro_a, lat=30.5, lng=114.3,
                reporter_phone="13800138000", answers={"深度": 1.5, "列表": ["甲", "乙"]},
                routing={"why": "规则"}, due_at=timezone.now() + timedelta(hours=4), **extra)


def test_insert_reads_back_identically_through_the_orm(tree):
    case = fastsql.insert(_case(tree))
    assert case.pk is not None and not case._state.adding
    stored = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        if field.name != "updated_at":
            assert getattr(stored, field.attname) == getattr(case, field.attname), field.name
    assert stored.reporter_phone == "13800138000"  # decrypted: the encrypted field's own preparation ran
    assert stored.answers == {"深度": 1.5, "列表": ["甲", "乙"]}


def test_update_writes_only_the_named_fields_and_refreshes_auto_now(tree):
    case = fastsql.insert(_case(tree))
    before = Case.objects.get(pk=case.pk).updated_at
    case.number, case.title = "20261129000001", "not written"
    fastsql.update(case, ["number"])
    stored = Case.objects.get(pk=case.pk)
    assert stored.number == "20261129000001" and stored.title == "井盖丢失"
    assert stored.updated_at >= before


def test_load_builds_instances_with_converted_values(tree):
    orm_saved = _case(tree)
    orm_saved.save()
    names = ("id", "title", "lat", "created_at", "is_open", "answers")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {fastsql.columns(Case, names)} FROM {fastsql.table(Case)} WHERE id = %s",
                       [orm_saved.pk])
        loaded = fastsql.load(Case, cursor.fetchone(), names)
    assert loaded.pk == orm_saved.pk and loaded.title == "井盖丢失" and loaded.is_open is True
    assert loaded.created_at == orm_saved.created_at and loaded.answers == orm_saved.answers
    assert loaded.get_deferred_fields() >= {"description", "state"}


def test_token_lookup_checks_expiry_revocation_and_the_user(tree):
    from civicgrid.accounts.queries import token_hash, user_for_token

    user = make_user("alice")
    token = ApiToken.objects.create(user=user, key_hash=token_hash("raw-token"), prefix="raw-toke",
                                    expires_at=timezone.now() + timedelta(days=1))
    User.objects.filter(pk=user.pk).update(phone="13800000000")
    found = user_for_token("raw-token")
    assert isinstance(found, User) and found.pk == user.pk and found.username == "alice"
    assert found.get_deferred_fields() == {"phone"}  # not decrypted on every request…
    assert found.phone == "13800000000"  # …but there when asked for
    touched = ApiToken.objects.get(pk=token.pk).last_used_at
    assert touched is not None  # the first use touches last_used_at; the next within a minute does not
    user_for_token("raw-token")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == touched
    assert user_for_token("other") is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert user_for_token("raw-token") is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1),
                                                revoked_at=timezone.now())
    assert user_for_token("raw-token") is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert user_for_token("raw-token") is None


def test_batched_writes_wait_for_the_next_read_and_the_orm_sees_them(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user("alice")
    with CaptureQueriesContext(connection) as seen, fastsql.batched():
        fastsql.insert(Notification(user=user, kind="k", text="一"), pk=False)
        fastsql.insert(Notification(user=user, kind="k", text="二"), pk=False)
        assert len(seen) == 0  # waiting
        assert Notification.objects.filter(user=user).count() == 2  # the ORM's read flushes first
        fastsql.insert(Notification(user=user, kind="k", text="三"), pk=False)
        row = fastsql.fetchone(f"SELECT count(*) FROM {fastsql.table(Notification)} WHERE user_id = %s", [user.pk])
        assert row == (3,)
        fastsql.insert(Notification(user=user, kind="k", text="四"), pk=False)
    assert Notification.objects.filter(user=user).count() == 4  # the rest went out at the end of the block
    # PostgreSQL: the flush before the ORM's count, the count, the read with the third write, the last
    # write; SQLite: every statement on its own
    expected = 4 if connection.vendor == "postgresql" else 6
    assert len(seen) == expected


def test_an_error_in_a_batch_surfaces_and_the_waiting_writes_are_dropped(tree):
    from django.db import IntegrityError, transaction

    user = make_user("alice")
    with pytest.raises(IntegrityError), transaction.atomic(), fastsql.batched():
        fastsql.insert(Notification(user=user, kind="k", text="ok"), pk=False)
        fastsql.insert(IdempotencyKey(key="k", actor=user, action="a", object_type="x", object_id="1"), pk=False)
        fastsql.insert(IdempotencyKey(key="k", actor=user, action="a", object_type="x", object_id="2"), pk=False)
    assert not Notification.objects.filter(user=user).exists()


def test_active_assignments_read_the_same_as_through_the_orm(tree):
    from civicgrid.accounts.assignments import active_assignments_of
    from civicgrid.accounts.models import RoleAssignment
    from civicgrid.testing import make_department

    user = make_user("alice")
    department = make_department()
    RoleAssignment.objects.create(user=user, role="grid_worker", region=tree.grid_a)
    RoleAssignment.objects.create(user=user, role="department_handler", department=department)
    RoleAssignment.objects.create(user=user, role="dispatcher", region=tree.district, is_active=False)
    expected = list(RoleAssignment.objects.filter(user=user, is_active=True).select_related("region", "department")
                    .order_by("id"))
    found = active_assignments_of(user)
    assert [(a.pk, a.role, a.region_id, a.department_id) for a in found] == \
        [(a.pk, a.role, a.region_id, a.department_id) for a in expected]
    assert found[0].region.code == tree.grid_a.code and found[0].department is None
    assert found[1].department.name == "城管局" and found[1].region is None
    assert found[0].user is user


def test_statements_skip_djangos_cursor_wrapper_unless_something_listens(tree, monkeypatch):
    """Inside a transaction (and for reads) fastsql goes straight to the driver's cursor; a test
    counting queries (or DEBUG) gets Django's cursor, so it still sees every statement."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    direct = []
    real = fastsql._Direct.execute

    def spy(self, sql, params):
        direct.append(sql)
        return real(self, sql, params)
    monkeypatch.setattr(fastsql._Direct, "execute", spy)
    user = make_user("alice")
    with transaction.atomic():
        fastsql.insert(IdempotencyKey(key="k1", actor_id=user.pk, action="t", object_type="x", object_id="1"))
    assert fastsql.fetchone("SELECT object_id FROM core_idempotencykey WHERE " + fastsql.quote("key") + " = %s",
                            ["k1"]) == ("1",)
    assert len(direct) == 2
    with CaptureQueriesContext(connection) as seen, transaction.atomic():
        fastsql.insert(IdempotencyKey(key="k2", actor_id=user.pk, action="t", object_type="x", object_id="2"))
    assert len(direct) == 2 and any("core_idempotencykey" in q["sql"] for q in seen.captured_queries)
