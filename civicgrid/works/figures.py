"""Seed figures 19 and 20 (civicgrid/figures/registry.py): the improvement works finished this year.

The article reports the district's work "今年" (this year): a figure counts the works finished from 1 January
of `on`'s year up to `on`, summing their recorded quantities with the same `queries.totals` the public totals
page uses."""

from __future__ import annotations

from datetime import date

from civicgrid.figures.registry import WHOLE_DISTRICT, Figure
from civicgrid.works import queries


def _this_year(on: date) -> tuple[date, dict]:
    since = date(on.year, 1, 1)
    return since, queries.totals(WHOLE_DISTRICT, since=since, until=on)


def improvement_works(on: date) -> Figure:
    since, t = _this_year(on)
    return Figure({"road_repair_m2": t["road_repair_m2"], "plants": t["plants"],
                   "parking_spaces": t["parking_spaces"], "street_lights": t["street_lights"],
                   "water_buildings": t["water_buildings"], "water_people": t["water_people"]},
                  since=since, until=on, records_url=f"/works/map/?year={on.year}")


def culture_walls(on: date) -> Figure:
    since, t = _this_year(on)
    return Figure({"m2": t["culture_wall_m2"]}, since=since, until=on,
                  records_url=f"/works/map/?year={on.year}&kind=culture_wall")


HANDLERS = {"improvement_works": improvement_works, "culture_walls": culture_walls}
