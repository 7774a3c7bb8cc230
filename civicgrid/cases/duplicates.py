"""Likely duplicates of a report: open cases of the same category near the same place within a recent
time window, ranked by text similarity (Chinese character bigrams, Dice coefficient) and distance."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

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


def find(*, category_id: int | None, case_type: str, lat: float | None, lng: float | None, description: str,
         exclude_id: int | None = None, region_code: str = "", limit: int = 5) -> list[Candidate]:
    radius = getattr(settings, "CASE_DUPLICATE_RADIUS_M", 200)
    window = timedelta(days=getattr(settings, "CASE_DUPLICATE_DAYS", 7))
    qs = Case.objects.filter(is_open=True, case_type=case_type, created_at__gte=clock.now() - window)
    qs = qs.filter(category_id=category_id) if category_id else qs.filter(category__isnull=True)
    if lat is not None and lng is not None:
        dlat = radius / 111_320
        dlng = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        qs = qs.filter(lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng))
    elif region_code:
        qs = qs.filter(region__code=region_code)
    else:
        return []
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    found = []
    for other in qs.only("id", "number", "title", "description", "lat", "lng", "state", "created_at").order_by()[:200]:
        dist = distance_m(lat, lng, other.lat, other.lng) if lat is not None and other.lat is not None else None
        if dist is not None and dist > radius:
            continue
        sim = similarity(description, f"{other.title} {other.description}")
        nearness = 1 - dist / radius if dist is not None else 0.5
        found.append(Candidate(other, round(sim, 3), None if dist is None else round(dist, 1),
                                round(0.7 * sim + 0.3 * nearness, 3)))
    found.sort(key=lambda c: (-c.score, -c.case.pk))
    return found[:limit]


def for_case(case: Case, limit: int = 5) -> list[Candidate]:
    return find(category_id=case.category_id, case_type=case.case_type, lat=case.lat, lng=case.lng,
                description=f"{case.title} {case.description}", exclude_id=case.pk, region_code=case.region.code,
                limit=limit)
