"""A dispute whose mediation fails at the community is escalated to the street in the browser: the grid
worker records the reason, the case page shows the mediation record, and the street's admin finds the
notice in the inbox. Screenshots land in test-output/dispute-*.png."""

from __future__ import annotations

import pytest

from civicgrid.cases import actions
from civicgrid.cases.actions import sync_categories
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.testing import make_department, make_tree, make_user
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dispute():
    tree = make_tree()
    make_department("SFJ", "司法局")
    sync_categories()
    resident, grid = make_user("res", "resident"), make_user("gw", "grid_worker", tree.grid_a)
    dispatcher = make_user("disp", "dispatcher", tree.district)
    make_user("sa", "street_admin", tree.street_a)
    case = actions.submit_case(actor=resident, data=IntakeInput(
        description="楼上漏水引发邻里纠纷", category_code="2002", channel="resident", **POINT_A)).case
    for actor, action, facts in [(grid, "screen", {"risk_level": "yellow", "complexity": "complex"}),
                                 (dispatcher, "assign", {"tier": "community"}), (grid, "accept", {}),
                                 (grid, "record_mediation", {"parties": "张三、李四", "comment": "双方各执一词"})]:
        actions.transition_case(actor=actor, case_id=case.pk, action=action, facts=facts)
    return case


def test_a_failed_mediation_is_escalated_to_the_street(desktop_page, live_server, dispute):
    page = desktop_page
    login(page, live_server, "gw", next_path=f"/cases/{dispute.pk}/")
    page.click("#act-escalate summary")
    page.wait_for_selector("#act-escalate[open] form")
    page.check("#act-escalate input[name=tier][value=street]")  # the tiers are radio buttons
    page.fill("#act-escalate [name=reason]", "社区调解不成,双方分歧较大")
    page.click("#act-escalate button[type=submit]")
    settle(page)
    record = page.locator("#mediation")
    assert "街道" in record.locator("p").first.inner_text()
    assert "社区调解不成" in record.locator(".escalations").inner_text()
    assert "张三、李四" in record.locator(".sessions").inner_text()
    screenshot(page, "dispute-escalated")
    page.context.clear_cookies()
    login(page, live_server, "sa", next_path="/cases/inbox/")
    assert "纠纷提级至街道调处" in page.locator("main").inner_text()
    screenshot(page, "dispute-street-inbox")
