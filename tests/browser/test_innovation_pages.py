"""The 揭榜挂帅 journey in the browser (issue 15, item 6): the enterprise contact posts a technical need on a
phone (390×844), the 科技创新部 publishes it and records a team's application at a desk, the contact picks
the team on the phone, the department agrees, and the selected challenge shows its suggestions with their
score parts. Screenshots land in test-output/innovation-*.png."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.enterprises import actions as eactions
from civicgrid.enterprises.tests.conftest import build_world
from civicgrid.innovation import actions
from civicgrid.innovation.models import Challenge
from civicgrid.testing import make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

# slow: the actions and pages are covered in the default run; this journey keeps the CI run near 12 minutes
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def world():
    from django.apps import apps
    importlib.import_module("civicgrid.enterprises.migrations.0002_qualification_kinds").seed(apps, None)
    w = build_world(make_tree())
    Department.objects.create(code="GX-KC", name="高新区科技创新部", kind=DepartmentKind.ZONE)
    eactions.set_zone_departments(actor=w.admin, zone=w.zone, department_codes=["GXJFJ", "GX-KC"])
    w.kc = make_user("kc", "enterprise_officer", department=Department.objects.get(code="GX-KC"))
    actions.set_innovation_office(actor=w.officer_zone, department_code="GX-KC")
    w.team = actions.record_team(actor=w.kc, data=actions.TeamInput(
        name="汽车轻量化复合材料团队", lead_organisation="某工业大学", leader_name="刘教授",
        fields=["polymers", "equipment_auto"]))
    return w


def test_post_publish_apply_and_select(world, live_server, phone_page, desktop_page, browser):
    phone, desk = phone_page, desktop_page
    login(phone, live_server, "contact_a", next_path="/innovation/post/")
    phone.goto(f"{live_server.url}/innovation/post/")
    phone.fill("input[name=title]", "秸秆纤维填充PP汽车内饰材料")
    phone.check("input[name=fields][value=polymers]")
    phone.check("input[name=fields][value=equipment_auto]")
    phone.fill("textarea[name=goal]", "拉伸强度≥25MPa,VOC达标")
    phone.fill("input[name=budget]", "1500000")
    phone.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=30)).isoformat())
    screenshot(phone, "innovation-post-phone")
    phone.click("form[data-form=challenge] button[type=submit]")
    settle(phone)
    challenge = Challenge.objects.get()
    assert phone.url.endswith(f"/innovation/challenges/{challenge.pk}/")
    assert "科技创新部预计" in phone.locator("[data-review]").inner_text()

    login(desk, live_server, "kc", next_path=f"/innovation/challenges/{challenge.pk}/")
    desk.goto(f"{live_server.url}/innovation/challenges/{challenge.pk}/")
    desk.click("form[data-move=publish] button")
    settle(desk)
    desk.locator("[data-section=applications] summary").click()
    desk.select_option("form[data-form=application] select[name=team]", str(world.team.pk))
    desk.fill("form[data-form=application] textarea[name=plan]", "秸秆纤维表面改性+相容剂体系")
    desk.click("form[data-form=application] button[type=submit]")
    settle(desk)
    assert "汽车轻量化复合材料团队" in desk.locator("[data-section=applications]").inner_text()

    phone.goto(f"{live_server.url}/innovation/challenges/{challenge.pk}/")
    phone.click("form[data-move=enterprise_choose] button")
    settle(phone)
    assert "汽车轻量化复合材料团队" in phone.locator("[data-choice=enterprise]").inner_text()
    desk.goto(f"{live_server.url}/innovation/challenges/{challenge.pk}/")
    desk.click("form[data-move=department_choose] button")
    settle(desk)
    assert desk.locator("[data-status]").first.get_attribute("data-status") == "selected"
    assert "覆盖 0.45" in desk.locator("[data-list=team-suggestions]").inner_text()
    screenshot(desk, "innovation-selected-desk")
    phone.goto(f"{live_server.url}/innovation/challenges/{challenge.pk}/")
    screenshot(phone, "innovation-selected-phone")
    challenge.refresh_from_db()
    assert challenge.status == "selected" and challenge.selected.team == world.team
