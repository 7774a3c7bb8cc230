"""cases.sql: each raw statement's answer equals the ORM's (kpis.compute_rollups, the actions' rollups) on
the database the suite runs on (SQLite and PostgreSQL in CI)."""

import pytest

from civicgrid.cases import kpis, sql
from civicgrid.cases.models import DailyCaseStat, MonthlyCaseStat
from civicgrid.cases.tests.test_kpis import book  # noqa: F401  (the hand-computed fixture)

pytestmark = pytest.mark.django_db


def test_daily_rollups_statement_equals_the_orm(book):  # noqa: F811
    assert sql.daily_rollups() == kpis.compute_rollups()


def test_rebuild_statements_equal_the_actions_rollups(book):  # noqa: F811
    daily, monthly = kpis.stored_rollups(), kpis.stored_rollups(MonthlyCaseStat)
    DailyCaseStat.objects.all().delete()
    MonthlyCaseStat.objects.all().delete()
    assert sql.rebuild_rollups() == len(daily)
    assert kpis.stored_rollups() == daily
    assert kpis.stored_rollups(MonthlyCaseStat) == monthly
    assert set(MonthlyCaseStat.objects.values_list("depth", flat=True)) == set(kpis.LEVELS)
    assert kpis.rollup_differences() == []
