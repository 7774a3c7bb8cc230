"""A city root over two districts: each district's calendar, routing table and KPIs are its own, and a
city-wide leader sees them summed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from civicgrid.accounts.actions.admin import validate_assignment
from civicgrid.accounts.models import Department
from civicgrid.cases import actions, kpis
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.core import calendars, clock, errors
from civicgrid.core.models import CalendarDay
from civicgrid.dashboard import scope as dashboard_scope
from civicgrid.testing import CITY_POINT_A, CITY_POINT_B, make_city, make_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 3, 3, 16, 0, tzinfo=SHANGHAI)  # late: a 2-hour limit runs into Tuesday


@pytest.fixture
def city(db):
    from civicgrid.geo.locator import get_locator

    get_locator().invalidate()
    built = make_city()
    get_locator().invalidate()
    actions.sync_categories()
    built.dept_a = Department.objects.create(code="A-CGJ", name="宏伟区城管局", region=built.district_a)
    built.dept_b = Department.objects.create(code="B-CGJ", name="太子河区城管局", region=built.district_b)
    category = Category.objects.get(code="0102")
    RoutingRule.objects.create(region=built.district_a, category=category, department=built.dept_a)
    RoutingRule.objects.create(region=built.district_b, category=category, department=built.dept_b)
    built.sysadmin = make_user("sys", "system_admin", built.city)
    built.reporter_a = make_user("gw_a", "grid_worker", built.grid_a)
    built.reporter_b = make_user("gw_b", "grid_worker", built.grid_b)
    return built


def submit(actor, point, category="0102"):
    data = IntakeInput(description="井盖破损", channel="", category_code=category, **point)
    return actions.submit_case(actor=actor, data=data).case


def test_each_district_computes_deadlines_with_its_own_calendar(city):
    # district B gives Tuesday 4 March off (a local holiday); district A works as the national table says
    calendars.set_day(actor=city.sysadmin, day=date(2025, 3, 4), is_workday=False, name="地方假日",
                      region_code=city.district_b.code)
    with clock.at(MONDAY):
        case_a = submit(city.reporter_a, CITY_POINT_A)
        case_b = submit(city.reporter_b, CITY_POINT_B)
    assert case_a.due_at is not None
    assert case_b.due_at > case_a.due_at
    national = calendars.load_calendar()
    assert national.is_workday(date(2025, 3, 4)) is True
    assert calendars.load_calendar(region_code=city.grid_b.code).is_workday(date(2025, 3, 4)) is False
    assert calendars.load_calendar(region_code=city.grid_a.code).is_workday(date(2025, 3, 4)) is True


def test_a_district_override_beats_the_national_row_and_clearing_restores_it(city):
    calendars.set_day(actor=city.sysadmin, day=date(2025, 10, 8), is_workday=True, name="调休上班",
                      region_code=city.district_a.code)
    assert calendars.load_calendar(region_code=city.district_a.code).is_workday(date(2025, 10, 8)) is True
    assert calendars.load_calendar(region_code=city.district_b.code).is_workday(date(2025, 10, 8)) is False
    calendars.clear_day(actor=city.sysadmin, day=date(2025, 10, 8), region_code=city.district_a.code)
    assert not CalendarDay.objects.filter(region_code=city.district_a.code).exists()
    assert CalendarDay.objects.filter(region_code="", date=date(2025, 10, 8)).exists()  # national row kept
    assert calendars.load_calendar(region_code=city.district_a.code).is_workday(date(2025, 10, 8)) is False


def test_a_district_override_needs_a_six_digit_code(city):
    with pytest.raises(errors.ValidationFailed) as exc:
        calendars.set_day(actor=city.sysadmin, day=date(2025, 3, 4), is_workday=False, region_code="2110")
    assert exc.value.code == "calendar_bad_district"
    assert not CalendarDay.objects.filter(date=date(2025, 3, 4)).exists()


def test_routing_uses_the_case_districts_table(city):
    case_a = submit(city.reporter_a, CITY_POINT_A)
    case_b = submit(city.reporter_b, CITY_POINT_B)
    assert case_a.department == city.dept_a
    assert case_b.department == city.dept_b
    assert case_b.routing["rule"]["region"] == city.district_b.code


def test_a_default_department_takes_no_other_districts_cases(city):
    category = Category.objects.get(code="0103")
    category.default_department = city.dept_a
    category.save()
    assert submit(city.reporter_a, CITY_POINT_A, "0103").department == city.dept_a
    assert submit(city.reporter_b, CITY_POINT_B, "0103").department is None  # the dispatcher decides


def test_a_city_leader_sees_both_districts_kpis_a_district_leader_only_theirs(city):
    for _ in range(2):
        submit(city.reporter_a, CITY_POINT_A)
    submit(city.reporter_b, CITY_POINT_B)
    city_leader = make_user("city_boss", "leader", city.city)
    leader_a = make_user("boss_a", "leader", city.district_a)
    leader_b = make_user("boss_b", "leader", city.district_b)
    assert kpis.kpis_for(city_leader)["counts"]["created"] == 3
    assert kpis.kpis_for(city_leader, region=city.district_b.code)["counts"]["created"] == 1
    assert kpis.kpis_for(leader_a)["counts"]["created"] == 2
    assert kpis.kpis_for(leader_b)["counts"]["created"] == 1
    for other in (city.district_b.code, city.city.code):  # the other district, or the city above theirs
        with pytest.raises(errors.NotFound):
            kpis.kpis_for(leader_a, region=other)


def test_city_kpis_read_the_month_rollups_as_the_cases_do(city):
    for _ in range(2):
        submit(city.reporter_a, CITY_POINT_A)
    submit(city.reporter_b, CITY_POINT_B)
    today = clock.now().astimezone(SHANGHAI).date()
    first, last = kpis.month_range(today)
    whole_month = kpis.kpis(region_code=city.city.code, since=first, until=last)
    assert whole_month == kpis.kpis_from_cases(region_code=city.city.code, since=first, until=last)
    assert whole_month["counts"]["created"] == 3
    rows = kpis.breakdown("region", region_code=city.city.code, since=first, until=last)
    assert {row["key"]: row["counts"]["created"] for row in rows} == {city.district_a.code: 2,
                                                                       city.district_b.code: 1}


def test_leader_roles_may_name_a_city(city):
    validate_assignment(role="leader", region=city.city, department=None)
    with pytest.raises(errors.ValidationFailed) as exc:
        validate_assignment(role="leader", region=city.grid_a, department=None)
    assert exc.value.code == "wrong_region_level"


def test_a_city_leader_lands_on_the_city_dashboard_a_district_leader_on_theirs(city):
    assert dashboard_scope.home_url(make_user("city_boss", "leader", city.city)) == "/dashboard/region/2110/"
    leader_b = make_user("boss_b", "leader", city.district_b)
    assert dashboard_scope.home_url(leader_b) == "/dashboard/region/211011/"
    with pytest.raises(errors.NotFound):
        dashboard_scope.region_scope(leader_b, city.city.code, month=None, today=date(2025, 3, 3))
    scope = dashboard_scope.region_scope(make_user("c2", "leader", city.city), city.city.code, month=None,
                                         today=date(2025, 3, 3))
    assert scope.kind == "city"
