"""免申即享 in the browser: the 人社局 officer computes the 稳岗返还 candidates at a desk and approves one; the
enterprise contact sees the payment on 我的补贴 on a phone (390×844). Screenshots: test-output/subsidy-*.png."""

from __future__ import annotations

import importlib

import pytest
from django.utils import timezone

from civicgrid.enterprises.models import Enterprise
from civicgrid.subsidies.models import Disbursement
from civicgrid.subsidies.tests.conftest import build_subsidy_world, insure
from civicgrid.testing import make_tree
from tests.browser.conftest import login, screenshot, settle

# slow: the actions and pages are covered in the default run; this journey keeps the CI run near 12 minutes
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def world():
    from django.apps import apps
    importlib.import_module("civicgrid.enterprises.migrations.0002_qualification_kinds").seed(apps, None)
    w = build_subsidy_world(make_tree())
    Enterprise.objects.filter(pk=w.ent_a.pk).update(size_class="small")
    insure(w, w.ent_a, year=timezone.localdate().year - 1, contributions="24000.00", start=40, end=39)
    return w


def test_officer_approves_and_the_contact_sees_it(world, live_server, desktop_page, phone_page):
    year = timezone.localdate().year - 1
    page = desktop_page
    login(page, live_server, "rsj_officer", next_path="/subsidies/worklist/")
    page.goto(f"{live_server.url}/subsidies/candidates/job_stabilisation_refund/?year={year}")
    page.click("form[data-form=compute] button")
    settle(page)
    row = page.locator(f"table[data-table=candidates] tbody tr:has-text('{world.ent_a.name}')")
    assert "14,400.00" in row.inner_text()
    row.locator("a").click()
    settle(page)
    screenshot(page, "subsidy-candidate")
    page.click("form[data-form=review] button[value=approve]")
    settle(page)
    assert "已核准" in page.content()
    assert Disbursement.objects.get().amount == 14400
    phone = phone_page
    login(phone, live_server, "contact_a", next_path="/subsidies/my/")
    phone.goto(f"{live_server.url}/subsidies/my/")
    card = phone.locator(f"[data-enterprise='{world.ent_a.pk}']")
    assert "稳岗返还" in card.inner_text() and "14,400.00" in card.inner_text()
    screenshot(phone, "subsidy-my-phone")
