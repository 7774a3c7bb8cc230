"""Query-count pins on the innovation lists: more challenges, platforms and teams must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from civicgrid.enterprises.queries import today
from civicgrid.innovation import actions
from civicgrid.innovation.tests.conftest import apply, published
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "innovation:board": Pin("/innovation/", "kc", 7),
    "innovation:platforms": Pin("/innovation/platforms/", "kc", 5),
    "/api/v1/innovation/challenges": Pin("/api/v1/innovation/challenges", "kc", 5),
    "/api/v1/innovation/platforms": Pin("/api/v1/innovation/platforms", "kc", 5),
    "/api/v1/innovation/teams": Pin("/api/v1/innovation/teams", "kc", 5),
}

# one published challenge with more teams applying (its page also suggests teams), and more agreements
CHALLENGE_PINS = {
    "innovation:detail": Pin("/innovation/challenges/{challenge}/", "kc", 18),
    "innovation:agreements": Pin("/innovation/agreements/", "kc", 8),
    "/api/v1/innovation/agreements": Pin("/api/v1/innovation/agreements", "kc", 6),
}

# a list of a vocabulary declared in code (innovation.choices.Field): no rows, so nothing can grow; pinned
# at the queries any signed-in request makes (session, user, configuration version), checked below without the growing fixture
FIXED_PINS = {
    "/api/v1/innovation/fields": Pin("/api/v1/innovation/fields", "kc", 3),
}

PINS = LIST_PINS | CHALLENGE_PINS | FIXED_PINS


def test_the_technical_fields_list_reads_no_rows(iworld, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.innovation.choices import Field as TechField

    pin = FIXED_PINS["/api/v1/innovation/fields"]
    client.force_login(iworld.kc)
    client.get(pin.url)  # per-process caches fill on a first request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(pin.url)
    assert response.status_code == 200
    assert [f["code"] for f in response.json()] == list(TechField.values)
    assert len(captured.captured_queries) <= pin.queries
    assert not [q["sql"] for q in captured.captured_queries if "innovation_" in q["sql"]]


def test_innovation_lists_do_not_grow_with_rows(iworld):
    w = iworld
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            published(w, title=f"难题{i}", enterprise=w.ent_a if i % 2 else w.ent_b,
                      actor=w.contact_a if i % 2 else w.contact_b)
            actions.record_platform(actor=w.kc, data=actions.PlatformInput(
                code=f"P-{i}", name=f"研究院{i}", kind="industry_institute", level="city",
                host_organisation=f"某研究院{i}", fields=["fine_chemicals"]))
            actions.record_team(actor=w.kc, data=actions.TeamInput(
                name=f"团队{i}", lead_organisation="某大学", leader_name=f"教授{i}", fields=["digital"]))

    check_query_pins(LIST_PINS, {"kc": w.kc}, grow)


def test_challenge_page_and_agreements_do_not_grow_with_rows(iworld):
    w = iworld
    challenge = published(w)
    pins = {name: Pin(pin.url.format(challenge=challenge.pk), pin.user, pin.queries, pin.growth)
            for name, pin in CHALLENGE_PINS.items()}
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            team = actions.record_team(actor=w.kc, data=actions.TeamInput(
                name=f"团队{i}", lead_organisation="某大学", leader_name=f"教授{i}", fields=["fine_chemicals"]))
            apply(w, challenge, team=team, plan=f"合成路线{i}", quoted_budget=str(100000 + i))
            actions.record_agreement(actor=w.officer_a if i % 2 else w.officer_b, data=actions.AgreementInput(
                enterprise_id=(w.ent_a if i % 2 else w.ent_b).pk, partner_name=f"某大学{i}",
                partner_kind="university", title=f"联合研发{i}", field="carbon_materials",
                signed_on=today() - timedelta(days=30), starts_on=today() - timedelta(days=20),
                ends_on=today() + timedelta(days=700), amount=str(1200000 + i)))

    check_query_pins(pins, {"kc": w.kc}, grow)
