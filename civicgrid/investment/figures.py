"""Figures 10-12 of the source article (civicgrid/figures/registry.py), from records through the same queries the
pages use, counted for the whole district (`registry.WHOLE_DISTRICT`). "This year" is the year of `on`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from civicgrid.figures.registry import WHOLE_DISTRICT, Figure
from civicgrid.investment import growth, queries


def projects_started(on: date) -> Figure:
    """10: projects of ≥ 5 million yuan whose construction started this year (up to `on`)."""
    since = date(on.year, 1, 1)
    return Figure({"projects": queries.projects_started(WHOLE_DISTRICT, since, on)}, since=since, until=on,
                  records_url=f"/investment/projects/?started={on.year}")


def fixed_asset_investment(on: date) -> Figure:
    """11: fixed-asset investment completed this year: the accepted monthly reports of its months to `on`."""
    since = date(on.year, 1, 1)
    return Figure({"yuan": float(queries.investment_completed(WHOLE_DISTRICT, since, on))}, since=since, until=on,
                  records_url="/investment/projects/")


def funds_in_place(on: date) -> Figure:
    """12: domestic funds in place (国内到位资金, yuan) in the first half of this year, and the growth over
    the same days of last year (None when last year had none: "no base")."""
    since, until = growth.first_half(on)
    result = queries.funds_growth(WHOLE_DISTRICT, since, until)
    return Figure({"yuan": float(result.current),
                   "yoy_percent": float(result.percent) if result.percent is not None else None},
                  since=since, until=until, records_url="/investment/funds/")


HANDLERS: dict[str, Callable[[date], Figure]] = {
    "projects_started": projects_started,
    "fixed_asset_investment": fixed_asset_investment,
    "funds_in_place": funds_in_place,
}
