"""Under a city root, the calendar page and the routing admin offer a district chooser: the city's
administrator edits one district's overrides or rules without touching another's; a district's
administrator sees and changes only their own (core.scoping.table_reach / require_table)."""

from datetime import date

import pytest

from civicgrid.accounts.models import User
from civicgrid.cases.admin import actions as admin_actions
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.cases.tests.test_city import city  # noqa: F401  (the fixture)
from civicgrid.core import calendars, errors
from civicgrid.core.models import AuditEvent, CalendarDay
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

CALENDAR = "/audit/calendar/"
ROUTING = "/cases/admin/routing/"


@pytest.fixture
def admin_a(city):  # noqa: F811
    return make_user("sys_a", "system_admin", city.district_a)


def _set(client, district, day="2025-03-04", name="地方假日"):
    return client.post(f"{CALENDAR}?year=2025", {"date": day, "is_workday": "0", "name": name, "district": district})


def test_the_city_admin_chooses_a_district_and_edits_its_calendar_only(client, city):  # noqa: F811
    client.force_login(city.sysadmin)
    page = client.get(CALENDAR + "?year=2025").content.decode()
    assert 'name="district"' in page and "宏伟区(211004)" in page and "太子河区(211011)" in page
    assert "全国安排(各区县通用)" in page  # the national rows are the city admin's too
    response = _set(client, city.district_b.code)
    assert response.status_code == 302 and "district=211011" in response["Location"]
    assert list(CalendarDay.objects.filter(date=date(2025, 3, 4)).values_list("region_code", flat=True)) == ["211011"]
    b = client.get(CALENDAR + "?year=2025&district=211011").content.decode()
    a = client.get(CALENDAR + "?year=2025&district=211004").content.decode()
    assert 'data-date="2025-03-04"' in b and 'data-date="2025-03-04"' not in a
    assert calendars.load_calendar(region_code=city.grid_b.code).is_workday(date(2025, 3, 4)) is False
    assert calendars.load_calendar(region_code=city.grid_a.code).is_workday(date(2025, 3, 4)) is True
    cleared = client.post("/audit/calendar/clear/", {"date": "2025-03-04", "district": "211011"})
    assert cleared.status_code == 302 and not CalendarDay.objects.filter(date=date(2025, 3, 4)).exists()


def test_a_district_admin_sees_and_changes_only_their_district_calendar(client, city, admin_a):  # noqa: F811
    client.force_login(admin_a)
    page = client.get(CALENDAR + "?year=2025")
    assert page.status_code == 200 and page.context["district"] == "211004"
    assert page.context["district_choices"] == []  # one table: no chooser
    assert "太子河区" not in page.content.decode() and "全国安排(各区县通用)" not in page.content.decode()
    assert client.get(CALENDAR + "?district=211011").status_code == 403
    assert client.get(CALENDAR + "?district=").status_code == 403  # the national rows are the city's
    assert _set(client, "211011").status_code == 403
    assert _set(client, "").status_code == 403
    assert client.post("/audit/calendar/clear/", {"date": "2025-10-08", "district": ""}).status_code == 403
    assert not CalendarDay.objects.filter(date=date(2025, 3, 4)).exists()
    assert _set(client, "211004").status_code == 302
    assert CalendarDay.objects.get(date=date(2025, 3, 4)).region_code == "211004"
    with pytest.raises(errors.Forbidden):  # the action itself, not only the page
        calendars.set_day(actor=admin_a, day=date(2025, 3, 5), is_workday=False, region_code="211011")
    with pytest.raises(errors.Forbidden):
        calendars.clear_day(actor=admin_a, day=date(2025, 10, 8))
    assert AuditEvent.objects.filter(actor_username="sys_a", result="denied", reason="forbidden").count() == 2


def _rule_rows(response) -> set[int]:
    return {rule.pk for rule in response.context["rules"]}


def test_the_city_admin_lists_and_edits_one_district_routing_table(client, city):  # noqa: F811
    everywhere = RoutingRule.objects.create(region=None, category=Category.objects.get(code="01"),
                                            department=city.dept_a)
    rule_a = RoutingRule.objects.get(region=city.district_a)
    rule_b = RoutingRule.objects.get(region=city.district_b)
    client.force_login(city.sysadmin)
    page = client.get(ROUTING)
    assert page.context["district"] == "" and _rule_rows(page) == {everywhere.pk}
    assert [code for code, _ in page.context["district_choices"]] == ["", "211004", "211011"]
    assert _rule_rows(client.get(ROUTING + "?district=211004")) == {rule_a.pk}
    assert _rule_rows(client.get(ROUTING + "?district=211011")) == {rule_b.pk}
    # a new rule for district B with a blank region is B's whole-district rule; A's table is untouched
    response = client.post(ROUTING + "new/", {"district": "211011", "region": "", "category": "",
                                               "department": city.dept_b.code, "is_active": "on"})
    assert response.status_code == 302 and response["Location"].endswith("?district=211011")
    new = RoutingRule.objects.get(region=city.district_b, category=None)
    assert _rule_rows(client.get(ROUTING + "?district=211011")) == {rule_b.pk, new.pk}
    assert _rule_rows(client.get(ROUTING + "?district=211004")) == {rule_a.pk}
    outside = client.post(ROUTING + "new/", {"district": "211011", "region": city.grid_a.code, "category": "",
                                              "department": city.dept_b.code, "is_active": "on"})
    assert outside.status_code == 422 and "区域不在太子河区内" in outside.content.decode()


def test_a_district_admin_keeps_to_their_routing_table(client, city, admin_a):  # noqa: F811
    rule_a = RoutingRule.objects.get(region=city.district_a)
    rule_b = RoutingRule.objects.get(region=city.district_b)
    client.force_login(admin_a)
    page = client.get(ROUTING)
    assert page.context["district"] == "211004" and _rule_rows(page) == {rule_a.pk}
    assert page.context["district_choices"] == [] and "太子河区城管局" not in page.content.decode()
    assert client.get(ROUTING + "?district=211011").status_code == 403
    assert client.get(ROUTING + f"{rule_b.pk}/").status_code == 404  # another district's rule: not revealed
    assert client.post(ROUTING + f"{rule_b.pk}/delete/").status_code == 404
    assert client.get(ROUTING + f"{rule_a.pk}/").status_code == 200
    response = client.post(ROUTING + "new/", {"region": "", "category": "", "department": city.dept_a.code,
                                               "is_active": "on"})
    assert response.status_code == 302
    assert RoutingRule.objects.filter(region=city.district_a, category=None).exists()  # blank: the district
    kwargs = {"category_code": "", "department_code": city.dept_a.code}
    for region_code in ("", city.grid_b.code):  # the rules for every district, and district B's
        with pytest.raises(errors.Forbidden):
            admin_actions.save_routing_rule(actor=admin_a, region_code=region_code, **kwargs)
    with pytest.raises(errors.Forbidden):  # moving B's rule into A's table needs B's reach too
        admin_actions.save_routing_rule(actor=admin_a, rule_id=rule_b.pk, region_code=city.district_a.code,
                                        category_code="0102", department_code=city.dept_a.code)
    with pytest.raises(errors.Forbidden):
        admin_actions.delete_routing_rule(actor=admin_a, rule_id=rule_b.pk)
    rule_b.refresh_from_db()
    assert rule_b.region == city.district_b and User.objects.filter(username="sys_a").exists()
