"""The campaign demo on a small demo district (scale 0.01): both campaigns are written through the actions,
the finished epidemic count has answers and is closed, the running gas check has partial progress by grid
and a few conflicts, and running it again adds nothing."""

from __future__ import annotations

import pytest

from civicgrid.accounts.models import User
from civicgrid.core.models import AuditEvent
from civicgrid.demo import campaigns as demo_campaigns
from civicgrid.demo.tests.conftest import SEED, module_demo  # noqa: F401 - the module-scoped small demo district
from civicgrid.gridops.campaigns import queries
from civicgrid.gridops.campaigns.choices import CampaignStatus, RevisionOutcome
from civicgrid.gridops.campaigns.models import Campaign, CampaignAnswer, CampaignRevision


@pytest.fixture(scope="module")
def made(module_demo, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        return demo_campaigns.build(seed=SEED, say=lambda message: None)


def test_two_campaigns_over_the_first_community(made, db):
    community = User.objects.get(username="community")
    epidemic = Campaign.objects.get(title=demo_campaigns.EPIDEMIC_TITLE)
    gas = Campaign.objects.get(title=demo_campaigns.GAS_TITLE)

    assert (epidemic.status, gas.status) == (CampaignStatus.CLOSED, CampaignStatus.ACTIVE)
    assert [t.code for t in epidemic.targets.all()] == [community.active_assignments()[0].region.code]
    assert epidemic.created_by == community and epidemic.kind == "census"
    assert made["campaigns"] == 2 and made["epidemic_households"] > 0


def test_every_answer_went_through_the_actions(made, db):
    epidemic = Campaign.objects.get(title=demo_campaigns.EPIDEMIC_TITLE)
    answers = CampaignAnswer.objects.filter(campaign=epidemic)

    assert answers.count() == made["epidemic_answers"] > 0
    assert CampaignRevision.objects.filter(campaign=epidemic).count() == answers.count()
    assert AuditEvent.objects.filter(action="campaigns.submit_answer").count() == CampaignRevision.objects.count()
    assert all(a.answered_at.date() <= epidemic.end_date for a in answers)
    assert made["epidemic_answers"] <= made["epidemic_households"]


def test_the_running_campaign_has_partial_progress_and_conflicts(made, db):
    gas = Campaign.objects.get(title=demo_campaigns.GAS_TITLE)
    community = User.objects.get(username="community")

    progress = queries.progress(gas, community)

    assert progress["done"] == made["gas_answers"] == CampaignAnswer.objects.filter(campaign=gas).count()
    assert 0 < progress["done"] < progress["total"]
    conflicts = CampaignRevision.objects.filter(
        campaign=gas, outcome__in=[RevisionOutcome.CONFLICT_APPLIED, RevisionOutcome.CONFLICT_KEPT]).count()
    assert conflicts == made["gas_conflicts"] == progress["conflicts"]


def test_the_named_micro_grid_worker_sees_the_running_campaign(made, db):
    worker = User.objects.get(username="microworker")
    gas = Campaign.objects.get(title=demo_campaigns.GAS_TITLE)

    assert [c.title for c in queries.campaigns_visible(worker)] == [demo_campaigns.GAS_TITLE,
                                                                    demo_campaigns.EPIDEMIC_TITLE]
    rows = queries.collect_rows(gas, worker)
    assert rows and all(r["region_code"] == worker.active_assignments()[0].region.code for r in rows)


def test_running_it_again_adds_nothing(made, db):
    before = (Campaign.objects.count(), CampaignRevision.objects.count())

    assert demo_campaigns.build(seed=SEED, say=lambda message: None) == {}

    assert (Campaign.objects.count(), CampaignRevision.objects.count()) == before
