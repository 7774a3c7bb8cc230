"""The demo stages that domains added after the first build: each builds its part of the demo through the
real actions on a demo district that exists, and does nothing when its part is already there. So
`build_demo` runs them all after the core stages, and `build_demo --stage KEY` adds one domain to a demo
built before that domain existed.

A stage is `module:function`; the function takes keyword arguments `seed` and `say` (a callable that
prints one line of progress in Chinese) and returns nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Stage:
    key: str
    label: str  # what the stage generates, shown before it runs
    target: str  # "module:function"

    def run(self, *, seed: int, say: Callable[[str], None]) -> None:
        module, function = self.target.split(":")
        getattr(import_module(module), function)(seed=seed, say=say)


# in build order: a stage may rely on every stage above it
STAGES: tuple[Stage, ...] = (
)

BY_KEY = {stage.key: stage for stage in STAGES}
