"""Demo cases are replayed through the real actions: every type appears, chains verify, KPIs agree."""

import pytest

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.chain import verify_case
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.demo import cases as demo_cases


@pytest.fixture(scope="module")
def generated(demo, django_db_blocker):
    with django_db_blocker.unblock():
        sync_categories()
        return demo_cases.generate(seed=3, count=60)


@pytest.mark.django_db
def test_every_case_type_is_generated_through_the_workflow(generated):
    assert generated["cases"] == 60 and Case.objects.count() == 60
    assert set(Case.objects.values_list("case_type", flat=True)) >= {"urban_event", "citizen_request", "dispute"}
    assert Case.objects.filter(is_open=False).count() > 30
    # each case's intake, each scripted step, each 处置后 photo (an attach event) and the SLA sweep's own
    assert generated["photos"] > 0
    assert CaseEvent.objects.count() == generated["cases"] + generated["steps"] + generated["photos"] + \
        CaseEvent.objects.filter(actor__isnull=True).exclude(action="submit").count()
    assert all(verify_case(case) is None for case in Case.objects.all())
    # steps that take evidence carry the photos a phone would have uploaded
    with_files = CaseEvent.objects.filter(action__in=["feedback", "verify", "submit_rectification", "pass_review"])
    assert with_files.exists() and all(event.attachments.exists() for event in with_files)


@pytest.mark.django_db
def test_generated_cases_span_the_year(generated):
    first = Case.objects.order_by("created_at").first().created_at
    last = Case.objects.order_by("created_at").last().created_at
    assert (last - first).days > 200
