"""The investment demo stage on the tiny demo district with the zone: figures 10–12 hold through the
figures registry (67 projects, 1,270,000,000 yuan, 3,165,000,000 yuan and +37.13%), leads stand in every
stage, four key projects over 2.7 billion yuan are on the board, the `company` login has a project to
report for, and running the stage again changes nothing. Slow: it builds the zone's 600 enterprises."""

from __future__ import annotations

import pytest

from civicgrid.accounts.models import User
from civicgrid.demo import investment as demo_investment
from civicgrid.demo.tests.conftest import SEED
from civicgrid.enterprises.queries import today
from civicgrid.figures import registry
from civicgrid.investment import queries
from civicgrid.investment.choices import LeadStage
from civicgrid.investment.models import Lead, Project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(built_investment):
    return built_investment


@pytest.mark.django_db
def test_figures_10_to_12_hold_through_the_registry(made):
    values = {i["key"]: i["values"] for i in registry.compute(today(), keys=[
        "projects_started", "fixed_asset_investment", "funds_in_place"])}
    assert values == {"projects_started": {"projects": 67}, "fixed_asset_investment": {"yuan": 1270000000.0},
                      "funds_in_place": {"yuan": 3165000000.0, "yoy_percent": 37.13}}
    assert made["projects"] == Project.objects.count() == 150 and made["started"] == 67


@pytest.mark.django_db
def test_pipeline_board_and_logins(made):
    assert set(Lead.objects.values_list("stage", flat=True)) == set(LeadStage.values)
    leader = User.objects.get(username="leader")
    assert len(queries.board(leader)) == 4
    assert queries.reports_to_review(User.objects.get(username="touzi")).exists()
    company = User.objects.get(username="company")
    own = set(Project.objects.filter(enterprise__contacts__user=company).values_list("pk", flat=True))
    assert own and set(queries.projects_visible(company).values_list("pk", flat=True)) == own
    messages = []
    demo_investment.build(seed=SEED, say=messages.append)
    assert messages == ["投资项目已存在,跳过"] and Project.objects.count() == 150
