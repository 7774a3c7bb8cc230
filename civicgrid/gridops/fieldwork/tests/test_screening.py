"""Dispute screening rounds: confirming nothing new, findings that open dispute cases in the same
transaction, the rules of one round per grid and half-month, and the completion report."""

from __future__ import annotations

from datetime import date

import pytest

from civicgrid.cases.models import Case
from civicgrid.core import clock, errors
from civicgrid.core.models import AuditEvent
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import ScreeningFinding, ScreeningRound
from civicgrid.gridops.fieldwork.periods import half_month, half_months_between, previous_half_month
from civicgrid.gridops.fieldwork.queries import screening as q
from civicgrid.gridops.fieldwork.tests.conftest import NOW, TODAY, at

Finding = actions.FindingInput


@pytest.mark.parametrize("day,period", [
    (date(2025, 6, 1), (date(2025, 6, 1), date(2025, 6, 15))),
    (date(2025, 6, 15), (date(2025, 6, 1), date(2025, 6, 15))),
    (date(2025, 6, 16), (date(2025, 6, 16), date(2025, 6, 30))),
    (date(2024, 2, 20), (date(2024, 2, 16), date(2024, 2, 29))),
])
def test_half_months(day, period):
    assert half_month(day) == period


def test_previous_and_spanning_half_months():
    assert previous_half_month(date(2025, 3, 2)) == (date(2025, 2, 16), date(2025, 2, 28))
    assert [p[0] for p in half_months_between(date(2025, 5, 20), date(2025, 6, 20))] == [
        date(2025, 5, 16), date(2025, 6, 1), date(2025, 6, 16)]


def test_confirming_nothing_new_reports_the_current_half_month(world):
    round_ = actions.record_screening(actor=world.grid_a, grid=world.tree.grid_a, no_new_disputes=True,
                                      notes="走访12户,无新增")

    assert (round_.period_start, round_.period_end, round_.result, round_.screened_at) == (
        date(2025, 6, 16), date(2025, 6, 30), "none", NOW)
    assert not round_.is_late
    assert AuditEvent.objects.get(action="fieldwork.record_screening").details["result"] == "none"


def test_disputes_found_open_dispute_cases_linked_to_the_round(world):
    round_ = actions.record_screening(actor=world.grid_a, grid=world.tree.grid_a, findings=[
        Finding("两户因漏水发生争执", category_code="2002", parties="3楼张某、2楼李某",
                region_code=world.tree.micro_a.code),
        Finding("拖欠物业费引发争议", category_code="2003"),
    ])

    findings = list(ScreeningFinding.objects.filter(round=round_).select_related("case__category", "case__region"))
    assert round_.result == "found"
    assert [(f.case.case_type, f.case.channel, f.case.category.code, f.case.region.code) for f in findings] == [
        ("dispute", "grid", "2002", world.tree.micro_a.code), ("dispute", "grid", "2003", world.tree.grid_a.code)]
    assert "当事人:3楼张某、2楼李某" in findings[0].case.description


def test_findings_may_be_added_to_a_reported_round_but_nothing_new_only_once(world):
    grid = world.tree.grid_a
    first = actions.record_screening(actor=world.grid_a, grid=grid, no_new_disputes=True)

    with pytest.raises(errors.Conflict):
        actions.record_screening(actor=world.grid_a, grid=grid, no_new_disputes=True)
    again = actions.record_screening(actor=world.grid_a, grid=grid, findings=[Finding("新发现的邻里纠纷", "2002")])

    assert again.pk == first.pk and again.result == "found"
    assert ScreeningRound.objects.count() == 1 and Case.objects.count() == 1


@pytest.mark.parametrize("kwargs,code", [
    ({}, "screening_empty"),
    ({"no_new_disputes": True, "findings": [Finding("纠纷")]}, "screening_contradictory"),
    ({"findings": [Finding("路灯坏了", category_code="0602")]}, "category_not_dispute"),
    ({"findings": [Finding("纠纷", region_code="211004002001001001")]}, "finding_outside_grid"),
    ({"no_new_disputes": True, "day": date(2025, 7, 1)}, "period_in_future"),
])
def test_bad_screening_input_changes_nothing(world, kwargs, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_screening(actor=world.grid_a, grid=world.tree.grid_a, **kwargs)

    assert exc.value.code == code
    assert (ScreeningRound.objects.count(), Case.objects.count()) == (0, 0)


def test_a_round_is_reported_for_a_grid_not_a_micro_grid(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_screening(actor=world.grid_a, grid=world.tree.micro_a, no_new_disputes=True)

    assert exc.value.code == "region_not_grid"


@pytest.mark.parametrize("viewer,error", [("grid_b", errors.NotFound), ("micro_a", errors.NotFound),
                                          ("volunteer", errors.NotFound), ("leader", errors.Forbidden),
                                          ("community_a", errors.Forbidden)])
def test_a_denied_screening_changes_nothing(world, viewer, error):
    with pytest.raises(error):
        actions.record_screening(actor=getattr(world, viewer), grid=world.tree.grid_a,
                                 findings=[Finding("纠纷", "2002")])

    assert (ScreeningRound.objects.count(), Case.objects.count()) == (0, 0)


def test_the_completion_report_lists_every_grid_in_scope(world):
    with clock.at(at(date(2025, 6, 17))):
        actions.record_screening(actor=world.grid_a, grid=world.tree.grid_a, findings=[Finding("纠纷", "2002")])
    actions.record_screening(actor=world.grid_b, grid=world.tree.grid_b, day=date(2025, 6, 10),
                             no_new_disputes=True)  # last period, reported late

    current = q.screening_report(world.leader, day=TODAY)
    previous = q.screening_report(world.leader, day=date(2025, 6, 10))

    assert [(r["grid_name"], r["done"], r["result"], r["disputes"], r["late"]) for r in current["rows"]] == [
        ("网格A", True, "found", 1, False), ("网格B", False, "", 0, False)]
    assert current["totals"] == {"grids": 2, "done": 1, "missing": 1, "rate": 50.0, "none_found": 0, "found": 1,
                                 "disputes": 1, "late": 0}
    assert [(r["grid_name"], r["done"], r["late"]) for r in previous["rows"]] == [
        ("网格A", False, False), ("网格B", True, True)]
    assert [r["grid_name"] for r in q.screening_report(world.grid_a, day=TODAY)["rows"]] == ["网格A"]
    assert q.screening_report(world.volunteer, day=TODAY)["rows"] == []


def test_a_retried_screening_is_recorded_once(world):
    for _ in range(2):
        actions.record_screening(actor=world.grid_a, grid=world.tree.grid_a, findings=[Finding("纠纷", "2002")],
                                 idempotency_key="s-1")

    assert (ScreeningRound.objects.count(), Case.objects.count()) == (1, 1)
