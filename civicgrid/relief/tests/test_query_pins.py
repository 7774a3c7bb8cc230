"""Query-count pins on the relief lists: more relief cases must not mean more queries
(civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import itertools

import pytest

from civicgrid.cases.actions import transition_case
from civicgrid.investment import actions as investment_actions
from civicgrid.investment.tests.conftest import project_input
from civicgrid.relief import actions
from civicgrid.relief.tests.conftest import TASKS, submit
from civicgrid.testing import Pin, check_query_pins

pytestmark = pytest.mark.django_db

LIST_PINS = {
    "relief:index": Pin("/relief/", "dispatcher", 13),
    "relief:mine": Pin("/relief/mine/", "contact", 6),
    "/api/v1/relief/cases": Pin("/api/v1/relief/cases", "dispatcher", 4),
}

# one relief case in handling with more outcomes, and more blockers on a project
CASE_PINS = {
    "relief:detail": Pin("/relief/{relief}/", "lead", 28),
    "/api/v1/relief/cases/{relief_id}/outcomes": Pin("/api/v1/relief/cases/{relief}/outcomes", "lead", 5),
    "/api/v1/relief/blockers": Pin("/api/v1/relief/blockers", "zone", 4),
}

PINS = LIST_PINS | CASE_PINS


def test_relief_lists_do_not_grow_with_rows(rworld):
    w = rworld
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            submit(w, description=f"外资资本金账户被冻结,增资款无法结汇({i})")

    check_query_pins(LIST_PINS, {"dispatcher": w.dispatcher, "contact": w.contact_a}, grow)


def test_one_case_outcomes_and_blockers_do_not_grow_with_rows(rworld):
    w = rworld
    case = submit(w, is_tailored=True).case
    for actor, action, facts in ((w.officer_zone, "assign", {"department": "GX-TC", "tasks": TASKS}),
                                 (w.officer_tc, "contact", {"comment": "已联系"}),
                                 (w.officer_tc, "submit_plan", {"comment": "一企一策方案"})):
        transition_case(actor=actor, case_id=case.pk, action=action, facts=facts)
    project = investment_actions.register_project(actor=w.officer_a, data=project_input(w.ent_a, 1))
    pins = {name: Pin(pin.url.format(relief=case.relief.pk), pin.user, pin.queries, pin.growth)
            for name, pin in CASE_PINS.items()}
    counter = itertools.count()

    def grow(n):
        for _ in range(n):
            i = next(counter)
            actions.record_outcome(actor=w.officer_tc, relief_id=case.relief.pk, data=actions.OutcomeInput(
                kind="loan", amount=str(1000000 + i), currency="CNY", department="GX-TC", note=f"贷款{i}"))
            actions.raise_blocker(actor=w.contact_a, data=actions.BlockerInput(
                project_id=project.pk, category_code="8106", description=f"施工用电迟迟未接入({i})"))

    check_query_pins(pins, {"lead": w.officer_tc, "zone": w.officer_zone}, grow)
