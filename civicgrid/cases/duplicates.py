"""Likely duplicates of a report: open cases of the same category near the same place within a recent
time window, ranked by text similarity (Chinese character bigrams, Dice coefficient) and distance."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from civicgrid.cases import sql
from civicgrid.cases.models import Case
from civicgrid.core import clock

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


# where the ranking's columns stand in a row of `sql.open_cases_near` (the model's order)
_AT = {name: [f.attname for f in Case._meta.concrete_fields if f.name in sql.DUPLICATE_FIELDS].index(name)
       for name in ("id", "title", "description", "lat", "lng")}


def find(*, category_id: int | None, case_type: str, lat: float | None, lng: float | None, description: str,
         exclude_id: int | None = None, region_code: str = "", limit: int = 5) -> list[Candidate]:
    """Open cases of the same type and category near the point (or, without one, in the same region)
    reported within the window, best first."""
    radius = getattr(settings, "CASE_DUPLICATE_RADIUS_M", 200)
    window = timedelta(days=getattr(settings, "CASE_DUPLICATE_DAYS", 7))
    by_point = lat is not None and lng is not None
    if not by_point and not region_code:
        return []
    box = None
    if by_point:
        dlat = radius / 111_320
        dlng = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        box = (lat - dlat, lat + dlat, lng - dlng, lng + dlng)
    rows = sql.open_cases_near(case_type=case_type, since=clock.now() - window, category_id=category_id, box=box,
                               region_code=region_code, exclude_id=exclude_id)
    # rank on the raw rows; only the few that are kept become Case objects
    ranked = []
    for row in rows:
        other_lat, other_lng = row[_AT["lat"]], row[_AT["lng"]]
        dist = distance_m(lat, lng, other_lat, other_lng) if lat is not None and other_lat is not None else None
        if dist is not None and dist > radius:
            continue
        sim = similarity(description, f"{row[_AT['title']]} {row[_AT['description']]}")
        nearness = 1 - dist / radius if dist is not None else 0.5
        ranked.append((round(0.7 * sim + 0.3 * nearness, 3), row[_AT["id"]], round(sim, 3),
                       None if dist is None else round(dist, 1), row))
    ranked.sort(key=lambda r: (-r[0], -r[1]))
    return [Candidate(sql.duplicate_case(row), sim, dist, score) for score, _, sim, dist, row in ranked[:limit]]


def for_case(case: Case, limit: int = 5) -> list[Candidate]:
    return find(category_id=case.category_id, case_type=case.case_type, lat=case.lat, lng=case.lng,
                description=f"{case.title} {case.description}", exclude_id=case.pk, region_code=case.region.code,
                limit=limit)
