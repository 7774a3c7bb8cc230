"""Issue 18's "a demo that behaves like a district", counted on a tiny demo built the way build_demo builds
it: routing rules and cases routed by them, scene photos on a realistic share of cases, field-raised cases
triaged, patrol findings whose text matches their category, confirmed activity hours with stars and
certificates, disputes screened at the half-monthly rounds — and the article's figures still computed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.chain import verify_case
from civicgrid.cases.models import Attachment, Case, CaseEvent, RoutingRule
from civicgrid.demo import campaigns, fieldwork, patrols, routing, triage
from civicgrid.demo import cases as demo_cases
from civicgrid.demo import volunteers as demo_volunteers
from civicgrid.demo.findings import FINDING_PHRASES
from civicgrid.demo.tests.conftest import SCALE, SEED
from civicgrid.figures import registry
from civicgrid.gridops.fieldwork.models import ScreeningFinding, ScreeningRound
from civicgrid.gridops.patrols.models import PatrolFinding
from civicgrid.volunteers.models import ServiceCertificate, ServiceRecord, Volunteer
from civicgrid.volunteers.queries import volunteers as volunteer_queries

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
QUIET = {"say": lambda message: None}


@pytest.fixture(scope="module")
def district(demo, django_db_blocker):
    with django_db_blocker.unblock():
        sync_categories()
        rules = routing.build(**QUIET)
        made = demo_cases.generate(seed=SEED, count=120)
        volunteers = demo_volunteers.generate(seed=SEED, scale=SCALE)
        fieldwork.build(seed=SEED, **QUIET)
        campaigns.build(seed=SEED, **QUIET)
        patrolled = patrols.build(seed=SEED, days=10, limit=30, **QUIET)
        triaged = triage.build(seed=SEED, **QUIET)
        return {"rules": rules, "cases": made, "volunteers": volunteers, "patrols": patrolled, "triage": triaged}


def test_cases_are_routed_by_the_rules_with_the_rules_explanation(district):
    assert district["rules"] == len(routing.RULES) == RoutingRule.objects.count()
    by_rule = Case.objects.filter(routing__rule__isnull=False)
    assert by_rule.count() >= 3
    for case in by_rule:
        rule = RoutingRule.objects.get(pk=case.routing["rule"]["id"])
        assert case.routing["reason"].startswith("派遣规则:") and rule.department.name in case.routing["reason"]
        assert case.region.code.startswith(rule.region.code if rule.region_id else "")
        assert case.category.code.startswith(rule.category.code)
    # a case dispatched after intake went to the department routing chose (one sent back by that department
    # with 退单 may rightly be re-dispatched elsewhere)
    dispatched = CaseEvent.objects.filter(case__in=by_rule.filter(return_count=0), action="dispatch").select_related("case")
    assert dispatched and all(e.case.department_id == RoutingRule.objects.get(pk=e.case.routing["rule"]["id"]
                                                                               ).department_id for e in dispatched)


def test_a_realistic_share_of_cases_has_photos_checked_like_a_phones(district):
    cases = Case.objects.filter(case_type__in=["urban_event", "safety_hazard", "citizen_request", "dispute",
                                               "hard_case"])
    with_photo = cases.filter(attachments__isnull=False).distinct().count()
    assert 0.2 <= with_photo / cases.count() <= 0.8
    assert Attachment.objects.filter(event__action="attach").exists()  # 处置后 photos added by handlers
    for attachment in Attachment.objects.all()[:5]:
        assert attachment.content_type == "image/jpeg" and attachment.lat is not None
        with attachment.file.open("rb") as stored, Image.open(stored) as image:
            assert not image.getexif()  # the position was read, then stripped from the stored copy


def test_field_raised_cases_are_triaged_through_the_workflow(district):
    made = district["triage"]
    field = Case.objects.filter(channel__in=triage.FIELD_CHANNELS, case_type__in=triage.TRIAGED_TYPES)
    assert made["cases"] >= 10 and made["steps"] > made["cases"]
    still = triage.waiting_cases().count()
    assert still == made["still_waiting"] and still <= 0.2 * field.count()
    assert CaseEvent.objects.filter(case__channel="patrol").exclude(action="submit").exists()
    assert all(verify_case(case) is None for case in field)


def test_patrol_findings_say_what_their_category_is(district):
    findings = PatrolFinding.objects.select_related("case__category")
    assert findings.count() == district["patrols"]["findings"] > 0
    for finding in findings:
        assert finding.case.description in FINDING_PHRASES[finding.case.category.code]


def test_disputes_are_screened_at_the_half_monthly_rounds(district):
    assert ScreeningRound.objects.count() > 0
    found = ScreeningFinding.objects.select_related("case", "round")
    assert found
    screened = 0
    for finding in found:
        event = CaseEvent.objects.filter(case=finding.case, action="screen").first()
        if event is not None:
            screened += 1
            assert event.created_at - finding.round.screened_at < timedelta(hours=2)
    assert screened >= 0.8 * found.count()
    disputes = Case.objects.filter(case_type="dispute")
    assert disputes.filter(state="collected").count() <= 0.2 * disputes.count()


def test_volunteers_have_confirmed_activity_hours_stars_and_certificates(district):
    made = district["volunteers"]
    assert made["activities"] > 0 and ServiceRecord.objects.filter(order__isnull=True, status="confirmed").exists()
    starred = [v for v in Volunteer.objects.all() if volunteer_queries.volunteer_figures(v)["stars"] >= 1]
    assert 0 < len(starred) == made["one_star_or_more"] < Volunteer.objects.count() / 2
    assert ServiceCertificate.objects.count() == made["certificates"] > 0
    for cert in ServiceCertificate.objects.all():
        assert cert.total_hours == volunteer_queries.confirmed_hours(cert.volunteer)


def test_the_articles_figures_still_compute(district):
    items = {i["key"]: i["values"] for i in registry.compute(timezone.localdate())}
    assert len(items) == 20
    assert items["volunteer_orders"] == {"orders": 235, "matched": 235}
