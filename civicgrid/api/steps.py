"""Case types whose steps an app takes itself (cases.actions.MANAGED_BY_APP: the step changes the app's
own rows with the case). The app's API registers one handler per such type, and
`POST /api/v1/cases/{id}/transitions` hands those cases' steps to it, so every step of every case type
has the one address. A type without a handler still answers 409 `case_managed_by_app` there."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Handler:
    take: Callable[[Any, int, Any], dict]  # (request, case_id, TransitionIn) -> {"case", "event"}
    actions: frozenset[str]  # the workflow actions it takes (the case's allowed_actions list only these)


HANDLERS: dict[str, Handler] = {}


def register(case_type: str, take: Callable[[Any, int, Any], dict], actions) -> None:
    HANDLERS[case_type] = Handler(take, frozenset(actions))
