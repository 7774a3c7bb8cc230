"""Done-when of issue 16 on the demo district (tiny scale, slow): the monthly report generated for the
demo's busiest month holds, cell by cell, the district dashboard's figures for that month."""

from collections import Counter
from io import BytesIO

import pytest
from openpyxl import load_workbook

from civicgrid.accounts.models import User
from civicgrid.cases.actions import sync_categories
from civicgrid.cases.kpis import day_of
from civicgrid.cases.models import Case
from civicgrid.demo import cases as demo_cases
from civicgrid.demo.tests.conftest import module_demo  # noqa: F401 (the fixture)
from civicgrid.reports import actions
from civicgrid.reports.sections import LIVE_ONLY, from_panel

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def generated(module_demo, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        sync_categories()
        return demo_cases.generate(seed=3, count=60)


def test_the_demo_months_report_equals_the_dashboard(generated, client):
    leader = User.objects.filter(assignments__role="leader").first()
    district = leader.assignments.get(role="leader").region.code
    busiest = Counter(day_of(c).strftime("%Y-%m") for c in Case.objects.values_list("created_at", flat=True))
    month = busiest.most_common(1)[0][0]
    run = actions.request_report(actor=leader, kind="monthly", params={"month": month, "region": district})
    run = actions.run_report(run_id=run.pk)
    client.force_login(leader)
    response = client.get(f"/dashboard/region/{district}/?month={month}")
    expected = [from_panel(p["panel"].key, p["panel"].title, p["data"]) for p in response.context["panels"]
                if p["panel"].key not in LIVE_ONLY]
    sheets = load_workbook(BytesIO(run.file.read())).worksheets[1:]
    assert [s["A1"].value for s in sheets] == [s.title for s in expected]
    for sheet, section in zip(sheets, expected, strict=True):
        rows = [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(min_row=4, values_only=True)]
        assert rows == [tuple("" if v is None else v for v in row) for row in section.rows], section.key
    created = next(r for r in expected[0].rows if r[0] == "本月报件")[1]
    assert created > 0
