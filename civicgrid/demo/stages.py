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
    logins: tuple[str, ...] = ()  # the demo logins the stage makes (listed with the core ones)

    def run(self, *, seed: int, say: Callable[[str], None]) -> None:
        module, function = self.target.split(":")
        getattr(import_module(module), function)(seed=seed, say=say)


# in build order: a stage may rely on every stage above it
STAGES: tuple[Stage, ...] = (
    Stage("investment", "项目与招商:约150个投资项目、月度投资报表、招商线索与到位资金(数据10–12)",
          "civicgrid.demo.investment:build", logins=("touzi", "jianshe")),
    Stage("recognition", "好人榜:一年的推荐、核实、公示、异议与月度榜", "civicgrid.demo.recognition:build"),
    Stage("works", "创城项目:今年完工的道路、绿化、停车位、路灯、供水、文化墙(数据19–20)", "civicgrid.demo.works:build"),
    Stage("innovation", "科技创新:创新平台、产学研协议和揭榜挂帅榜单(文中三个揭榜项目)", "civicgrid.demo.innovation:build",
          logins=("kechuang",)),
    Stage("publicservice", "政务服务:约40个事项、3个机构,一个月的预约、300件网上办事(户口簿邮寄外地)、一年的办不成事",
          "civicgrid.demo.publicservice:build", logins=("window", "window2", "window3")),
    # relief after investment: blockers are raised on the investment stage's projects
    Stage("relief", "助企纾困:一企一策(增资720万美元、引入项目资金1亿元,数据18)、其他企业诉求和项目堵点",
          "civicgrid.demo.relief:build", logins=("caijin", "zhengfu", "hezi")),
    # subsidies after investment and relief: 稳岗返还 (免申即享), 失业保险金 and 失业补助金 batches
    Stage("subsidies", "惠企补贴:稳岗返还免申即享467家,失业保险金3710人584.8万元,失业补助金1309人147.9万元(数据15–17)",
          "civicgrid.demo.subsidies:build", logins=("subsidy",)),
)

BY_KEY = {stage.key: stage for stage in STAGES}
