"""enterprises.sql: each statement answers as the ORM query it replaces (SQLite and PostgreSQL in CI)."""

import pytest

from civicgrid.accounts.models import Department
from civicgrid.enterprises import sql
from civicgrid.enterprises.models import Enterprise, EnterpriseContact, Park
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def test_an_enterprises_reach_reads_as_the_orm(zworld):
    w = zworld
    for enterprise in (w.ent_a, w.ent_b):
        expected = Park.objects.filter(enterprises=enterprise.pk).values_list(
            "office_id", "zone_id", "zone__region__code").get()
        assert sql.park_scope(enterprise_id=enterprise.pk) == expected
        assert sql.park_scope(park_id=enterprise.park_id) == expected
    assert sql.park_scope(enterprise_id=0) is None and sql.park_scope(park_id=0) is None
    expected = sorted(Department.objects.filter(zones=w.zone.pk).values_list("id", flat=True))
    assert sql.zone_department_ids(w.zone.pk) == expected and expected
    former = make_user("former_contact", "enterprise_contact")
    EnterpriseContact.objects.create(enterprise=w.ent_a, user=former, is_active=False)
    for enterprise in Enterprise.objects.all():
        assert sql.contact_user_ids(enterprise.pk) == frozenset(EnterpriseContact.objects.filter(
            enterprise=enterprise, is_active=True).values_list("user_id", flat=True))
    assert former.pk not in sql.contact_user_ids(w.ent_a.pk) and sql.contact_user_ids(w.ent_a.pk)
