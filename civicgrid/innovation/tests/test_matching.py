"""The pure suggestion scoring and the challenge state machine (no database)."""

import pytest

from civicgrid.innovation import matching, workflow
from civicgrid.innovation.matching import Candidate, Need


def test_parts_are_hand_computable():
    need = Need(1, frozenset({"fine_chemicals", "green_process"}))
    national = Candidate(10, frozenset({"fine_chemicals", "polymers", "digital", "agri_bio"}), "national",
                         {"fine_chemicals": 2, "digital": 5}, active=1)
    parts = matching.parts(need, national)
    assert parts == pytest.approx({"coverage": 0.45 * 0.5, "focus": 0.20 * 0.25, "record": 0.20 * 2 / 3,
                                   "level": 0.15, "load": -0.10 / 3})


def test_rank_filters_then_orders_by_score_then_id():
    need = Need(1, frozenset({"fine_chemicals", "green_process"}))
    candidates = [
        Candidate(3, frozenset({"fine_chemicals"})),  # coverage .225 + focus .2 = .425
        Candidate(2, frozenset({"fine_chemicals"})),  # the same score: id 2 first
        Candidate(5, frozenset({"fine_chemicals", "green_process"}), "provincial"),  # .45 + .2 + .1 = .75
        Candidate(7, frozenset({"digital"})),
        Candidate(8, frozenset({"fine_chemicals", "green_process"}), is_active=False),
    ]
    ranked, excluded = matching.rank(need, candidates)
    assert [s.id for s in ranked] == [5, 2, 3]
    assert ranked[0].score == pytest.approx(0.75) and ranked[0].common == ("fine_chemicals", "green_process")
    assert excluded == {7: ["no_common_field"], 8: ["inactive"]}
    assert matching.rank(need, candidates, limit=1)[0][0].id == 5


def test_a_specialist_ranks_above_a_generalist_with_the_same_coverage():
    need = Need(1, frozenset({"digital"}))
    ranked, _ = matching.rank(need, [Candidate(1, frozenset({"digital", "agri_bio", "polymers"})),
                                     Candidate(2, frozenset({"digital"}))])
    assert [s.id for s in ranked] == [2, 1]


def test_load_penalty_saturates():
    need = Need(1, frozenset({"digital"}))
    busy = matching.parts(need, Candidate(1, frozenset({"digital"}), active=9))
    assert busy["load"] == pytest.approx(-0.10)


def test_state_machine_moves():
    assert workflow.move("submitted", "publish").target == "published"
    assert workflow.available("published") == ["close", "enterprise_choose", "department_choose", "withdraw"]
    assert workflow.available("selected") == ["complete"]
    assert workflow.available("completed") == [] and workflow.available("withdrawn") == []
    with pytest.raises(workflow.IllegalMove):
        workflow.move("selected", "publish")
    with pytest.raises(workflow.IllegalMove):
        workflow.move("published", "unknown")
    assert workflow.settle(4, 4) == 4 and workflow.settle(4, 5) is None and workflow.settle(None, None) is None


def test_in_house_platforms_serve_only_their_own_enterprise():
    need = Need(1, frozenset({"digital"}), owner=7)
    ranked, excluded = matching.rank(need, [Candidate(1, frozenset({"digital"}), owner=7),
                                            Candidate(2, frozenset({"digital"}), owner=8),
                                            Candidate(3, frozenset({"digital"}))])
    assert [s.id for s in ranked] == [1, 3] and excluded == {2: ["other_enterprise"]}
