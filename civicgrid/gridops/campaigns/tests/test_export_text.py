"""The campaign results export writes addresses, rooms, typed answers and question labels as text, never
as a formula (pages and API)."""

from __future__ import annotations

import pytest

from civicgrid.core import clock, xlsx
from civicgrid.gridops.campaigns import actions, examples
from civicgrid.gridops.campaigns.models import CampaignAnswer
from civicgrid.gridops.campaigns.tests.conftest import GOOD, active_campaign, at
from civicgrid.people.tests.factories import bearer
from civicgrid.testing import FORMULA_TEXT, xlsx_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(world):
    """A campaign over community A whose note question is labelled with formula text, with one answer per
    household of micro-grid A; each household's address, room and note carry formula text."""
    form = {"fields": [{**f, "label": "=1+1"} if f["name"] == "note" else f for f in examples.EPIDEMIC["fields"]]}
    campaign = active_campaign(world.admin_a, world.tree.community_a, form=form, title="入户统计(导出)")
    for n, household in enumerate(world.households_a):
        household.address, household.room = FORMULA_TEXT[n], FORMULA_TEXT[n + 3]
        household.save(update_fields=["address", "room"])
        with clock.at(at(2, 12)):
            actions.submit_answer(actor=world.worker_a, campaign=campaign, household=household,
                                  answers={**GOOD, "note": FORMULA_TEXT[(n + 1) % 6]}, base_version=0,
                                  answered_at=at(2, 11))
    return campaign


@pytest.mark.parametrize("api", [False, True])
def test_campaign_export_writes_addresses_answers_and_labels_as_text(client, world, planted, api):
    stored = {*FORMULA_TEXT[:6], "=1+1",
              *(a.answers["note"] for a in CampaignAnswer.objects.filter(campaign=planted))}
    if api:
        response = client.get(f"/api/v1/gridops/campaigns/{planted.pk}/export", headers=bearer(world.admin_a))
    else:
        client.force_login(world.admin_a)
        response = client.get(f"/gridops/campaigns/{planted.pk}/export/")

    assert response.status_code == 200
    assert {xlsx.text(text) for text in stored} <= xlsx_texts(response.content)
