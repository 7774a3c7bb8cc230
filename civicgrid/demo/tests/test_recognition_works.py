"""The good-people board and works demos: seed figures 19–20 computed from the works' records through the
figures registry (the handlers the API and the figures page use), and the board's story — a year of
nominations through the real steps, some rejected, one objection answered, monthly listings, the article's
self-nominating resident as the `resident` login."""

from __future__ import annotations

import pytest
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.demo import recognition as demo_recognition
from civicgrid.demo import works as demo_works
from civicgrid.demo.tests.conftest import SEED
from civicgrid.figures import registry
from civicgrid.recognition import queries as recognition_queries
from civicgrid.recognition.models import Listing, Nomination, Objection
from civicgrid.works.models import Work

# building even the tiny demo district takes longer than the default run allows
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def built(demo, django_db_blocker):
    with django_db_blocker.unblock():
        demo_works.build(seed=SEED, say=lambda _line: None)
        demo_recognition.build(seed=SEED, say=lambda _line: None)


def test_figures_19_and_20_from_the_works_register(built):
    items = {i["key"]: i for i in registry.compute(timezone.localdate())}
    works = items["improvement_works"]["values"]
    assert 34_000 <= works["road_repair_m2"] < 35_000
    assert 600_000 <= works["plants"] < 700_000
    assert works["parking_spaces"] == 3000
    assert 1600 <= works["street_lights"] < 1700
    assert works["water_buildings"] == 6 and 8000 <= works["water_people"] < 9000
    assert 2000 <= items["culture_walls"]["values"]["m2"] < 3000
    assert Work.objects.exclude(status="finished").count() == 2  # planned and under way are not counted


def test_a_year_of_nominations_with_rejections_an_objection_and_boards(built):
    assert Nomination.objects.count() == 60
    assert Nomination.objects.filter(state="rejected").count() >= 3
    objection = Objection.objects.get()
    assert (objection.status, objection.outcome, objection.nomination.state) == ("answered", "dismissed", "listed")
    months = recognition_queries.listing_periods("month")
    assert len(months) >= 10
    assert Listing.objects.filter(period="year").exists()
    mine = Nomination.objects.get(nominator=User.objects.get(username="resident"))
    assert (mine.source, mine.state) == ("self", "listed") and mine.listed_month in months[:2]
    board = recognition_queries.listing("month", mine.listed_month)
    assert mine.pk in [i["id"] for i in board]
    assert all("139" not in str(i) for i in board)


def test_a_second_run_changes_nothing(built):
    before = (Work.objects.count(), Nomination.objects.count())
    demo_works.build(seed=SEED, say=lambda _line: None)
    demo_recognition.build(seed=SEED, say=lambda _line: None)
    assert (Work.objects.count(), Nomination.objects.count()) == before
