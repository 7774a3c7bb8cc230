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
    Stage("recognition", "好人榜:一年的推荐、核实、公示、异议与月度榜", "civicgrid.demo.recognition:build"),
    Stage("works", "创城项目:今年完工的道路、绿化、停车位、路灯、供水、文化墙(数据19–20)", "civicgrid.demo.works:build"),
    Stage("innovation", "科技创新:创新平台、产学研协议和揭榜挂帅榜单(文中三个揭榜项目)", "civicgrid.demo.innovation:build"),
)

BY_KEY = {stage.key: stage for stage in STAGES}
