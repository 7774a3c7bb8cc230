"""Under a city root, the city's administrator picks a district on the calendar page and in the routing
admin (1440 px wide), and sees that district's own rows."""

from datetime import date

import pytest

from civicgrid.cases.models import RoutingRule
from civicgrid.cases.tests.test_city import city  # noqa: F401  (the fixture)
from civicgrid.core import calendars
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_city_admin_chooses_a_district_on_the_calendar_and_routing_pages(wide_page, live_server, city):  # noqa: F811
    calendars.set_day(actor=city.sysadmin, day=date(2025, 3, 4), is_workday=False, name="太子河区地方假日",
                      region_code=city.district_b.code)
    page = wide_page
    login(page, live_server, "sys", next_path="/audit/calendar/?year=2025")
    page.select_option("select[name=district]", city.district_b.code)
    page.click("form[aria-label='选择区县'] button[type=submit]")
    settle(page)
    assert "district=211011" in page.url and page.locator("tr[data-date='2025-03-04']").count() == 1
    assert "太子河区 · 2025 年工作日历" in page.inner_text("h1")
    screenshot(page, "city-calendar-district-1440")

    page.goto(f"{live_server.url}/cases/admin/routing/")
    page.select_option("select[name=district]", city.district_a.code)
    page.click("form[data-form=district] button[type=submit]")
    settle(page)
    rule_a = RoutingRule.objects.get(region=city.district_a)
    assert page.locator("tr[data-rule]").count() == 1 and page.locator(f"tr[data-rule='{rule_a.pk}']").count() == 1
    screenshot(page, "city-routing-district-1440")
