"""Working out an upload: which of a batch's points are new, the track they make with the stored ones, and
the checkpoints it reaches for the first time — reads and arithmetic, done before the write lock — and
then writing it (inside the transaction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from civicgrid.core import errors, timecheck
from civicgrid.gridops.patrols import queries, sql
from civicgrid.gridops.patrols import track as tracks
from civicgrid.gridops.patrols.choices import VisitMethod
from civicgrid.gridops.patrols.models import CheckpointVisit, Patrol

SKEW = timedelta(minutes=5)  # phone clocks run a little off
MAX_SPAN = timedelta(hours=12)  # no patrol lasts longer; a forgotten "stop" is cut here
FIGURES = ("point_count", "kept_count", "distance_m", "last_point_at", "anchor_at", "duration_s")


class PointInput(NamedTuple):
    """One point as the phone sent it (a tuple, like track.Fix: a batch makes hundreds)."""

    recorded_at: datetime
    lat: float
    lng: float
    accuracy: float | None = None


def check_position(lat, lng, code: str = "location_invalid") -> None:
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise errors.ValidationFailed("坐标无效:须同时提供纬度(-90–90)和经度(-180–180)", code=code)


def checked(points) -> list[PointInput]:
    """The points validated, their times moved to UTC: times in assorted zone objects (each parsed time
    has its own) compare and subtract through utcoffset() calls, ten times slower than times sharing one
    zone, and sorting and the track rule do thousands of those."""
    out = []
    for p in points:
        at = p.recorded_at
        if at.utcoffset() is None:
            raise errors.ValidationFailed("recorded_at须带时区", code="recorded_at_naive")
        check_position(p.lat, p.lng, "point_invalid")
        if p.accuracy is not None and p.accuracy < 0:
            raise errors.ValidationFailed("定位精度不能为负数", code="point_invalid")
        out.append(PointInput(at.astimezone(UTC), p.lat, p.lng, p.accuracy))
    return out


def window(patrol: Patrol, now: datetime) -> tuple[datetime, datetime]:
    """The times a point of this patrol may carry: around its span, and never in the future beyond the
    clock tolerance (core/timecheck)."""
    upper = patrol.ended_at if patrol.ended_at is not None else now
    return patrol.started_at - SKEW, min(min(upper, patrol.started_at + MAX_SPAN) + SKEW, timecheck.latest(now))


def fresh_points(points, low: datetime, high: datetime,
                 have: set[datetime] | frozenset = frozenset()) -> tuple[dict[datetime, PointInput], int]:
    """The batch's points inside [low, high] not already stored (`have`), one per instant (the first of two
    fixes at one instant wins), and how many fell outside the span."""
    fresh: dict[datetime, PointInput] = {}
    rejected = 0
    for p in points:
        at = p.recorded_at
        if not low <= at <= high:
            rejected += 1
        elif at not in have and at not in fresh:
            fresh[at] = p
    return fresh, rejected


@dataclass
class Plan:
    """An upload worked out from the patrol as it was read."""

    stored: int  # points the patrol had
    fresh: list[PointInput]  # the batch's new points inside the patrol's time span
    rejected: int
    changed: bool  # False: nothing new, nothing to write
    kept_count: int = 0
    distance_m: float = 0.0
    last_point_at: datetime | None = None
    anchor_at: datetime | None = None
    visits: list[CheckpointVisit] = field(default_factory=list)


def plan(patrol: Patrol, points, now: datetime) -> Plan:
    """Merge the batch into the stored points and apply the track rule in time order, so that the figures
    never depend on the order batches arrive in.

    The rule walks the points in time order and its state after a point is only the last kept point (the
    anchor) and the jumps since. So when every new point is later than every stored one (the phone's usual
    order), the walk resumes at the anchor: only the anchor and the few points after it are read, and only
    the newly kept points are tested against the checkpoints. Otherwise every stored point is read and the
    whole track is walked again."""
    low, high = window(patrol, now)
    fresh, rejected = fresh_points(points, low, high)
    if not fresh:
        return Plan(patrol.point_count, [], rejected, changed=False)
    new = [tracks.Fix._make(p) for p in fresh.values()]
    last = patrol.last_point_at
    resumable = patrol.kept_count == 0 or patrol.anchor_at is not None
    if patrol.point_count and not (resumable and last is not None and min(f.at for f in new) > last):
        return _replan(patrol, points, low, high)
    tail = sql.fixes(patrol.pk, since=patrol.anchor_at) if patrol.anchor_at is not None else []
    track = tracks.build_track(tail + new)
    kept = track.kept[1:] if tail else track.kept  # the anchor was counted before
    return Plan(patrol.point_count, list(fresh.values()), rejected, changed=True,
                kept_count=patrol.kept_count + len(kept), distance_m=patrol.distance_m + track.distance_m,
                last_point_at=max(f.at for f in new), anchor_at=track.kept[-1].at if track.kept else None,
                visits=new_visits(patrol, kept))


def _replan(patrol: Patrol, points, low: datetime, high: datetime) -> Plan:
    """The whole track again, from every stored point and the batch's new ones."""
    stored = sql.fixes(patrol.pk)
    fresh, rejected = fresh_points(points, low, high, have={f.at for f in stored})
    if not fresh:
        return Plan(len(stored), [], rejected, changed=False)
    new = [tracks.Fix._make(p) for p in fresh.values()]
    track = tracks.build_track(stored + new)
    return Plan(len(stored), list(fresh.values()), rejected, changed=True, kept_count=len(track.kept),
                distance_m=track.distance_m, last_point_at=max(f.at for f in stored[-1:] + new),
                anchor_at=track.kept[-1].at if track.kept else None, visits=new_visits(patrol, track.kept))


def new_visits(patrol: Patrol, kept: list[tracks.Fix], done: set[int] | None = None) -> list[CheckpointVisit]:
    """Visits of checkpoints of the patrol's grid that the kept track reaches and the patrol has not
    visited (`done`, read when not given), each at the first kept point inside its radius."""
    places = sql.checkpoint_places(queries.grid_code(patrol.region.code)) if kept else []
    if not places:
        return []
    reached = {place_id for fix in kept for place_id, _ in tracks.nearest(fix.lat, fix.lng, places)}
    if not reached:
        return []
    done = sql.visited(patrol.pk) if done is None else done
    todo = [p for p in places if p[0] in reached and p[0] not in done]
    return [CheckpointVisit(patrol=patrol, checkpoint_id=checkpoint_id, visited_at=fix.at, method=VisitMethod.GPS,
                            lat=fix.lat, lng=fix.lng, distance_m=distance)
            for checkpoint_id, fix, distance in first_visits(kept, todo)]


def first_visits(kept: list[tracks.Fix], places) -> list[tuple[int, tracks.Fix, float]]:
    """(checkpoint id, first kept point inside its radius, distance) of each place (id, lat, lng, radius) the
    kept track reaches (pure: the demo build runs it in another process)."""
    todo = list(places)
    visits = []
    for fix in kept:
        if not todo:
            break
        hits = tracks.nearest(fix.lat, fix.lng, todo)
        if hits:
            visits += [(checkpoint_id, fix, distance) for checkpoint_id, distance in hits]
            reached = {checkpoint_id for checkpoint_id, _ in hits}
            todo = [p for p in todo if p[0] not in reached]
    return visits


def apply(patrol: Patrol, planned: Plan) -> None:
    """Write the planned points, the patrol's new figures and visits (inside the transaction)."""
    if not planned.changed:
        return
    sql.insert_points(patrol.pk, planned.fresh)
    patrol.point_count = planned.stored + len(planned.fresh)
    patrol.kept_count = planned.kept_count
    patrol.distance_m = planned.distance_m
    patrol.last_point_at = planned.last_point_at
    patrol.anchor_at = planned.anchor_at
    end = patrol.ended_at or patrol.last_point_at
    patrol.duration_s = max(0, int((end - patrol.started_at).total_seconds())) if end else 0
    sql.update_patrol(patrol, FIGURES)
    if planned.visits:
        sql.insert_visits(planned.visits)
