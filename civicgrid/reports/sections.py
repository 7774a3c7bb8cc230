"""A report as a list of sections (a table and maybe a chart each), made from the dashboard's own panels:
the monthly district report is the district dashboard's panels for that month, so every figure in it is
the dashboard's figure. Pure data; render_xlsx and render_pdf draw it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from civicgrid.dashboard.registry import Chart, Ranking, Tiles

LIVE_ONLY = frozenset({"case_live"})  # "now" counts: not part of a month's report


@dataclass
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple]
    chart: dict | None = None  # {"categories", "series": [{"name", "type", "values"}], "horizontal"}
    note: str = ""


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section] = field(default_factory=list)


def from_panel(key: str, title: str, data) -> Section:
    if isinstance(data, Tiles):
        width = max((len(t.compare) for t in data.tiles), default=0)
        labels = next((tuple(c.label for c in t.compare) for t in data.tiles if len(t.compare) == width), ())
        rows = [(t.label, t.value, t.unit, *(c.value for c in t.compare), *([""] * (width - len(t.compare))))
                for t in data.tiles]
        return Section(key, title, ("指标", "数值", "单位", *labels), rows)
    if isinstance(data, Chart):
        rows = [(name, *values) for name, _, values in data.table()]
        chart = {"categories": list(data.categories), "series": [dict(s) for s in data.series],
                 "horizontal": data.horizontal}
        return Section(key, title, ("项目", *(s["name"] for s in data.series)), rows, chart=chart)
    if isinstance(data, Ranking):
        rows = [(i, *cells) for i, (cells, _) in enumerate(data.rows, start=1)]
        return Section(key, title, ("#", *data.columns), rows, note=data.note)
    raise TypeError(f"panel {key!r} returned {type(data).__name__}")


def dashboard_sections(scope, progress: Callable[[int, int], None] | None = None) -> list[Section]:
    """The scope's dashboard panels (what its viewer sees there, live counts left out) as sections."""
    from civicgrid.dashboard import registry

    panels = [p for p in registry.panels_for(scope.kind, scope.user) if p.key not in LIVE_ONLY]
    out = []
    for i, panel in enumerate(panels, start=1):
        data = panel.handler(scope)
        if data is not None:
            out.append(from_panel(panel.key, panel.title, data))
        if progress:
            progress(i, len(panels))
    return out
