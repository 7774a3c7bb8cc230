"""The pure engine: apply/allowed, exhaustively over every spec, state, action and role. No database."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from civicgrid.cases.workflow import engine, registry, vocabulary
from civicgrid.cases.workflow.engine import (
    InvalidFacts,
    MissingFacts,
    NotAllowedInState,
    RoleNotAllowed,
    Step,
    UnknownAction,
    WorkflowError,
)
from civicgrid.cases.workflow.spec import Limit

SPECS = list(registry.SPECS.values())
IDS = [spec.key for spec in SPECS]
ROLES = sorted(vocabulary.ROLES)


def valid(fact: str) -> Any:
    """A value every shipped transition accepts for this fact."""
    if fact in vocabulary.FACT_CHOICES:
        return vocabulary.FACT_CHOICES[fact][0]
    if fact == "resolved":
        return False  # a real answer, not an empty one
    if fact in {"co_departments", "parties", "attachments"}:
        return ["x"]
    return "值"


def full_facts(transition) -> dict[str, Any]:
    return {f: valid(f) for f in transition.requires}


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_apply_is_exactly_the_declared_rules(spec):
    """Every state x action x single role: success iff state is a source and the role is allowed."""
    for state in spec.states:
        for t in spec.transitions:
            for role in ROLES:
                legal = state.key in t.sources and role in t.roles
                if legal:
                    step = engine.apply(spec, state.key, t.action, [role], full_facts(t))
                    target = spec.state(t.target)
                    assert step == Step(t.action, state.key, t.target, t.effects, t.sla or target.sla,
                                        target.terminal, target.clock)
                    assert t in engine.allowed(spec, state.key, [role])
                    if t.requires:
                        with pytest.raises(MissingFacts) as err:
                            engine.apply(spec, state.key, t.action, [role], {})
                        assert err.value.details == sorted(t.requires)
                else:
                    expected = NotAllowedInState if state.key not in t.sources else RoleNotAllowed
                    for facts in (full_facts(t), {}):  # state and role are checked before facts
                        with pytest.raises(expected) as err:
                            engine.apply(spec, state.key, t.action, [role], facts)
                        assert err.value.code == expected.code
                    assert t not in engine.allowed(spec, state.key, [role])
        for role in ROLES:
            with pytest.raises(UnknownAction):
                engine.apply(spec, state.key, "no_such_action", [role], {})


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_missing_facts_are_listed_exactly(spec):
    """Every allowed (state, action, role) with every subset of its required facts left out or empty."""
    for t in spec.transitions:
        role = sorted(t.roles)[0]
        for source in t.sources:
            for n in range(1, len(t.requires) + 1):
                for missing in combinations(sorted(t.requires), n):
                    for empty in ("absent", None, "  ", [], {}):
                        facts = full_facts(t)
                        for f in missing:
                            if empty == "absent":
                                del facts[f]
                            else:
                                facts[f] = empty
                        with pytest.raises(MissingFacts) as err:
                            engine.apply(spec, source, t.action, [role], facts)
                        assert err.value.details == list(missing)
                        assert err.value.code == "missing_fields"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_errors_come_in_the_documented_order(spec):
    t = spec.transitions[-1]
    wrong_state = next(s.key for s in spec.states if s.key not in t.sources)
    wrong_role = next(r for r in ROLES if r not in t.roles)
    with pytest.raises(UnknownAction):
        engine.apply(spec, wrong_state, "nope", [wrong_role], {})
    with pytest.raises(NotAllowedInState):
        engine.apply(spec, wrong_state, t.action, [wrong_role], {})
    with pytest.raises(RoleNotAllowed):
        engine.apply(spec, t.sources[0], t.action, [wrong_role], {})
    with pytest.raises(RoleNotAllowed):
        engine.apply(spec, t.sources[0], t.action, [], full_facts(t))


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_terminal_states_allow_nothing_and_allowed_keeps_declaration_order(spec):
    for s in spec.states:
        moves = engine.allowed(spec, s.key, ROLES)
        assert (moves == []) == s.terminal
        assert moves == [t for t in spec.transitions if t in moves]


def test_any_one_matching_role_is_enough():
    spec = registry.get("citizen_request")
    step = engine.apply(spec, "received", "dispatch", {"resident", "dispatcher"}, {"department": "D01"})
    assert (step.source, step.target, step.terminal) == ("received", "dispatched", False)
    assert step.effects == {"set_department", "add_co_departments", "start_clock"}


def test_false_and_zero_are_facts_but_blank_strings_are_not():
    spec = registry.get("citizen_request")
    step = engine.apply(spec, "replied", "callback", ["reporter"], {"satisfaction": 5, "resolved": False})
    assert step.terminal and step.target == "closed"
    with pytest.raises(MissingFacts) as err:
        engine.apply(spec, "replied", "callback", ["reporter"], {"satisfaction": "", "resolved": None})
    assert err.value.details == ["resolved", "satisfaction"]
    assert "满意度" in err.value.message and "是否解决" in err.value.message


def test_closed_choice_facts_must_hold_an_allowed_value():
    spec = registry.get("dispute")
    ok = engine.apply(spec, "collected", "screen", ["grid_worker"], {"risk_level": "red", "complexity": "simple"})
    assert ok.target == "screened"
    with pytest.raises(InvalidFacts) as err:
        engine.apply(spec, "collected", "screen", ["grid_worker"], {"risk_level": "purple", "complexity": "simple"})
    assert err.value.code == "invalid_fields"
    assert err.value.details == {"risk_level": ["red", "yellow", "blue"]}
    callback = registry.get("citizen_request")
    assert engine.apply(callback, "replied", "callback", ["dispatcher"], {"satisfaction": "3", "resolved": True})
    for bad in (0, 6, True, "good"):
        with pytest.raises(InvalidFacts):
            engine.apply(callback, "replied", "callback", ["dispatcher"], {"satisfaction": bad, "resolved": True})


def test_rework_sets_its_own_limit_and_suspension_pauses_the_clock():
    spec = registry.get("citizen_request")
    rework = engine.apply(spec, "replied", "rework", ["reporter"],
                          {"satisfaction": 1, "resolved": False, "reason": "没修好"})
    assert rework.target == "handling" and rework.sla == Limit(15, "work_days")
    assert "count_rework" in rework.effects
    suspended = engine.apply(spec, "handling", "suspend", ["dispatcher"], {"reason": "司法程序中"})
    assert suspended.clock is False and suspended.sla is None
    loop = engine.apply(spec, "handling", "remind", ["system"], {})
    assert loop.is_self_loop and loop.effects == {"remind"}


def test_errors_carry_code_chinese_message_and_details():
    spec = registry.get("urban_event")
    with pytest.raises(WorkflowError) as err:
        engine.apply(spec, "closed", "dispatch", ["dispatcher"], {"department": "D01"})
    assert err.value.as_dict() == {
        "code": "action_not_allowed_in_state",
        "message": "案件当前为「已结案」,不能执行「派遣」",
        "details": {"action": "dispatch", "state": "closed", "allowed_in": ["filed"]},
    }
    with pytest.raises(RoleNotAllowed) as err:
        engine.apply(spec, "filed", "dispatch", ["resident"], {"department": "D01"})
    assert err.value.message == "您的角色无权执行「派遣」" and err.value.details["roles"] == ["dispatcher"]


def test_the_urban_event_happy_path_runs_the_seven_steps():
    spec = registry.get("urban_event")
    path = [("file", "dispatcher", {}), ("dispatch", "dispatcher", {"department": "D01"}),
            ("sign", "department_handler", {}),
            ("feedback", "department_handler", {"comment": "已清理", "attachments": ["p1"]}),
            ("verify", "grid_worker", {"attachments": ["p2"]}), ("close", "dispatcher", {}),
            ("evaluate", "reporter", {"satisfaction": 5})]
    state = spec.initial
    for action, role, facts in path:
        state = engine.apply(spec, state, action, [role], facts).target
    assert state == "evaluated" and spec.state(state).terminal
