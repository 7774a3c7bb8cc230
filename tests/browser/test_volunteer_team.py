"""The centre puts a self-registered volunteer into a team on a phone: the volunteer page lists no team,
the centre picks one and marks the leader, and the page then names the team with a button to take them
out again. Screenshots in test-output/volunteer-team-*.png."""

from __future__ import annotations

from datetime import time

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.testing import make_tree, make_user
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import SiteLevel
from civicgrid.volunteers.models import Membership
from civicgrid.volunteers.tests.conftest import id_number
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_centre_puts_a_new_volunteer_into_a_team_on_a_phone(phone_page, live_server):
    tree = make_tree()
    sync_categories()
    centre_admin = make_user("centre", "centre_admin", tree.district)
    centre = actions.create_site(actor=centre_admin, code="C", name="文明实践中心", level=SiteLevel.CENTRE,
                                 region=tree.district)
    station = actions.create_site(actor=centre_admin, code="S1", name="社区A文明实践站", level=SiteLevel.STATION,
                                  region=tree.community_a, parent=centre, capabilities=["7001"])
    actions.create_team(actor=centre_admin, code="T1", name="暖心心理服务队", site=station, capabilities=["7001"],
                        service_region=tree.street_a)
    user = make_user("newvol")
    volunteer = actions.register_volunteer(actor=user, user=user, data=actions.VolunteerInput(
        name="周新", id_number=id_number(9), phone="13800000009", region_code=tree.micro_a.code, skills=["7001"],
        availability=[{"weekday": 2, "start": time(8), "end": time(18)}], service_radius_km=10))

    page = phone_page
    login(page, live_server, "centre", next_path=f"/volunteers/volunteers/{volunteer.pk}/")
    teams = page.locator("[data-section=teams]")
    assert "尚未加入队伍" in teams.inner_text()
    page.locator("select[name=team]").select_option("T1")
    page.locator("input[name=is_leader]").check()
    screenshot(page, "volunteer-team-1-choose")
    page.locator("[data-step=join]").click()
    page.wait_for_selector("[data-team=T1]")
    assert "暖心心理服务队(队长)" in page.locator("[data-team=T1]").inner_text().replace(" ", "")
    assert page.locator(".messages, [role=status], .alert-success").first.inner_text().strip().startswith("已加入")
    screenshot(page, "volunteer-team-2-joined")
    membership = Membership.objects.get(volunteer=volunteer)
    assert membership.is_active and membership.is_leader
