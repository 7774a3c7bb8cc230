"""core.sql writes and reads rows exactly as the ORM would, refuses a model whose save signals it would
skip, and the statements core builds with it (audit chain, idempotency keys) answer as the ORM does."""

from datetime import timedelta

import pytest
from django.db.models import signals
from django.utils import timezone

from civicgrid.cases.models import Case, Notification
from civicgrid.core import audit, idempotency, sql
from civicgrid.core.models import AuditChainHead, AuditEvent, IdempotencyKey
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("signal", [signals.pre_save, signals.post_save], ids=["pre_save", "post_save"])
def test_a_model_with_save_receivers_is_refused_when_its_statement_is_built(tree, signal, monkeypatch):
    monkeypatch.setattr(sql, "_cache", {})  # as in a new process: every statement built anew
    user = make_user("alice")

    def receiver(**kwargs):
        pass
    signal.connect(receiver, sender=Notification)
    try:
        with pytest.raises(sql.SignalReceivers, match="Notification"):
            sql.insert(Notification(user=user, kind="k", text="一"))
        with pytest.raises(sql.SignalReceivers):
            sql.update(Notification.objects.create(user=user, kind="k", text="二"), ["text"])
        with pytest.raises(sql.SignalReceivers):
            sql.load_rows(Notification, ("user_id", "kind", "text"), [(user.pk, "k", "四")])
    finally:
        signal.disconnect(receiver, sender=Notification)
    assert sql.insert(Notification(user=user, kind="k", text="三")).pk is not None
    assert Notification.objects.filter(user=user).count() == 2


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
    case = sql.insert(_case(tree))
    assert case.pk is not None and not case._state.adding
    stored = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        if field.name != "updated_at":
            assert getattr(stored, field.attname) == getattr(case, field.attname), field.name
    assert stored.reporter_phone == "13800138000"  # decrypted: the encrypted field's own preparation ran
    assert stored.answers == {"深度": 1.5, "列表": ["甲", "乙"]}


def test_update_writes_only_the_named_fields_and_refreshes_auto_now(tree):
    case = sql.insert(_case(tree))
    before = Case.objects.get(pk=case.pk).updated_at
    case.number, case.title = "20261129000001", "not written"
    sql.update(case, ["number"])
    stored = Case.objects.get(pk=case.pk)
    assert stored.number == "20261129000001" and stored.title == "井盖丢失"
    assert stored.updated_at >= before


def test_load_builds_instances_with_converted_values(tree):
    orm_saved = _case(tree)
    orm_saved.save()
    names = ("id", "title", "lat", "created_at", "is_open", "answers")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql.columns(Case, names)} FROM {sql.table(Case)} WHERE id = %s",
                       [orm_saved.pk])
        loaded = sql.load(Case, cursor.fetchone(), names)
    assert loaded.pk == orm_saved.pk and loaded.title == "井盖丢失" and loaded.is_open is True
    assert loaded.created_at == orm_saved.created_at and loaded.answers == orm_saved.answers
    assert loaded.get_deferred_fields() >= {"description", "state"}




def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields
            if f.attname not in obj.get_deferred_fields()}


def test_get_loads_a_row_and_its_foreign_keys_as_select_related_does(tree, django_assert_num_queries):
    case = _case(tree)
    case.save()  # no category, no department: null foreign keys
    related = (("region", None), ("region__parent", ("code", "name")), ("workflow", ("key",)), ("category", None))
    expected = Case.objects.select_related("region__parent", "workflow", "category").get(pk=case.pk)
    with django_assert_num_queries(1):
        got = sql.get(Case, case.pk, related=related)
        assert _values(got) == _values(expected)
        assert _values(got.region) == _values(expected.region)
        assert got.region.parent.code == expected.region.parent.code and got.region.parent.name
        assert got.workflow.key == expected.workflow.key and got.category is None
    assert got.region.parent.get_deferred_fields() >= {"level"} and got.workflow.pk == case.workflow_id
    narrow = sql.get(Case, case.pk, ("title",), (("department", None),))
    assert (narrow.pk, narrow.title, narrow.department) == (case.pk, "井盖丢失", None)
    assert "state" in narrow.get_deferred_fields() and narrow.state == "reported"  # loaded on access
    assert sql.get(Case, 0) is None


def test_get_refuses_a_path_that_is_not_a_foreign_key(tree):
    with pytest.raises(ValueError, match="region__parent: list region before it"):
        sql.get(Case, 1, related=(("region__parent", None),))
    with pytest.raises(ValueError, match="not a foreign key"):
        sql.get(Case, 1, related=(("events", None),))


def test_the_audit_chain_statements_answer_as_the_orm(tree):
    user = make_user("alice")
    first = audit.record(actor=user, action="t.one", object_type="x", object_id=1)
    second = audit.record(actor=user, action="t.two", object_type="x", object_id=2)
    stored = list(AuditEvent.objects.order_by("id").values_list("prev_hash", "hash"))[-2:]
    assert stored == [(first.prev_hash, first.hash), (second.prev_hash, second.hash)]
    assert second.prev_hash == first.hash
    assert AuditChainHead.objects.get(pk=1).last_hash == second.hash
    assert audit.verify_chain().problem == ""


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_idempotency_lookup_answers_as_the_orm(tree, anonymous):
    user = make_user("alice")
    actor = None if anonymous else user
    for key, action, object_id in [("k", "a", "1"), ("k", "b", "2"), ("other", "a", "3")]:
        idempotency.remember(key=key, actor=actor, action=action, obj=user, body={"n": object_id})
    IdempotencyKey.objects.create(key="k", actor=None if not anonymous else user, action="a", object_type="x",
                                  object_id="9")  # the other actor's key: never answered
    for key, action in [("k", "a"), ("k", "b"), ("other", "a"), ("k", "c"), ("nope", "a")]:
        orm = (IdempotencyKey.objects.filter(key=key, action=action, actor=actor)
               .values_list("object_id", "body_hash").first())
        assert idempotency._earlier(None if anonymous else user.pk, action, key) == orm
