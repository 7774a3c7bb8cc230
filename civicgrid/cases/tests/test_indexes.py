"""The indexes an intake writes are only those that reads use (each one costs a page write per intake,
inside SQLite's single-writer lock): partial indexes leave out the rows nobody looks up, and the
look-ups that matter still find them."""

import pytest

from civicgrid.cases.models import Case, Notification
from civicgrid.cases.tests.conftest import query_plan


def plan_of(qs) -> str:
    sql, params = qs.query.sql_with_params()
    return query_plan(sql, params)


@pytest.mark.django_db
def test_a_residents_own_cases_use_the_partial_reporter_index(world):
    assert "case_reporter" in plan_of(Case.objects.filter(reporter=world.resident))


@pytest.mark.django_db
def test_cases_merged_into_one_use_the_partial_index(world):
    assert "case_merged_into" in plan_of(Case.objects.filter(merged_into_id=1))


@pytest.mark.django_db
def test_an_inbox_uses_the_user_and_read_at_index(world):
    name = Notification._meta.indexes[0].name
    assert name in plan_of(Notification.objects.filter(user=world.resident, read_at__isnull=True))
    assert name in plan_of(Notification.objects.filter(user=world.resident))


@pytest.mark.django_db
def test_a_case_without_reporter_or_merge_is_left_out_of_those_indexes(world):
    """What the partial indexes save: a hotline case has no reporter account and is not merged."""
    from django.db import connection

    from civicgrid.cases import actions
    from civicgrid.cases.intake import IntakeInput
    from civicgrid.cases.tests.conftest import POINT_A

    actions.submit_case(actor=world.dispatcher, data=IntakeInput(description="路灯不亮", channel="hotline",
                                                                 category_code="0601", **POINT_A))
    actions.submit_case(actor=world.resident, data=IntakeInput(description="井盖丢失", channel="resident",
                                                               category_code="0601", **POINT_A))
    if connection.vendor != "sqlite":
        pytest.skip("counting an index's entries directly (INDEXED BY) is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case INDEXED BY case_reporter WHERE reporter_id IS NOT NULL")
        assert cursor.fetchone()[0] == Case.objects.filter(reporter__isnull=False).count() == 1
