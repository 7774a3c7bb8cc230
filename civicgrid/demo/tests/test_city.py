"""`build_demo --scale city`: a generated city of districts, each with its own departments, routing table and
(for some) calendar override; bulk cases at a fixed rate, encrypted like any, growing backwards in time."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from civicgrid.accounts.models import Department, RoleAssignment
from civicgrid.cases import kpis
from civicgrid.cases.models import Case, RoutingRule
from civicgrid.core import crypto
from civicgrid.core.models import CalendarDay
from civicgrid.demo import city
from civicgrid.geo.models import Region

pytestmark = pytest.mark.django_db

PASSWORD = "Demo#Pass2024"


def build(cases: int):
    plan = city.Plan(districts=3, streets=7, cases=cases, per_year=36_500, seed=7)  # 100 cases a day
    return city.build(plan=plan, password=PASSWORD, say=lambda message: None)


def test_a_city_of_districts_with_their_own_departments_rules_and_calendars():
    counts = build(600)
    assert Region.objects.get(code="2110").level == "city"
    districts = list(Region.objects.filter(level="district").order_by("code").values_list("code", flat=True))
    assert districts == ["211001", "211002", "211003"]
    assert Region.objects.filter(level="street").count() == 7
    assert Region.objects.filter(level="grid").count() == 7 * city.COMMUNITIES_PER_STREET * city.GRIDS_PER_COMMUNITY
    for code in districts:
        assert Department.objects.filter(region__code=code).count() == len(city.DEPARTMENTS)
        rules = RoutingRule.objects.filter(region__code=code).select_related("department__region")
        assert rules.exists() and {r.department.region.code for r in rules} == {code}
    assert set(CalendarDay.objects.exclude(region_code="").values_list("region_code", flat=True)) == {"211002"}
    assert RoleAssignment.objects.get(user__username="city_leader").region.code == "2110"
    assert counts["cases_added"] == 600 and Case.objects.count() == 600
    # every case is routed by its own district's table
    mismatched = [c for c in Case.objects.select_related("department__region", "region")
                  if c.department is None or c.department.region.code != c.region.code[:6]]
    assert mismatched == []
    assert kpis.rollup_differences() == []


def test_phone_numbers_are_stored_encrypted():
    build(50)
    case = Case.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert case.reporter_phone.startswith("13") and len(case.reporter_phone) == 11
    assert case.reporter_phone not in stored
    assert crypto.decrypt(stored) == case.reporter_phone


def test_more_cases_add_older_history_and_leave_the_newest_alone():
    build(300)
    newest = list(Case.objects.order_by("created_at").values_list("number", "created_at"))
    build(500)
    assert Case.objects.count() == 500
    kept = list(Case.objects.filter(number__in=[n for n, _ in newest]).order_by("created_at")
                .values_list("number", "created_at"))
    assert kept == newest
    assert Case.objects.filter(created_at__lt=newest[0][1]).count() == 200
    assert build(400)["cases_added"] == 0  # never shrinks
    assert kpis.rollup_differences() == []


def test_the_city_is_built_only_on_an_empty_tree():
    Region.objects.create(code="211004", name="宏伟区", level="district")
    with pytest.raises(CommandError, match="空库"):
        call_command("build_demo", "--scale", "city", "--districts", "2", "--streets", "2", "--cases", "10",
                     "--password", PASSWORD)
    assert not Region.objects.filter(code="2110").exists()


def test_the_scale_option_takes_a_number_or_city():
    with pytest.raises(CommandError):
        call_command("build_demo", "--scale", "metropolis")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL generator is PostgreSQL's")
def test_postgresql_writes_history_in_sql_with_the_indexes_rebuilt(monkeypatch):
    from civicgrid.demo import sql as city_sql

    before = [name for name, _ in city_sql.secondary_indexes()]
    monkeypatch.setattr(city, "REINDEX_FROM", 0)  # drop and rebuild the indexes even for a few cases
    monkeypatch.setattr(city, "SQL_CHUNK", 250)  # several statements, each its own transaction
    messages = []
    plan = city.Plan(districts=3, streets=7, cases=1000, per_year=36_500, seed=7)
    counts = city.build(plan=plan, password=PASSWORD, say=messages.append)
    assert counts["cases_added"] == 1000 and any("SQL" in m for m in messages)
    assert [name for name, _ in city_sql.secondary_indexes()] == before  # rebuilt (PostgreSQL reprints some)
    cases = list(Case.objects.order_by("-created_at"))
    assert [c.number[8:] for c in cases] == [f"{i:09d}" for i in range(1000)]
    assert all(c.routing == {"source": "city_demo"} for c in cases)  # the SQL path wrote them
    # 100 a day ending now: ten days, open ones only in the newest OPEN_DAYS, most closed
    assert (cases[0].created_at - cases[-1].created_at).days == 9
    closed = [c for c in cases if not c.is_open]
    assert 0.25 < len(closed) / len(cases) < 0.55  # 40 % of the open window closes
    assert all(c.closed_at and c.closed_at > c.created_at and c.satisfaction in city.SATISFACTION for c in closed)
    opened = [c for c in cases if c.is_open]
    assert {c.recorded_sla_status for c in opened} >= {"normal", "overdue"}
    assert all(c.due_at - c.created_at == city.DUE_AFTER and c.closed_at is None for c in opened)
    assert len({c.region_id for c in cases}) > 30 and len({c.case_type for c in cases}) == 2
    assert all(c.description.startswith(c.region.name) and c.description.endswith(city.END_MARK) for c in cases[:50])
    assert len({c.reporter_phone for c in cases}) > 100 and all(c.reporter_phone.startswith("13") for c in cases)
    assert kpis.rollup_differences() == []
