"""Likely duplicates of a report: open cases of the same category near the same place within a recent
time window, ranked by text similarity (Chinese character bigrams, Dice coefficient) and distance."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from civicgrid.cases.models import Case
from civicgrid.core import clock, fastsql

_TEXT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
EARTH_M = 6_371_000


def bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _TEXT.findall((text or "").lower()):
        grams.update(run[i:i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            grams.add(run)
    return grams


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def distance_m(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Candidate:
    case: Case
    similarity: float
    distance_m: float | None
    score: float


# with where each candidate stands in the scope (region, department, reporter): whether the person reporting
# may see it is then known without another read (queries.visible_candidates)
_FIELDS = ("id", "number", "title", "description", "lat", "lng", "state", "created_at", "region", "department",
           "reporter")
# where the ranking's columns stand in a row of `fastsql.columns(Case, _FIELDS)` (the model's order)
_AT = {name: [f.attname for f in Case._meta.concrete_fields if f.name in _FIELDS].index(name)
       for name in ("id", "title", "description", "lat", "lng")}


def _search_sql(by_category: bool, by_point: bool, exclude: bool) -> str:
    """The candidate search for one shape of question (built once per shape; intake runs it every time)."""
    from civicgrid.geo.models import Region

    # "c.is_open" exactly as the partial index's condition: SQLite uses a partial index only when the
    # query repeats its WHERE term, and "is_open = 1" does not (it then read every case of the category)
    where = ["c.is_open", "c.case_type = %s", "c.created_at >= %s",
             "c.category_id = %s" if by_category else "c.category_id IS NULL"]
    join = ""
    if by_point:
        where += ["c.lat BETWEEN %s AND %s", "c.lng BETWEEN %s AND %s"]
    else:
        join = f" JOIN {fastsql.table(Region)} r ON r.id = c.region_id"
        where.append("r.code = %s")
    if exclude:
        where.append("c.id <> %s")
    return (f"SELECT {fastsql.columns(Case, _FIELDS, 'c')} FROM {fastsql.table(Case)} c{join} "
            f"WHERE {' AND '.join(where)} LIMIT 200")


def find(*, category_id: int | None, case_type: str, lat: float | None, lng: float | None, description: str,
         exclude_id: int | None = None, region_code: str = "", limit: int = 5) -> list[Candidate]:
    return search(category_id=category_id, case_type=case_type, lat=lat, lng=lng, description=description,
                  exclude_id=exclude_id, region_code=region_code, limit=limit).candidates()


class Search:
    """A duplicate search whose read may still be waiting (`fastsql.read_ahead`): `ready` once its rows are
    in, `candidates()` ranks them (reading them first if need be)."""

    def __init__(self, read: fastsql.Ahead | None, lat, lng, description: str, radius: float, limit: int):
        self.read, self.lat, self.lng, self.description = read, lat, lng, description
        self.radius, self.limit = radius, limit

    @property
    def ready(self) -> bool:
        return self.read is None or self.read.ready

    def candidates(self) -> list[Candidate]:
        if self.read is None:
            return []
        lat, lng, radius = self.lat, self.lng, self.radius
        # rank on the raw rows; only the few that are kept become Case objects
        ranked = []
        for row in self.read.rows():
            other_lat, other_lng = row[_AT["lat"]], row[_AT["lng"]]
            dist = distance_m(lat, lng, other_lat, other_lng) if lat is not None and other_lat is not None else None
            if dist is not None and dist > radius:
                continue
            sim = similarity(self.description, f"{row[_AT['title']]} {row[_AT['description']]}")
            nearness = 1 - dist / radius if dist is not None else 0.5
            ranked.append((round(0.7 * sim + 0.3 * nearness, 3), row[_AT["id"]], round(sim, 3),
                           None if dist is None else round(dist, 1), row))
        ranked.sort(key=lambda r: (-r[0], -r[1]))
        return [Candidate(fastsql.load(Case, row, _FIELDS), sim, dist, score)
                for score, _, sim, dist, row in ranked[:self.limit]]


def search(*, category_id: int | None, case_type: str, lat: float | None, lng: float | None, description: str,
           exclude_id: int | None = None, region_code: str = "", limit: int = 5) -> Search:
    """`find`, with the read sent ahead: inside `fastsql.reads_ahead()` on PostgreSQL it goes out with the
    next statement (intake: the transaction's first)."""
    radius = getattr(settings, "CASE_DUPLICATE_RADIUS_M", 200)
    window = timedelta(days=getattr(settings, "CASE_DUPLICATE_DAYS", 7))
    by_point = lat is not None and lng is not None
    if not by_point and not region_code:
        return Search(None, lat, lng, description, radius, limit)
    params = [case_type, fastsql.param(Case, "created_at", clock.now() - window)]
    if category_id:
        params.append(category_id)
    if by_point:
        dlat = radius / 111_320
        dlng = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        params += [lat - dlat, lat + dlat, lng - dlng, lng + dlng]
    else:
        params.append(region_code)
    if exclude_id:
        params.append(exclude_id)
    shape = (bool(category_id), by_point, bool(exclude_id))
    sql = fastsql.statement(("duplicates", *shape), lambda: _search_sql(*shape))
    return Search(fastsql.read_ahead(sql, params), lat, lng, description, radius, limit)


def for_case(case: Case, limit: int = 5) -> list[Candidate]:
    return find(category_id=case.category_id, case_type=case.case_type, lat=case.lat, lng=case.lng,
                description=f"{case.title} {case.description}", exclude_id=case.pk, region_code=case.region.code,
                limit=limit)
