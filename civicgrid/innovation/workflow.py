"""The 揭榜挂帅 challenge's state machine as data (docs/enterprises/innovation.md draws it). Pure: no
Django. Who may make a move is `side`: "enterprise" (a contact of the enterprise, or an officer who
reaches it, acting for it) or "department" (an officer of the zone's 科技创新部)."""

from __future__ import annotations

from dataclasses import dataclass

SUBMITTED, PUBLISHED, CLOSED, SELECTED, COMPLETED, REJECTED, WITHDRAWN = (
    "submitted", "published", "closed", "selected", "completed", "rejected", "withdrawn")
ENTERPRISE, DEPARTMENT = "enterprise", "department"


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the state stays unless both sides' choices now agree (then SELECTED)
    sides: frozenset[str]
    needs_reason: bool = False


def _move(sources, target, sides, needs_reason=False) -> Move:
    return Move(frozenset(sources), target, frozenset(sides), needs_reason)


MOVES: dict[str, Move] = {
    "publish": _move({SUBMITTED}, PUBLISHED, {DEPARTMENT}),
    "reject": _move({SUBMITTED}, REJECTED, {DEPARTMENT}, needs_reason=True),
    "close": _move({PUBLISHED}, CLOSED, {DEPARTMENT}),
    "enterprise_choose": _move({PUBLISHED, CLOSED}, None, {ENTERPRISE}),
    "department_choose": _move({PUBLISHED, CLOSED}, None, {DEPARTMENT}),
    "complete": _move({SELECTED}, COMPLETED, {DEPARTMENT}),
    "withdraw": _move({SUBMITTED, PUBLISHED, CLOSED}, WITHDRAWN, {ENTERPRISE, DEPARTMENT}, needs_reason=True),
}


class IllegalMove(Exception):
    def __init__(self, state: str, action: str):
        self.state, self.action = state, action
        super().__init__(f"{action} is not allowed in {state}")


def move(state: str, action: str) -> Move:
    """The move `action` from `state`; IllegalMove when the action is unknown or not allowed there."""
    spec = MOVES.get(action)
    if spec is None or state not in spec.sources:
        raise IllegalMove(state, action)
    return spec


def settle(enterprise_choice: int | None, department_choice: int | None) -> int | None:
    """The application both sides chose, or None while either has not chosen or they differ."""
    if enterprise_choice is not None and enterprise_choice == department_choice:
        return enterprise_choice
    return None


def available(state: str) -> list[str]:
    """The actions allowed from `state`, in declaration order."""
    return [name for name, spec in MOVES.items() if state in spec.sources]
