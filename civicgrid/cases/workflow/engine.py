"""The pure workflow engine: decide whether an action may happen, and what it leads to.

No I/O and no framework: the Django action layer loads the case, calls `apply()`, performs the returned
`Step.effects`, writes the new state and the audit event. Errors carry a machine code, a Chinese message
and details, like civicgrid.core.errors.DomainError (which this package may not import).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from civicgrid.cases.workflow.spec import Limit, Spec, Transition
from civicgrid.cases.workflow.vocabulary import EVIDENCE, FACT_CHOICES, FACT_LABELS


@dataclass(frozen=True)
class Step:
    """The outcome of an allowed action. `sla`, `terminal` and `clock` describe the target state
    (`sla` is the transition's own limit when it sets one, e.g. 重办 15 working days)."""

    action: str
    source: str
    target: str
    effects: frozenset[str]
    sla: Limit | None
    terminal: bool
    clock: bool = True

    @property
    def is_self_loop(self) -> bool:
        return self.source == self.target


class WorkflowError(Exception):
    code = "workflow_error"
    message = "流程操作有误"

    def __init__(self, message: str | None = None, *, details: Any = None):
        self.message = message or self.message
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class UnknownAction(WorkflowError):
    code = "unknown_action"
    message = "未知的操作"


class NotAllowedInState(WorkflowError):
    code = "action_not_allowed_in_state"
    message = "当前状态不能执行此操作"


class RoleNotAllowed(WorkflowError):
    code = "role_not_allowed"
    message = "无权执行此操作"


class MissingFacts(WorkflowError):
    code = "missing_fields"
    message = "缺少必填项"


class InvalidFacts(WorkflowError):
    """A required closed-choice fact (vocabulary.FACT_CHOICES) has a value outside its choices."""

    code = "invalid_fields"
    message = "填写的值不在可选范围内"


def is_empty(value: Any) -> bool:
    """Absent for `requires`: None, a blank string, or an empty collection. False and 0 are values."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return len(value) == 0
    return False


def _label(spec: Spec, state: str) -> str:
    return spec.state(state).label if spec.has_state(state) else state


def apply(spec: Spec, state: str, action: str, roles: Iterable[str], facts: Mapping[str, Any]) -> Step:
    """Check, in this order: the action exists, `state` is one of its sources, `roles` intersect its
    roles, every required fact is non-empty (then: closed-choice facts hold an allowed value)."""
    try:
        t = spec.transition(action)
    except KeyError:
        raise UnknownAction(f"未知的操作:{action}", details={"action": action}) from None
    if state not in t.sources:
        raise NotAllowedInState(
            f"案件当前为「{_label(spec, state)}」,不能执行「{t.label}」",
            details={"action": action, "state": state, "allowed_in": list(t.sources)})
    role_set = frozenset(roles)
    if not role_set & t.roles:
        raise RoleNotAllowed(f"您的角色无权执行「{t.label}」",
                             details={"action": action, "roles": sorted(t.roles)})
    missing = sorted(f for f in t.requires if is_empty(facts.get(f)))
    if missing:
        names = "、".join(FACT_LABELS.get(f, f) for f in missing)
        raise MissingFacts(f"「{t.label}」缺少必填项:{names}", details=missing)
    invalid = sorted(f for f in t.requires
                     if f in FACT_CHOICES and str(facts[f]).strip() not in FACT_CHOICES[f])
    if invalid:
        names = "、".join(FACT_LABELS.get(f, f) for f in invalid)
        raise InvalidFacts(f"「{t.label}」以下项的值无效:{names}",
                           details={f: list(FACT_CHOICES[f]) for f in invalid})
    target = spec.state(t.target)
    return Step(action=t.action, source=state, target=t.target, effects=t.effects,
                sla=t.sla if t.sla is not None else target.sla, terminal=target.terminal, clock=target.clock)


# effects that only make sense when the case is in a condition beyond its state (the case's
# `conditions`, computed by the caller): deciding on an extension needs one to be pending
EFFECT_NEEDS = {"grant_extension": "extension_pending", "deny_extension": "extension_pending"}


def allowed(spec: Spec, state: str, roles: Iterable[str], conditions: Iterable[str] | None = None) -> list[Transition]:
    """Transitions `roles` may take from `state`, in declaration order (facts are not checked). With
    `conditions` (what holds for the case now, e.g. "extension_pending"), a transition whose effects need
    a condition that does not hold is left out; None skips that check."""
    role_set = frozenset(roles)
    moves = [t for t in spec.transitions if state in t.sources and role_set & t.roles]
    if conditions is None:
        return moves
    holds = frozenset(conditions)
    return [t for t in moves if all(EFFECT_NEEDS[e] in holds for e in t.effects if e in EFFECT_NEEDS)]


def validate(spec: Spec, known_roles: set[str], known_facts: set[str], known_effects: set[str]) -> list[str]:
    """Structural problems of a spec, one sentence each; an empty list means the spec is valid."""
    problems: list[str] = []
    keys = [s.key for s in spec.states]
    state_keys = set(keys)
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"duplicate state key {key!r}")
    actions = [t.action for t in spec.transitions]
    for action in sorted({a for a in actions if actions.count(a) > 1}):
        problems.append(f"duplicate action key {action!r}")
    if spec.initial not in state_keys:
        problems.append(f"initial state {spec.initial!r} is not a state")
    for t in spec.transitions:
        where = f"transition {t.action!r}"
        if not t.sources:
            problems.append(f"{where} has no source state")
        for s in t.sources:
            if s not in state_keys:
                problems.append(f"{where} leaves unknown state {s!r}")
        if t.target not in state_keys:
            problems.append(f"{where} enters unknown state {t.target!r}")
        if not t.roles:
            problems.append(f"{where} allows no role")
        problems += [f"{where} names unknown role {r!r}" for r in sorted(t.roles - known_roles)]
        problems += [f"{where} requires unknown fact {f!r}" for f in sorted(t.requires - known_facts)]
        problems += [f"{where} has unknown effect {e!r}" for e in sorted(t.effects - known_effects)]
        problems += [f"{where} takes unknown evidence {k!r}" for k in t.evidence if k not in EVIDENCE]
    for s in spec.states:
        if s.since is not None and s.since not in state_keys:
            problems.append(f"state {s.key!r} counts its limit since unknown state {s.since!r}")
        outgoing = [t for t in spec.transitions if s.key in t.sources]
        if s.terminal and outgoing:
            problems.append(f"terminal state {s.key!r} has exits: {', '.join(t.action for t in outgoing)}")
        if not s.terminal and not any(t.target != s.key for t in outgoing):
            problems.append(f"non-terminal state {s.key!r} has no exit")
    if spec.initial in state_keys:
        reachable = _reachable(spec, [spec.initial], forward=True)
        problems += [f"state {k!r} is unreachable from {spec.initial!r}" for k in keys if k not in reachable]
        finishing = _reachable(spec, spec.terminal_states(), forward=False)
        problems += [f"state {k!r} cannot reach a terminal state" for k in keys
                     if k in reachable and k not in finishing and not spec.state(k).terminal]
    return problems


def _reachable(spec: Spec, start: list[str], *, forward: bool) -> set[str]:
    """States reachable from `start` (forward), or states that can reach `start` (backward)."""
    edges: dict[str, set[str]] = {}
    for t in spec.transitions:
        for s in t.sources:
            a, b = (s, t.target) if forward else (t.target, s)
            edges.setdefault(a, set()).add(b)
    seen = set(start)
    queue = deque(start)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
