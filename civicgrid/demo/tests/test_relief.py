"""The relief demo stage on the tiny demo district with the zone and its projects: figure 18 holds through
the figures registry (7,200,000 USD of capital increase, 100,000,000 yuan of project funds), the 一企一策 case
is closed and rated with three co-handlers (two external, recorded by the lead), the other cases stand in
every state (some overdue, some unsatisfied), blockers sit on projects, and running the stage again changes
nothing. Slow: it builds the zone's 600 enterprises and 150 projects."""

from __future__ import annotations

import pytest

from civicgrid.cases.models import CaseDepartment
from civicgrid.core import clock
from civicgrid.demo import relief as demo_relief
from civicgrid.demo.tests.conftest import SEED
from civicgrid.enterprises.queries import today
from civicgrid.figures import registry
from civicgrid.relief.models import Blocker, ReliefCase

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(built_investment, django_db_blocker):
    with django_db_blocker.unblock():
        said = []
        demo_relief.build(seed=SEED, say=said.append)
        return said


@pytest.mark.django_db
def test_figure_18_holds_through_the_registry(made):
    values = {i["key"]: i["values"] for i in registry.compute(today(), keys=["relief_case"])}
    assert values == {"relief_case": {"capital_increase_usd": 7200000.0, "project_funds_yuan": 100000000.0}}


@pytest.mark.django_db
def test_the_tailored_case_and_the_spread(made):
    tailored = ReliefCase.objects.select_related("case").get(is_tailored=True)
    assert (tailored.case.state, tailored.case.satisfaction) == ("closed", 5)
    tasks = CaseDepartment.objects.filter(case=tailored.case).exclude(task="").select_related("department")
    assert sorted(t.department.kind for t in tasks) == ["district", "external", "external"]
    assert all(t.done_at is not None for t in tasks)
    states = set(ReliefCase.objects.values_list("case__state", flat=True))
    assert {"received", "assigned", "planning", "handling", "concluded", "closed"} <= states
    now = clock.now()
    assert ReliefCase.objects.filter(case__is_open=True, case__due_at__lt=now).exists()  # some overdue
    assert ReliefCase.objects.filter(case__satisfaction__lte=2).exists()  # and one unsatisfied
    assert Blocker.objects.count() == 8 and Blocker.objects.filter(case__state="closed").exists()
    said = []
    demo_relief.build(seed=SEED, say=said.append)
    assert said == ["助企纾困数据已存在,跳过"] and ReliefCase.objects.count() == 23
