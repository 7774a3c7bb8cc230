"""The figures of the source article (`../shared/docs/seed-figures.md`), computed live from records.

`DECLARED` is that table, declared once as data: number, key and value names of every
figure. `HANDLERS` maps a key to the function that computes it from records with the same query
functions the pages and dashboards use (geo, accounts, volunteers, enterprises). A domain app adds its
figures in its own `figures.py` module, a `HANDLERS` dict that `FiguresConfig.ready` merges in (a key
declared twice is an error). A test holds every handler's answer to its declared value names and the
handled keys to the declared ones; a declared figure with no handler is listed as missing.

Figures are aggregates over the tree: they are counted for `WHOLE_DISTRICT`, a reader reaching the whole
tree through the scoping chokepoint, and shown to users holding `figures.view_figures` (the leader, the
enterprise officer). No personal data leaves through them. Under a city root, `compute(on, region_code=)`
counts one district: inside it the same reader reaches only that code's prefix (`counting_for`), so every
handler that reads through the chokepoint counts that district's records and nothing else; catalogues
(service categories, delegated approvals, the zone's area) are the same everywhere.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from civicgrid.core.scoping import Grant

VIEW = "figures.view_figures"


@dataclass(frozen=True)
class Declared:
    number: int
    key: str
    values: tuple[str, ...]


DECLARED: tuple[Declared, ...] = (
    Declared(1, "base_grids", ("grids",)),
    Declared(2, "micro_grid_workers", ("workers", "micro_grids")),
    Declared(3, "volunteer_orders", ("orders", "matched")),
    Declared(4, "donations_to_low_income", ("yuan",)),
    Declared(5, "volunteer_services", ("categories",)),
    Declared(6, "high_tech_enterprises", ("enterprises",)),
    Declared(7, "innovation_qualifications", ("national_innovative", "torch_key_high_tech", "postdoctoral_stations")),
    Declared(8, "patents", ("granted", "valid_invention", "city_share_percent")),
    Declared(9, "main_board_listed", ("enterprises",)),
    Declared(10, "projects_started", ("projects",)),
    Declared(11, "fixed_asset_investment", ("yuan",)),
    Declared(12, "funds_in_place", ("yuan", "yoy_percent")),
    Declared(13, "delegated_approvals", ("items", "zone_departments")),
    Declared(14, "zone_area", ("initial_km2", "current_km2")),
    Declared(15, "unemployment_insurance", ("persons", "yuan")),
    Declared(16, "unemployment_subsidy", ("persons", "yuan")),
    Declared(17, "job_stabilisation_refunds", ("enterprises",)),
    Declared(18, "relief_case", ("capital_increase_usd", "project_funds_yuan")),
    Declared(19, "improvement_works", ("road_repair_m2", "plants", "parking_spaces", "street_lights",
                                       "water_buildings", "water_people")),
    Declared(20, "culture_walls", ("m2",)),
)
BY_KEY = {d.key: d for d in DECLARED}


_EVERYTHING = Grant(unrestricted=True)
_REACH: ContextVar[Grant | None] = ContextVar("figures_reach", default=None)  # None: everything


@contextmanager
def counting_for(region_code: str | None):
    """Count the figures of the region `region_code` (a district under a city root); None or "": all."""
    token = _REACH.set(Grant(region_codes=(region_code,)) if region_code else _EVERYTHING)
    try:
        yield
    finally:
        _REACH.reset(token)


class _WholeDistrict:
    """The reader figures are counted for: reaches everything through the chokepoint (`grant_for`), or
    inside `counting_for(code)` that region only."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    pk = None

    def grant_for(self, perm: str, own_only: frozenset[str] = frozenset()) -> Grant:
        return _REACH.get() or _EVERYTHING

    def role_codes(self) -> set[str]:
        return set()

    def get_username(self) -> str:
        return ""


WHOLE_DISTRICT = _WholeDistrict()


@dataclass(frozen=True)
class Figure:
    values: dict
    since: date | None = None
    until: date | None = None
    records_url: str = ""


def six_months_before(day: date) -> date:
    year, month = (day.year, day.month - 6) if day.month > 6 else (day.year - 1, day.month + 6)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- handlers ---------------------------------------------------------------------------------------


def base_grids(on: date) -> Figure:
    from civicgrid.geo import queries

    return Figure({"grids": queries.count_regions(WHOLE_DISTRICT, "grid")}, records_url="/geo/?level=grid")


def micro_grid_workers(on: date) -> Figure:
    from civicgrid.accounts import queries as accounts
    from civicgrid.geo import queries as geo

    return Figure({"workers": accounts.count_active_role_holders(WHOLE_DISTRICT, "micro_grid_worker"),
                   "micro_grids": geo.count_regions(WHOLE_DISTRICT, "micro_grid")},
                  records_url="/geo/?level=micro_grid")


def volunteer_orders(on: date) -> Figure:
    from civicgrid.volunteers.queries import stats as stats_queries

    since = six_months_before(on)
    stats = stats_queries.stats(WHOLE_DISTRICT, since=since, until=on)
    return Figure({"orders": stats["orders"], "matched": stats["matched"]}, since=since, until=on,
                  records_url="/volunteers/stats/")


def donations_to_low_income(on: date) -> Figure:
    from civicgrid.people.models import ResidentTag
    from civicgrid.volunteers.models import Distribution, Donation

    donations = Donation.objects.visible_to(WHOLE_DISTRICT, "volunteers.view_donation")
    low_income = ResidentTag.objects.filter(tag__code="low_income").values("resident__household_id")
    total = (Distribution.objects.filter(donation__in=donations, household_id__in=low_income)
             .aggregate(s=Sum("amount"))["s"]) or Decimal("0")
    return Figure({"yuan": float(total)}, records_url="/volunteers/donations/")


def volunteer_services(on: date) -> Figure:
    from civicgrid.volunteers.queries import services

    return Figure({"categories": len(services.service_catalogue())}, records_url="/volunteers/services/")


def high_tech_enterprises(on: date) -> Figure:
    from civicgrid.enterprises import queries

    return Figure({"enterprises": queries.holders_on(WHOLE_DISTRICT, queries.HIGH_TECH, on)},
                  records_url=f"/enterprises/list/?qualification={queries.HIGH_TECH}")


def innovation_qualifications(on: date) -> Figure:
    from civicgrid.enterprises import queries

    return Figure({"national_innovative": queries.holders_on(WHOLE_DISTRICT, queries.NATIONAL_INNOVATIVE, on),
                   "torch_key_high_tech": queries.holders_on(WHOLE_DISTRICT, queries.TORCH_KEY, on),
                   "postdoctoral_stations": queries.holders_on(WHOLE_DISTRICT, queries.POSTDOC_STATION, on)},
                  records_url="/enterprises/zone/")


def patents(on: date) -> Figure:
    from civicgrid.enterprises import queries

    return Figure(queries.patent_figures(WHOLE_DISTRICT, on), records_url="/enterprises/zone/")


def main_board_listed(on: date) -> Figure:
    from civicgrid.enterprises import queries

    return Figure({"enterprises": queries.listed_on_main_board(WHOLE_DISTRICT)},
                  records_url="/enterprises/list/?listing=main_board")


def delegated_approvals(on: date) -> Figure:
    from civicgrid.enterprises import queries

    return Figure(queries.delegated_approvals(), records_url="/enterprises/approvals/")


def zone_area(on: date) -> Figure:
    from civicgrid.enterprises import queries

    area = queries.zone_area(on)
    return Figure({"initial_km2": area["initial_km2"], "current_km2": area["current_km2"]},
                  records_url="/enterprises/zone/")


HANDLERS: dict[str, Callable[[date], Figure]] = {
    "base_grids": base_grids,
    "micro_grid_workers": micro_grid_workers,
    "volunteer_orders": volunteer_orders,
    "donations_to_low_income": donations_to_low_income,
    "volunteer_services": volunteer_services,
    "high_tech_enterprises": high_tech_enterprises,
    "innovation_qualifications": innovation_qualifications,
    "patents": patents,
    "main_board_listed": main_board_listed,
    "delegated_approvals": delegated_approvals,
    "zone_area": zone_area,
}


def merge(handlers: dict[str, Callable[[date], Figure]], source: str) -> None:
    """Add a domain's handlers (from `<app>.figures.HANDLERS`); each key must be declared and new."""
    for key, handler in handlers.items():
        if key not in BY_KEY:
            raise ValueError(f"{source}: figure {key!r} is not declared in DECLARED")
        if key in HANDLERS and HANDLERS[key] is not handler:
            raise ValueError(f"{source}: figure {key!r} already has a handler")
        HANDLERS[key] = handler


def compute(on: date, keys: list[str] | None = None, region_code: str | None = None) -> list[dict]:
    """The handled figures in the declared order, as the API answers them: of the whole tree, or of the
    region `region_code` (a district)."""
    with counting_for(region_code):
        return _compute(on, keys)


def _compute(on: date, keys: list[str] | None) -> list[dict]:
    items = []
    for declared in DECLARED:
        handler = HANDLERS.get(declared.key)
        if handler is None or (keys and declared.key not in keys):
            continue
        figure = handler(on)
        items.append({
            "number": declared.number, "key": declared.key, "values": figure.values,
            "period": {"since": figure.since.isoformat() if figure.since else None,
                       "until": figure.until.isoformat() if figure.until else None},
            "records_url": figure.records_url,
        })
    return items
