"""Aggregation is exact: per-option counts, sums and means, date ranges and a cross-tab over a fixed set of
answers (pure), and the same figures through the scoped queries (progress by grid and micro-grid)."""

from __future__ import annotations

import pytest

from civicgrid.core import clock
from civicgrid.gridops.campaigns import actions, examples, queries, results, schema
from civicgrid.gridops.campaigns.tests.conftest import active_campaign, at, make_households
from civicgrid.testing import make_user

GAS = schema.normalize_definition(examples.GAS_SAFETY)
ANSWERS = [
    {"fuel": "pipeline", "alarm": "yes", "hazards": ["hose", "valve"], "occupants": 3, "checked_on": "2024-05-02"},
    {"fuel": "pipeline", "alarm": "no", "hazards": ["hose"], "occupants": 2, "checked_on": "2024-05-03"},
    {"fuel": "bottle", "alarm": "no", "hazards": ["storage"], "occupants": 1, "checked_on": "2024-05-02"},
    {"fuel": "bottle", "alarm": "no", "occupants": 4, "checked_on": "2024-05-07"},
    {"fuel": "none", "occupants": 5, "checked_on": "2024-05-01"},
]


def test_summary_counts_sums_and_ranges():
    by_name = {s["name"]: s for s in results.summarize(GAS, ANSWERS)}

    assert [(o["value"], o["count"], o["share"]) for o in by_name["fuel"]["options"]] == [
        ("pipeline", 2, 40.0), ("bottle", 2, 40.0), ("none", 1, 20.0)]
    assert (by_name["alarm"]["answered"], [(o["label"], o["count"]) for o in by_name["alarm"]["options"]]) == (
        4, [("是", 1), ("否", 3)])
    # a household may pick several hazards: shares are of the households that answered
    assert [(o["value"], o["count"], o["share"]) for o in by_name["hazards"]["options"]] == [
        ("hose", 2, 66.7), ("valve", 1, 33.3), ("ventilation", 0, 0.0), ("storage", 1, 33.3)]
    occupants = by_name["occupants"]
    assert (occupants["answered"], occupants["sum"], occupants["mean"], occupants["min"], occupants["max"]) == (
        5, 15, 3.0, 1, 5)
    assert (by_name["checked_on"]["min"], by_name["checked_on"]["max"]) == ("2024-05-01", "2024-05-07")
    assert (by_name["photo"]["answered"], by_name["photo"]["total"]) == (0, 5)


def test_decimal_sums_do_not_drift():
    form = schema.normalize_definition({"fields": [{"name": "t", "type": "decimal", "label": "体温"}]})
    summary = results.summarize(form, [{"t": 36.1}, {"t": 36.2}, {"t": 36.3}, {}])[0]

    assert (summary["answered"], summary["sum"], summary["mean"]) == (3, 108.6, 36.2)


def test_crosstab_of_two_choice_questions():
    table = results.crosstab(GAS, ANSWERS, "fuel", "alarm")

    assert table["row_labels"] == ["管道燃气", "瓶装液化气", "不用燃气"] and table["col_labels"] == ["是", "否"]
    assert table["cells"] == [[1, 1], [0, 2], [0, 0]]
    assert (table["row_totals"], table["col_totals"], table["total"], table["counted"]) == ([2, 2, 0], [1, 3], 4, 4)


def test_a_multi_choice_crosstab_counts_each_chosen_option():
    table = results.crosstab(GAS, ANSWERS, "hazards", "fuel")

    assert table["cells"] == [[2, 0, 0], [1, 0, 0], [0, 0, 0], [0, 1, 0]]  # hose, valve, ventilation, storage
    assert table["counted"] == 3


def test_crosstab_refuses_questions_that_are_not_choices():
    with pytest.raises(ValueError, match="occupants"):
        results.crosstab(GAS, ANSWERS, "fuel", "occupants")


def test_progress_and_summary_through_the_scoped_queries(world):
    extra = make_households(world.tree.micro_a, "HA2", 1, "002")  # same micro-grid, another building
    households = world.households_a + extra
    values = [{"members_present": 3, "test_done": "yes", "id_verified": "yes"},
              {"members_present": 2, "test_done": "no", "not_tested_reason": "away", "id_verified": "no"},
              {"members_present": 0, "test_done": "no", "not_tested_reason": "refused", "id_verified": "yes"}]
    for household, answers in zip(households, values, strict=False):
        with clock.at(at(3)):
            actions.submit_answer(actor=world.worker_a, campaign=world.campaign, household=household, answers=answers,
                                  answered_at=at(3, 9))

    admin, worker_b = world.admin_a, world.worker_b
    progress = queries.progress(world.campaign, admin)
    summary = {s["name"]: s for s in queries.summary(world.campaign, admin)}

    assert (progress["done"], progress["total"], progress["percent"]) == (3, 4, 75.0)
    assert [(r["name"], r["done"], r["total"]) for r in progress["rows"]] == [("网格A", 3, 4)]
    assert [(r["name"], r["done"]) for r in queries.progress(world.campaign, admin, "micro_grid")["rows"]] == [
        ("微网格A", 3)]
    assert summary["members_present"]["sum"] == 5
    assert [o["count"] for o in summary["not_tested_reason"]["options"]] == [1, 0, 1, 0]
    assert queries.crosstab(world.campaign, admin, "test_done", "id_verified")["cells"] == [[1, 0], [1, 1]]
    # a viewer who reaches none of these households sees no figures (and the campaign is not theirs anyway)
    assert queries.progress(world.campaign, worker_b)["total"] == 0


def test_a_street_campaign_shows_progress_per_grid_for_the_street_admin(world):
    street = make_user("street_admin", "street_admin", world.tree.district)
    campaign = active_campaign(street, world.tree.district, title="全区统计")
    with clock.at(at(3)):
        actions.submit_answer(actor=world.worker_b, campaign=campaign, household=world.households_b[0],
                              answers={"members_present": 1, "test_done": "yes", "id_verified": "yes"})

    rows = queries.progress(campaign, street)["rows"]
    community_admin_rows = queries.progress(campaign, world.admin_a)["rows"]

    assert [(r["name"], r["done"], r["total"]) for r in rows] == [("网格A", 0, 3), ("网格B", 1, 2)]
    assert [(r["name"], r["done"], r["total"]) for r in community_admin_rows] == [("网格A", 0, 3)]
