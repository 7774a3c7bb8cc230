"""Workflow specs as immutable data: states, transitions, SLA limits. Pure Python (stdlib only).

A spec is versioned data. `to_dict()` gives canonical JSON-able data (sets as sorted lists, limit values
as floats), `from_dict()` rebuilds an equal spec, and `checksum()` hashes the canonical JSON so a case can
pin the exact workflow it was created under.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

UNITS = ("work_hours", "work_days", "hours", "days")


@dataclass(frozen=True)
class Limit:
    """An SLA time limit: working hours/days on the working calendar, or plain clock hours/days."""

    value: float
    unit: str  # one of UNITS

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown limit unit {self.unit!r}; expected one of {UNITS}")
        if isinstance(self.value, bool) or not isinstance(self.value, int | float) or self.value <= 0:
            raise ValueError(f"limit value must be a positive number, not {self.value!r}")
        object.__setattr__(self, "value", float(self.value))

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Limit | None:
        return None if d is None else cls(value=d["value"], unit=d["unit"])


@dataclass(frozen=True)
class State:
    key: str
    label: str  # Chinese
    terminal: bool = False
    sla: Limit | None = None  # default limit for time spent in this state (categories may override)
    clock: bool = True  # False: the SLA clock is paused while the case is in this state
    # the limit counts from when the case last entered this other state, not from entering this one
    # (e.g. 方案 within 3 and 办结 within 5 working days of 交办); only written to the data when set
    since: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"key": self.key, "label": self.label, "terminal": self.terminal,
             "sla": self.sla.to_dict() if self.sla else None, "clock": self.clock}
        if self.since is not None:
            d["since"] = self.since
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> State:
        return cls(key=d["key"], label=d["label"], terminal=bool(d.get("terminal", False)),
                   sla=Limit.from_dict(d.get("sla")), clock=bool(d.get("clock", True)), since=d.get("since"))


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # Chinese button label
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    requires: frozenset[str] = frozenset()  # facts that must be present and non-empty
    effects: frozenset[str] = frozenset()  # side effects the action layer performs
    sla: Limit | None = None  # overrides the target state's limit when entered by this move (e.g. 重办)
    # kinds of file (vocabulary.EVIDENCE) the move takes as its `attachments`; only written to the data when
    # set. Empty: photos where `attachments` is required, none otherwise (see `evidence_kinds`)
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # accept any iterable in definitions, store canonical immutable types
        object.__setattr__(self, "evidence", tuple(self.evidence))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "requires", frozenset(self.requires))
        object.__setattr__(self, "effects", frozenset(self.effects))

    @property
    def is_self_loop(self) -> bool:
        return self.sources == (self.target,)

    @property
    def evidence_kinds(self) -> tuple[str, ...]:
        """The kinds of file this move takes (an empty tuple: it takes none)."""
        return self.evidence or (("photo",) if "attachments" in self.requires else ())

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "action": self.action, "label": self.label, "sources": list(self.sources), "target": self.target,
            "roles": sorted(self.roles), "requires": sorted(self.requires), "effects": sorted(self.effects),
        }
        if self.sla is not None:
            d["sla"] = self.sla.to_dict()
        if self.evidence:
            d["evidence"] = list(self.evidence)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transition:
        return cls(action=d["action"], label=d["label"], sources=tuple(d["sources"]), target=d["target"],
                   roles=frozenset(d["roles"]), requires=frozenset(d.get("requires", ())),
                   effects=frozenset(d.get("effects", ())), sla=Limit.from_dict(d.get("sla")),
                   evidence=tuple(d.get("evidence", ())))


@dataclass(frozen=True)
class Spec:
    key: str
    version: int
    label: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    description: str = field(default="")  # purpose, one paragraph (docs)

    def __post_init__(self) -> None:
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "transitions", tuple(self.transitions))

    @cached_property
    def _states_by_key(self) -> dict[str, State]:
        return {s.key: s for s in self.states}

    @cached_property
    def _transitions_by_action(self) -> dict[str, Transition]:
        by_action: dict[str, Transition] = {}
        for t in self.transitions:
            by_action.setdefault(t.action, t)  # duplicates are a validate() problem; first one wins
        return by_action

    def state(self, key: str) -> State:
        """The state with this key; KeyError if there is none."""
        try:
            return self._states_by_key[key]
        except KeyError:
            raise KeyError(f"workflow {self.key} has no state {key!r}") from None

    def has_state(self, key: str) -> bool:
        return key in self._states_by_key

    def transition(self, action: str) -> Transition:
        """The transition with this action key; KeyError if there is none."""
        try:
            return self._transitions_by_action[action]
        except KeyError:
            raise KeyError(f"workflow {self.key} has no action {action!r}") from None

    def terminal_states(self) -> list[str]:
        return [s.key for s in self.states if s.terminal]

    def actions(self) -> list[str]:
        return [t.action for t in self.transitions]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "version": self.version, "label": self.label, "initial": self.initial,
            "description": self.description,
            "states": [s.to_dict() for s in self.states],
            "transitions": [t.to_dict() for t in self.transitions],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Spec:
        return cls(key=d["key"], version=int(d["version"]), label=d["label"], initial=d["initial"],
                   description=d.get("description", ""),
                   states=tuple(State.from_dict(s) for s in d["states"]),
                   transitions=tuple(Transition.from_dict(t) for t in d["transitions"]))

    def canonical_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def checksum(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()
