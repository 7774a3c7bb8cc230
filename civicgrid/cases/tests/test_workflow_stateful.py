"""Random legal and illegal action sequences per shipped spec (hypothesis stateful). No database.

The machine keeps the case state and an event log as a sha256 hash chain, as the case app does, and
checks after every step: the state is known, a refused action raised the predicted error and changed
nothing, terminal states offer no action, the chain verifies and replaying the log reproduces the state.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from civicgrid.cases.workflow import engine, registry, vocabulary
from civicgrid.cases.workflow.engine import (
    InvalidFacts,
    MissingFacts,
    NotAllowedInState,
    RoleNotAllowed,
    UnknownAction,
    WorkflowError,
)
from civicgrid.cases.workflow.spec import Spec

ROLES = sorted(vocabulary.ROLES)
SETTINGS = settings(max_examples=30, stateful_step_count=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def valid(fact: str) -> Any:
    if fact in vocabulary.FACT_CHOICES:
        return vocabulary.FACT_CHOICES[fact][-1]
    if fact == "resolved":
        return True
    if fact in {"co_departments", "parties", "attachments"}:
        return ["x"]
    return "值"


def link(prev: str, event: dict) -> str:
    return hashlib.sha256((prev + json.dumps(event, sort_keys=True, ensure_ascii=False)).encode()).hexdigest()


def predict(spec: Spec, state: str, action: str, roles: set[str], facts: dict) -> type[WorkflowError] | None:
    """The engine's contract, stated independently of its code."""
    if action not in spec.actions():
        return UnknownAction
    t = spec.transition(action)
    if state not in t.sources:
        return NotAllowedInState
    if not roles & t.roles:
        return RoleNotAllowed
    if any(engine.is_empty(facts.get(f)) for f in t.requires):
        return MissingFacts
    if any(str(facts[f]) not in vocabulary.FACT_CHOICES.get(f, (str(facts[f]),)) for f in t.requires):
        return InvalidFacts
    return None


def fact_values(spec: Spec):
    """A facts dict over every fact the spec uses: each absent, empty, valid or (choice facts) invalid."""
    names = sorted(set().union(*(t.requires for t in spec.transitions)))
    choice = {name: st.sampled_from(["absent", "empty", "valid", "valid", "invalid"]) for name in names}
    return st.fixed_dictionaries(choice).map(lambda picks: {
        name: (None if how == "empty" else valid(name) if how == "valid" or name not in vocabulary.FACT_CHOICES
               else "bogus")
        for name, how in picks.items() if how != "absent"})


def shortest_paths(spec: Spec) -> dict[str, list]:
    """For every state, the shortest list of transitions that leads there from the initial state."""
    paths: dict[str, list] = {spec.initial: []}
    frontier = [spec.initial]
    while frontier:
        nxt = []
        for state in frontier:
            for t in spec.transitions:
                if state in t.sources and t.target not in paths:
                    paths[t.target] = paths[state] + [t]
                    nxt.append(t.target)
        frontier = nxt
    return paths


def machine_for(spec: Spec) -> type[RuleBasedStateMachine]:
    actions = spec.actions() + ["no_such_action"]
    paths = shortest_paths(spec)
    starts = [s.key for s in spec.states]

    class CaseMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.state = spec.initial
            self.log: list[tuple[dict, str]] = []  # (event, hash)

        def _record(self, step: engine.Step, roles: set[str], facts: dict) -> None:
            assert step.source == self.state and spec.state(step.target).terminal == step.terminal
            event = {"seq": len(self.log) + 1, "action": step.action, "source": step.source,
                     "target": step.target, "roles": sorted(roles), "facts": facts}
            self.log.append((event, link(self.log[-1][1] if self.log else "", event)))
            self.state = step.target

        @initialize(pick=st.integers(0, 2**32 - 1))
        def start_somewhere(self, pick):
            """Walk the shortest legal path to any state, so late states get their share of random steps."""
            for t in paths[starts[pick % len(starts)]]:
                role = sorted(t.roles)[0]
                facts = {f: valid(f) for f in t.requires}
                self._record(engine.apply(spec, self.state, t.action, [role], facts), {role}, facts)

        @rule(action=st.sampled_from(actions), roles=st.sets(st.sampled_from(ROLES), max_size=3),
              facts=fact_values(spec))
        def attempt(self, action, roles, facts):
            expected = predict(spec, self.state, action, roles, facts)
            before = (self.state, len(self.log))
            try:
                step = engine.apply(spec, self.state, action, roles, facts)
            except WorkflowError as exc:
                assert type(exc) is expected, (self.state, action, roles, facts, exc)
                assert (self.state, len(self.log)) == before
                if expected is MissingFacts:
                    t = spec.transition(action)
                    assert exc.details == sorted(f for f in t.requires if engine.is_empty(facts.get(f)))
                return
            assert expected is None, (self.state, action, roles, facts)
            self._record(step, roles, facts)

        @rule(data=st.data())
        def move_legally(self, data):
            moves = engine.allowed(spec, self.state, ROLES)
            if not moves:
                return
            # a wide integer modulo the choices spreads picks evenly (hypothesis favours index 0 otherwise,
            # which would end most journeys at the first terminal move declared)
            pick = data.draw(st.integers(0, 2**32 - 1))
            onward = [t for t in moves if t.target != self.state]
            if onward and pick % 4:  # mostly move on, so journeys reach the late states
                moves = onward
            t = moves[(pick // 4) % len(moves)]
            role = sorted(t.roles)[data.draw(st.integers(0, 2**32 - 1)) % len(t.roles)]
            facts = {f: valid(f) for f in t.requires}
            self._record(engine.apply(spec, self.state, t.action, [role], facts), {role}, facts)

        @invariant()
        def state_is_known(self):
            assert spec.has_state(self.state)

        @invariant()
        def terminal_states_offer_nothing(self):
            if spec.state(self.state).terminal:
                assert engine.allowed(spec, self.state, ROLES) == []

        @invariant()
        def log_chain_verifies_and_replays(self):
            prev, state = "", spec.initial
            for seq, (event, digest) in enumerate(self.log, start=1):
                assert event["seq"] == seq and event["source"] == state
                assert link(prev, event) == digest
                prev = digest
                state = engine.apply(spec, state, event["action"], event["roles"], event["facts"]).target
            assert state == self.state

    CaseMachine.__name__ = f"{spec.key}_machine"
    return CaseMachine


def _name(key: str) -> str:
    return "Test" + "".join(part.title() for part in key.split("_")) + "Workflow"


# One machine per shipped spec, new specs included; built in a function so no loop variable is left at
# module level for pytest to collect as a second copy of the last machine.
def _machines() -> dict[str, type]:
    machines = {}
    for key in sorted(registry.SPECS):
        case = machine_for(registry.get(key)).TestCase
        case.settings = SETTINGS
        machines[_name(key)] = case
    return machines


globals().update(_machines())


def test_every_shipped_spec_has_a_machine():
    assert {name for name in globals() if name.endswith("Workflow")} == {_name(k) for k in registry.SPECS}


def test_the_case_chain_hash_covers_every_field_and_the_previous_hash():
    """The machine above keeps its own chain; this checks the app's: cases.chain.event_hash."""
    from datetime import UTC, datetime

    from civicgrid.cases import chain
    from civicgrid.cases.models import CaseEvent

    event = CaseEvent(case_id=1, seq=1, actor_id=2, actor_role="dispatcher", action="dispatch",
                      from_state="filed", to_state="dispatched", comment="派往城管局", data={"department": "CGJ"},
                      created_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    digest = chain.event_hash("", event)
    assert chain.event_hash("", event) == digest and len(digest) == 64
    assert chain.event_hash("0" * 64, event) != digest
    for field, other in [("seq", 2), ("actor_id", 3), ("action", "return"), ("to_state", "closed"),
                         ("comment", "改过"), ("data", {"department": "SWJ"}),
                         ("created_at", datetime(2026, 12, 1, 8, 0, 1, tzinfo=UTC))]:
        changed = CaseEvent(**{f: getattr(event, f) for f in chain.HASHED_FIELDS})
        setattr(changed, field, other)
        assert chain.event_hash("", changed) != digest, field
