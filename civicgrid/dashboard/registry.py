"""Dashboard panels, declared as data: each app lists its `Panel`s in `<app>/panels.py` (`PANELS`), and
`DashboardConfig.ready` merges them into `REGISTRY` (a key declared twice is an error). A dashboard shows,
in `order`, every registered panel whose `kinds` include its kind and whose `perm` the viewer holds; the
panel's handler gets the resolved `Scope` (civicgrid.dashboard.scope) and returns one of the three shapes
below, or None when it has nothing to show there. Handlers read through their app's own query functions
(case KPIs only through civicgrid.cases.kpis) and give every figure the link to the records behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# The dashboards: the region levels a leader's reach may name, a department, the high-tech zone and the
# volunteer centre/station.
KINDS = ("district", "street", "community", "grid", "department", "zone", "volunteers")
REGION_KINDS = ("district", "street", "community", "grid")
# a city or province root shows the district's panels, its figures summed over its districts
PANEL_KIND = {"province": "district", "city": "district"}
SCOPE_REGION_KINDS = (*PANEL_KIND, *REGION_KINDS)  # the region levels a dashboard may open


@dataclass(frozen=True)
class Compare:
    label: str  # 上月 / 去年同期
    value: Any
    delta: float | None = None  # value now minus the compared value (None: not comparable)


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: Any  # a number, or None shown as "—"
    href: str  # the records behind the figure
    unit: str = ""  # "%", "件", "小时" …
    compare: tuple[Compare, ...] = ()
    hint: str = ""  # e.g. "12/30": numerator over denominator
    tone: str = ""  # "hot" for figures that call for action


@dataclass(frozen=True)
class Tiles:
    tiles: tuple[Tile, ...]
    kind: str = "tiles"


@dataclass(frozen=True)
class Chart:
    """An ECharts chart: `categories` on the x axis, one line or bar per series ({name, values, type});
    `links[i]` opens the records behind category i."""

    categories: tuple[str, ...]
    series: tuple[dict, ...]
    links: tuple[str, ...] = ()
    percent: bool = False
    horizontal: bool = False
    kind: str = "chart"

    def table(self) -> list[tuple[str, str, list]]:
        """(category, link, [value of each series]) rows: the chart's data as a table."""
        return [(name, self.links[i] if i < len(self.links) else "", [s["values"][i] for s in self.series])
                for i, name in enumerate(self.categories)]


@dataclass(frozen=True)
class Ranking:
    """A ranked table: `columns` headers, rows of (cells, href); the first cell is the name."""

    columns: tuple[str, ...]
    rows: tuple[tuple[tuple, str], ...]
    note: str = ""
    kind: str = "ranking"


PanelData = Tiles | Chart | Ranking


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    kinds: frozenset[str]
    perm: str  # the viewer must hold it (the scope's own checks come first)
    handler: Callable[[Any], PanelData | None] = field(compare=False)
    order: int = 100
    wide: bool = False  # spans the dashboard's full width

    def __post_init__(self):
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"panel {self.key!r}: unknown dashboard kinds {sorted(unknown)}")


REGISTRY: dict[str, Panel] = {}
SOURCES: dict[str, str] = {}  # panel key -> declaring module


def merge(panels, source: str) -> None:
    for panel in panels:
        if panel.key in REGISTRY and REGISTRY[panel.key] is not panel:
            raise ValueError(f"{source}: panel {panel.key!r} is already declared by {SOURCES[panel.key]}")
        REGISTRY[panel.key] = panel
        SOURCES[panel.key] = source


def panels_for(kind: str, user) -> list[Panel]:
    from civicgrid.core.scoping import has_perm_anywhere

    kind = PANEL_KIND.get(kind, kind)
    return sorted((p for p in REGISTRY.values() if kind in p.kinds and has_perm_anywhere(user, p.perm)),
                  key=lambda p: (p.order, p.key))
