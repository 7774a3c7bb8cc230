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


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields
            if f.attname not in obj.get_deferred_fields()}


def test_lock_case_reads_what_the_orm_reads(book):  # noqa: F811
    from civicgrid.cases.models import Case

    for expected in Case.objects.select_related("workflow", "category", "region", "department").order_by("pk"):
        got = sql.lock_case(expected.pk)
        assert _fields(got) == _fields(expected)
        for name in ("workflow", "category", "region", "department"):
            want, have = getattr(expected, name), getattr(got, name)
            assert (have is None) == (want is None)
            if want is not None:  # the boundary and the frozen spec are left deferred, loaded on access
                assert {k: v for k, v in _fields(want).items() if k not in have.get_deferred_fields()} == _fields(have)
        assert got.region.boundary == expected.region.boundary
    with pytest.raises(Case.DoesNotExist):
        sql.lock_case(0)


def test_update_case_row_writes_what_save_writes(book):  # noqa: F811
    from civicgrid.cases.models import Case

    case = sql.lock_case(Case.objects.order_by("pk").first().pk)
    case.title, case.rework_count, case.satisfaction = "改过的标题", case.rework_count + 2, 3
    sql.update_case_row(case)
    again = Case.objects.get(pk=case.pk)
    assert (again.title, again.rework_count, again.satisfaction) == ("改过的标题", case.rework_count, 3)
    assert _fields(again) == _fields(case) | {"updated_at": again.updated_at}
    assert again.reporter_phone == case.reporter_phone  # the encrypted field written as save() writes it


def test_merged_cases_reads_what_the_orm_reads(book):  # noqa: F811
    from civicgrid.cases.models import Case

    main, *others = Case.objects.order_by("pk")[:4]
    Case.objects.filter(pk__in=[c.pk for c in others]).update(merged_into=main, reporter_phone="13900001111")
    expected = list(main.merged.only("id", "number", "reporter", "reporter_phone", "is_anonymous", "contact_preference"))
    got = sql.merged_cases(main.pk)
    assert [c.pk for c in got] == [c.pk for c in expected] and len(got) == 3
    assert [_fields(c) for c in got] == [_fields(c) for c in expected]
    assert got[0].reporter_phone == "13900001111"  # decrypted as the ORM reads it
    assert sql.merged_cases(others[0].pk) == []


def test_case_department_ids_reads_what_the_orm_reads(book):  # noqa: F811
    from civicgrid.cases.models import Case, CaseDepartment
    from civicgrid.testing import make_department

    first = Case.objects.order_by("pk").first()
    CaseDepartment.objects.create(case=first, department=make_department("XFJ", "信访局"))
    assert sql.case_department_ids(first.pk)
    for case in Case.objects.order_by("pk"):
        assert sql.case_department_ids(case.pk) == list(
            CaseDepartment.objects.filter(case=case).order_by("id").values_list("department_id", flat=True))
    assert sql.case_department_ids(0) == []
