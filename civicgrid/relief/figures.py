"""Figure 18 of the source article (civicgrid/figures/registry.py): what the 一企一策 rescue of the joint-venture
chemical firm achieved.

Rule: the recorded outcomes of the relief cases flagged 一企一策 (`ReliefCase.is_tailored`) that were
closed (rated by the enterprise) from 1 January of the year of `on` up to `on`, counted for the whole
district: `capital_increase_usd` sums their 增资 outcomes in US dollars, `project_funds_yuan` their 引入资金
outcomes in yuan. Amounts in other currencies are not converted (and not counted).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from civicgrid.figures.registry import WHOLE_DISTRICT, Figure
from civicgrid.relief import queries
from civicgrid.relief.choices import OutcomeKind


def relief_case(on: date) -> Figure:
    since = date(on.year, 1, 1)
    outcomes = queries.tailored_outcomes(WHOLE_DISTRICT, since, on)
    return Figure({"capital_increase_usd": float(queries.outcome_sum(outcomes, OutcomeKind.CAPITAL_INCREASE, "USD")),
                   "project_funds_yuan": float(queries.outcome_sum(outcomes, OutcomeKind.FUNDS_INTRODUCED, "CNY"))},
                  since=since, until=on, records_url="/relief/?kind=relief&tab=closed")


HANDLERS: dict[str, Callable[[date], Figure]] = {"relief_case": relief_case}
