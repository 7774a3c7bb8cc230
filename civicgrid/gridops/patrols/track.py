"""The patrol track rule, pure Python (no Django): which GPS points count, and how far the worker went.

A phone's points arrive in batches, late, twice, out of order; the track is therefore always recomputed
from the stored points sorted by their recording time, so the result never depends on arrival order.

The rule (docs/gridops/patrols.md):

1. A point whose reported accuracy is worse than `max_accuracy_m` (50 m) is dropped (stored, not used).
2. Walking the points in time order, a point is a *jump* when reaching it from the last kept point would
   need more than `max_speed_mps` (25 km/h, a fast bicycle) plus `jitter_m` (20 m of GPS noise):
   `distance > max_speed_mps * seconds + jitter_m`. Jumps are dropped and do not move the anchor, so one
   wild fix costs nothing.
3. When `reanchor_after` (3) jumps in a row agree with each other (each reachable from the previous one
   by the same test), the worker really is somewhere else (a bus ride, or the anchor was the bad fix):
   the track continues from the first of them, and the gap itself is not counted as distance.
4. Distance is the sum of great-circle (haversine, mean Earth radius 6,371,008.8 m) steps between
   consecutive kept points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

EARTH_RADIUS_M = 6_371_008.8
MAX_ACCURACY_M = 50.0
MAX_SPEED_MPS = 25 / 3.6  # 25 km/h
JITTER_M = 20.0
REANCHOR_AFTER = 3


class Fix(NamedTuple):
    """One GPS point as recorded by the phone (a tuple: a patrol's hundreds are made on every upload)."""

    at: datetime
    lat: float
    lng: float
    accuracy: float | None = None


@dataclass
class Track:
    kept: list[Fix] = field(default_factory=list)
    inaccurate: list[Fix] = field(default_factory=list)  # dropped by rule 1
    jumps: list[Fix] = field(default_factory=list)  # dropped by rule 2
    distance_m: float = 0.0
    gaps: int = 0  # re-anchorings (rule 3)

    @property
    def dropped(self) -> list[Fix]:
        return sorted(self.inaccurate + self.jumps, key=lambda f: f.at)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def reachable(a: Fix, b: Fix, *, max_speed_mps: float = MAX_SPEED_MPS, jitter_m: float = JITTER_M) -> bool:
    seconds = abs((b.at - a.at).total_seconds())
    return haversine_m(a.lat, a.lng, b.lat, b.lng) <= max_speed_mps * seconds + jitter_m


def build_track(fixes: Iterable[Fix], *, max_accuracy_m: float = MAX_ACCURACY_M,
                max_speed_mps: float = MAX_SPEED_MPS, jitter_m: float = JITTER_M,
                reanchor_after: int = REANCHOR_AFTER) -> Track:
    """Apply the rule to `fixes` (any order; one fix per instant — later duplicates of an instant are
    ignored) and measure the kept track."""
    track = Track()
    seen = set()
    ordered: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: f.at):
        if fix.at in seen:
            continue
        seen.add(fix.at)
        ordered.append(fix)
    pending: list[Fix] = []  # consecutive jumps that agree with each other
    for fix in ordered:
        if fix.accuracy is not None and fix.accuracy > max_accuracy_m:
            track.inaccurate.append(fix)
            continue
        if not track.kept:
            track.kept.append(fix)
            continue
        last = track.kept[-1]
        step = haversine_m(last.lat, last.lng, fix.lat, fix.lng)
        if step <= max_speed_mps * (fix.at - last.at).total_seconds() + jitter_m:
            track.distance_m += step
            track.kept.append(fix)
            track.jumps.extend(pending)  # a run that did not last: those were glitches after all
            pending = []
            continue
        if pending and not reachable(pending[-1], fix, max_speed_mps=max_speed_mps, jitter_m=jitter_m):
            track.jumps.extend(pending)
            pending = []
        pending.append(fix)
        if len(pending) >= reanchor_after:
            track.gaps += 1
            track.kept.append(pending[0])
            for prev, cur in zip(pending, pending[1:], strict=False):
                track.distance_m += haversine_m(prev.lat, prev.lng, cur.lat, cur.lng)
                track.kept.append(cur)
            pending = []
    track.jumps.extend(pending)
    track.jumps.sort(key=lambda f: f.at)
    return track


def nearest(lat: float, lng: float, places: Sequence[tuple[int, float, float, float]]) -> list[tuple[int, float]]:
    """(id, distance) of every place (id, lat, lng, radius_m) whose radius contains the point."""
    hits = []
    for place_id, plat, plng, radius in places:
        if abs(plat - lat) * 111_000 > radius:  # farther north or south than the radius: no need to measure
            continue
        d = haversine_m(lat, lng, plat, plng)
        if d <= radius:
            hits.append((place_id, d))
    return hits
