"""The subsidies demo stage on the tiny demo district with the zone: figures 15–17 hold through the figures
registry (467 enterprises refunded, 3,710 persons and 5,848,000 yuan of 失业保险金, 1,309 persons and
1,479,000 yuan of 失业补助金), candidates are left for review, some persons paid are linked residents, and
running the stage again changes nothing. Slow: it builds the zone's 600 enterprises."""

from __future__ import annotations

import pytest

from civicgrid.demo import subsidies as demo_subsidies
from civicgrid.demo.tests.conftest import SEED
from civicgrid.enterprises.queries import today
from civicgrid.figures import registry
from civicgrid.subsidies.models import Beneficiary, Candidate, Disbursement, PaymentBatch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(built_enterprises, django_db_blocker):
    with django_db_blocker.unblock():
        demo_subsidies.build(seed=SEED, say=lambda line: None)


@pytest.mark.django_db
def test_figures_15_to_17_hold_through_the_registry(made):
    values = {i["key"]: i["values"] for i in registry.compute(today(), keys=[
        "unemployment_insurance", "unemployment_subsidy", "job_stabilisation_refunds"])}
    assert values == {"unemployment_insurance": {"persons": 3710, "yuan": 5848000},
                      "unemployment_subsidy": {"persons": 1309, "yuan": 1479000},
                      "job_stabilisation_refunds": {"enterprises": 467}}
    assert Candidate.objects.filter(programme__code="job_stabilisation_refund", status="pending").count() == 12
    assert Beneficiary.objects.filter(resident__isnull=False).exists()


@pytest.mark.django_db
def test_running_the_stage_again_changes_nothing(made):
    before = (Disbursement.objects.count(), PaymentBatch.objects.count(), Candidate.objects.count())
    demo_subsidies.build(seed=SEED, say=lambda line: None)
    assert (Disbursement.objects.count(), PaymentBatch.objects.count(), Candidate.objects.count()) == before
