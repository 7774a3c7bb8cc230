"""Query-count pins on the innovation lists: more challenges, platforms and teams must not mean more
queries (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.innovation import actions
from civicgrid.innovation.tests.conftest import published
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

PINS = {
    "innovation:board": Pin("/innovation/", "kc", 7),
    "innovation:platforms": Pin("/innovation/platforms/", "kc", 5),
    "/api/v1/innovation/challenges": Pin("/api/v1/innovation/challenges", "kc", 5),
    "/api/v1/innovation/platforms": Pin("/api/v1/innovation/platforms", "kc", 5),
    "/api/v1/innovation/teams": Pin("/api/v1/innovation/teams", "kc", 5),
}


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

    check_query_pins(PINS, {"kc": w.kc}, grow)
