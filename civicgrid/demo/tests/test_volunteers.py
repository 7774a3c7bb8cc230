"""The volunteer demo: seed figures 3–5 computed from its records through the stats query the stats page
and the API use, every order's event chain, and the `station` and `volunteer` logins."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.cases.chain import verify_case
from civicgrid.cases.models import Case, Category
from civicgrid.demo import volunteers as demo_volunteers
from civicgrid.demo.tests.conftest import SCALE, SEED
from civicgrid.people import idnumber
from civicgrid.people.models import ResidentTag
from civicgrid.volunteers.choices import DonationKind, SiteLevel
from civicgrid.volunteers.models import (
    Distribution,
    Donation,
    Order,
    PracticeSite,
    Qualification,
    Team,
    Volunteer,
)
from civicgrid.volunteers.queries import orders as order_queries
from civicgrid.volunteers.queries import stats as stats_queries

SERVICES = ["心理援助", "法律援助", "敬老服务", "捐赠服务", "助学服务", "助残服务", "医疗服务", "紧急救援"]


@pytest.fixture(scope="module")
def made(built_volunteers):
    return built_volunteers  # the volunteer stage's counts (conftest.py builds each stage once per run)


def six_months_before(day: date) -> date:
    year, month = (day.year, day.month - 6) if day.month > 6 else (day.year - 1, day.month + 6)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def centre() -> User:
    return User.objects.get(username="centre")


@pytest.mark.django_db
def test_all_235_orders_of_the_last_six_months_were_matched(made):
    figures = stats_queries.stats(centre(), since=six_months_before(timezone.localdate()))
    assert figures["orders"] == 235 and figures["matched"] == 235 and figures["matching_rate"] == 1.0
    assert stats_queries.stats(centre())["orders"] == 235  # the platform opened half a year ago: nothing older
    assert Order.objects.filter(matched_at__isnull=True).count() == 0
    assert figures["completed"] >= 225 and figures["hours"] > 0  # the most recent few may still be in service
    assert set(figures["by_status"]) <= {"archived", "completed", "in_service", "assigned"}


@pytest.mark.django_db
def test_distributions_to_low_income_households_sum_to_5_wan_odd(made):
    low_income = ResidentTag.objects.filter(tag__code="low_income").values("resident__household_id")
    total = Distribution.objects.filter(household_id__in=low_income).aggregate(s=Sum("amount"))["s"]
    assert Decimal("50000") <= total < Decimal("60000")
    assert total == made["low_income_yuan"]
    donations = Donation.objects.annotate(given=Sum("distributions__amount"))
    assert {d.site.level for d in donations} == {SiteLevel.STATION}
    assert all((d.given or 0) <= d.amount for d in donations)
    assert {DonationKind.MONEY, DonationKind.GOODS} <= {d.kind for d in donations}


@pytest.mark.django_db
def test_the_catalogue_has_the_8_services_and_orders_span_them(made):
    assert list(Category.objects.filter(parent__code="70").order_by("code").values_list("name", flat=True)) == SERVICES
    by_category = stats_queries.stats(centre())["by_category"]
    assert sorted(by_category) == sorted(SERVICES)
    assert by_category["敬老服务"] > by_category["紧急救援"] and by_category["心理援助"] > by_category["紧急救援"]


@pytest.mark.django_db
def test_every_order_ran_through_the_workflow_and_its_chain_verifies(made):
    cases = Case.objects.filter(case_type="volunteer_order")
    assert cases.count() == 235
    assert all(verify_case(case) is None for case in cases)
    rated = list(cases.filter(satisfaction__isnull=False).values_list("satisfaction", flat=True))
    assert len(rated) > 200 and sum(1 for s in rated if s >= 4) / len(rated) > 0.85
    assert cases.filter(events__action="decline").exists()  # some orders were declined and re-dispatched


@pytest.mark.django_db
def test_the_station_and_volunteer_logins_see_orders(made):
    station = User.objects.get(username="station")
    assignment = RoleAssignment.objects.get(user=station, role="station_admin")
    site = PracticeSite.objects.get(department=assignment.department)
    assert site.level == SiteLevel.STATION and site.region.code == PracticeSite.objects.filter(
        level=SiteLevel.STATION).order_by("code").first().region.code
    assert order_queries.orders_visible(station).exists()
    volunteer = User.objects.get(username="volunteer")
    assert Volunteer.objects.get(user=volunteer).memberships.filter(is_leader=True).exists()
    assert not RoleAssignment.objects.filter(user=volunteer, department__isnull=True).exists()
    assert order_queries.orders_visible(volunteer).exists()


@pytest.mark.django_db
def test_structure_volunteers_and_certificates(made):
    sites = PracticeSite.objects.all()
    assert sites.filter(level=SiteLevel.CENTRE).count() == 1
    assert sites.filter(level=SiteLevel.INSTITUTE).count() == 6 and sites.filter(level=SiteLevel.STATION).count() == 42
    assert Team.objects.filter(name="宏伟区红十字应急救援队").exists()
    assert all(team.memberships.filter(is_leader=True).count() == 1 for team in Team.objects.all())
    volunteers = Volunteer.objects.all()
    assert 150 <= volunteers.count() <= 400
    assert all(idnumber.parse(v.id_number) for v in volunteers)
    expired = Qualification.objects.filter(valid_until__lt=timezone.localdate()).count()
    assert 1 <= expired <= 10


@pytest.mark.django_db
def test_a_second_run_changes_nothing(made):
    before = (Order.objects.count(), Volunteer.objects.count(), Distribution.objects.count())
    assert demo_volunteers.generate(seed=SEED, scale=SCALE) == {}
    assert (Order.objects.count(), Volunteer.objects.count(), Distribution.objects.count()) == before


@pytest.mark.django_db
def test_the_fast_look_ups_agree_with_the_scoped_query(made):
    """Orders and their cases as the volunteer actions and evidence uploads fetch them (core.scoping
    .fetch_visible) against the scoped query, for a user of every role the demo gives and the orders'
    residents: the same rows found, with the same related rows."""
    from civicgrid.geo.models import FIELDS_WITHOUT_BOUNDARY
    from civicgrid.testing import fetch_disagreements
    from civicgrid.volunteers.actions._common import ORDER_RELATED

    orders = list(Order.objects.select_related("case").order_by("pk")[::8])
    by_role = {}
    for assignment in RoleAssignment.objects.filter(is_active=True).select_related("user").order_by("pk"):
        by_role.setdefault((assignment.role, assignment.department_id is None), assignment.user)
    reporters = User.objects.filter(pk__in={o.case.reporter_id for o in orders[:5]})
    users = [*by_role.values(), *reporters]
    assert len(orders) >= 20 and len(users) >= 10
    order_ids = [o.pk for o in orders] + [0]
    assert fetch_disagreements(Order, users, order_ids, ORDER_RELATED) == []
    case_ids = [o.case_id for o in orders] + [0]
    related = (("region", FIELDS_WITHOUT_BOUNDARY), ("workflow", None))
    assert fetch_disagreements(Case, users, case_ids, related, "cases.view_case") == []
