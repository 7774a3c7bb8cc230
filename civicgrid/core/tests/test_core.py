import pytest
from django.db import connection

from civicgrid.core import audit, errors, idempotency
from civicgrid.core.models import AuditEvent, IdempotencyKey
from civicgrid.core.scoping import Grant, require
from civicgrid.geo.models import Region
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def test_audit_chain_verifies_and_detects_tampering(tree):
    user = make_user("alice")
    for i in range(5):
        audit.record(actor=user, action="test.write", object_type="x", object_id=i)
    assert audit.verify_chain() == (5, None, "", 0)
    third = AuditEvent.objects.order_by("id")[2]
    AuditEvent.objects.filter(pk=third.pk).update(reason="edited")
    checked, broken, *_ = audit.verify_chain()
    assert (checked, broken) == (2, third.pk)


def test_audit_chain_detects_deletion(tree):
    user = make_user("alice")
    for i in range(3):
        audit.record(actor=user, action="test.write", object_type="x", object_id=i)
    second = AuditEvent.objects.order_by("id")[1]
    AuditEvent.objects.filter(pk=second.pk).delete()
    assert audit.verify_chain()[1] is not None


def test_idempotent_create_runs_once(tree):
    user = make_user("alice")
    calls = []

    def create():
        calls.append(1)
        return Region.objects.create(code=tree.micro_a.code[:-3] + "099", name="新", level="micro_grid", parent=tree.grid_a)

    first, created = idempotency.run_once(key="k1", actor=user, action="geo.create", model=Region, create=create,
                                          body={"name": "新"})
    again, created_again = idempotency.run_once(key="k1", actor=user, action="geo.create", model=Region, create=create,
                                                body={"name": "新"})
    assert created and not created_again and first.pk == again.pk and len(calls) == 1
    assert IdempotencyKey.objects.count() == 1


def test_overlong_idempotency_key_is_rejected():
    with pytest.raises(errors.ValidationFailed):
        idempotency.run_once(key="x" * 101, actor=None, action="a", model=Region, create=lambda: None, body={})


def test_require_distinguishes_401_404_403(tree):
    from django.contrib.auth.models import AnonymousUser

    worker_b = make_user("b", "grid_worker", tree.grid_b)
    with pytest.raises(errors.Unauthenticated):
        require(AnonymousUser(), "geo.change_region", tree.grid_a)
    with pytest.raises(errors.NotFound):  # cannot even see grid A
        require(worker_b, "geo.change_region", tree.grid_a)
    with pytest.raises(errors.Forbidden):  # sees grid B but may not change it
        require(worker_b, "geo.change_region", tree.grid_b)
    assert AuditEvent.objects.filter(result="denied").count() == 2


def test_grant_prefix_semantics():
    grant = Grant(region_codes=("211004001",))
    assert grant.covers_code("211004001002003") and not grant.covers_code("211004002001")
    assert not grant.covers_code("") and not Grant()


def test_visible_to_is_a_prefix_filter(tree):
    street_admin = make_user("s", "street_admin", tree.street_a)
    codes = set(Region.objects.visible_to(street_admin).values_list("code", flat=True))
    assert codes == {tree.street_a.code, tree.community_a.code, tree.grid_a.code, tree.micro_a.code}


def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    assert mode in {"wal", "memory"}  # the in-memory test database cannot use WAL


def test_through_reaches_a_related_models_filter_keeping_its_logic():
    from django.db.models import Q

    from civicgrid.core.scoping import through

    q = through((Q(region__code__startswith="21") | Q(department_id__in=[3])) & ~Q(reporter_id=7), "case")
    assert q == ((Q(case__region__code__startswith="21") | Q(case__department_id__in=[3]))
                 & ~Q(case__reporter_id=7))
