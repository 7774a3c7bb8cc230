"""The last 30 days of daily patrols (日常巡查) for the demo's grid workers: every grid gets one to three
checkpoints (school, market, hazard spot, through the real action); each worker has a habit — most patrol
every day for 70–130 minutes and pass their checkpoints, some miss days, cut patrols short or skip a
checkpoint — so the daily compliance report has realistic gaps. Points are recorded every 30 s along a walk
inside the grid (with GPS noise, the odd wild fix and the odd poor one).

About 8,000 patrols of some 200 points each are written in bulk, a day at a time (one run through the
upload actions took most of the demo build): each patrol is stored ended, with the figures the upload
actions keep — distance, kept points, anchor, duration — from the same track rule (track.py) over all its
points, and its checkpoint visits from the same first-kept-point rule (uploads.new_visits); one audit
record (`demo.patrols`) covers them. A few patrols report a finding through the real action
(`report_finding`), with text that matches its category (findings.py); it opens a case.

Deterministic for a seed (and the day it runs on: the 30 days end yesterday). Running it again adds
nothing: grids that have checkpoints keep them, worker-days that have a patrol are left alone.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.models import Category
from civicgrid.core import audit, clock
from civicgrid.demo.findings import FINDING_PHRASES
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import actions, uploads
from civicgrid.gridops.patrols import sql as patrol_rows
from civicgrid.gridops.patrols import track as tracks
from civicgrid.gridops.patrols.choices import FINDING_CASE_TYPES, PatrolStatus
from civicgrid.gridops.patrols.models import Checkpoint, Patrol

INTERVAL_S = 30
WALK_MPS = 1.1  # a patrol on foot, with stops
M_PER_DEG = 6_371_008.8 * math.pi / 180
NAMED_MICRO_WORKER = "microworker"

# (habit, share, P(miss a day), P(cut a patrol short), P(skip a checkpoint))
HABITS = [("diligent", 0.62, 0.02, 0.03, 0.03), ("average", 0.28, 0.08, 0.12, 0.15), ("lax", 0.10, 0.30, 0.35, 0.45)]
CHECKPOINTS = [("school", "{}小学门口"), ("market", "{}农贸市场"), ("hazard", "{}边坡隐患点")]


@dataclass
class Habit:
    name: str
    miss: float
    short: float
    skip: float


def _pick_habit(rng: random.Random) -> Habit:
    r, acc = rng.random(), 0.0
    for name, share, miss, short, skip in HABITS:
        acc += share
        if r <= acc:
            return Habit(name, miss, short, skip)
    name, _, miss, short, skip = HABITS[-1]
    return Habit(name, miss, short, skip)


class Area:
    """A region's polygon, for random points inside it."""

    def __init__(self, region: Region):
        self.geom = shape(region.boundary)
        self.bounds = self.geom.bounds  # (minx, miny, maxx, maxy) = (lng, lat, lng, lat)

    def point(self, rng: random.Random) -> tuple[float, float]:
        minx, miny, maxx, maxy = self.bounds
        for _ in range(200):
            lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if self.geom.contains(Point(lng, lat)):
                return lat, lng
        centre = self.geom.representative_point()
        return centre.y, centre.x


def _offset(lat: float, lng: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / M_PER_DEG, lng + east_m / (M_PER_DEG * math.cos(math.radians(lat)))


def _route(rng: random.Random, area: Area, waypoints: list[tuple[float, float]], seconds: int,
           t0: datetime) -> list[actions.PointInput]:
    """Points every INTERVAL_S along the waypoints (then wandering inside the area) for `seconds`."""
    points: list[actions.PointInput] = []
    here = waypoints[0]
    targets = list(waypoints[1:])
    step = WALK_MPS * INTERVAL_S
    glitch_at = rng.randrange(10, 60) if rng.random() < 0.25 else -1
    poor_at = rng.randrange(10, 60) if rng.random() < 0.3 else -1
    for i in range(seconds // INTERVAL_S + 1):
        lat, lng = _offset(*here, rng.gauss(0, 3), rng.gauss(0, 3))
        accuracy = round(rng.uniform(4, 15), 1)
        if i == glitch_at:
            lat, lng = _offset(lat, lng, rng.uniform(600, 1500), rng.uniform(-900, 900))  # a wild fix
        if i == poor_at:
            accuracy = round(rng.uniform(80, 300), 1)
        points.append(actions.PointInput(t0 + timedelta(seconds=i * INTERVAL_S), round(lat, 7), round(lng, 7),
                                         accuracy))
        left = step * rng.uniform(0.6, 1.2)
        while left > 0:
            if not targets:
                targets.append(area.point(rng))
            north = (targets[0][0] - here[0]) * M_PER_DEG
            east = (targets[0][1] - here[1]) * M_PER_DEG * math.cos(math.radians(here[0]))
            gap = math.hypot(north, east)
            if gap <= left:
                here = targets.pop(0)
                left -= gap
            else:
                here = _offset(*here, north * left / gap, east * left / gap)
                left = 0
    return points


def _workers(limit: int | None) -> list[RoleAssignment]:
    grid = list(RoleAssignment.objects.filter(role="grid_worker", is_active=True, user__is_active=True)
                .select_related("user", "region").order_by("region__code", "user__username"))
    if limit is not None:
        grid = grid[:limit]
    named = list(RoleAssignment.objects.filter(role="micro_grid_worker", is_active=True,
                                               user__username=NAMED_MICRO_WORKER).select_related("user", "region"))
    return grid + named


def _checkpoints(rng: random.Random, regions: list[Region], at: datetime, counts: Counter) -> dict[int, list[Checkpoint]]:
    """One to three checkpoints in each grid that has none yet."""
    made: dict[int, list[Checkpoint]] = {}
    existing = set(Checkpoint.objects.filter(region__in=regions).values_list("region_id", flat=True))
    with clock.at(at):
        for region in regions:
            if region.pk in existing:
                made[region.pk] = list(Checkpoint.objects.filter(region=region, is_active=True))
                continue
            area = Area(region)
            kinds = rng.sample(CHECKPOINTS, rng.choice([1, 2, 2, 3]))
            rows = []
            for kind, name in kinds:
                lat, lng = area.point(rng)
                rows.append(actions.create_checkpoint(actor=None, system=True, data=actions.CheckpointInput(
                    region_code=region.code, name=name.format(region.name), kind=kind, lat=lat, lng=lng,
                    radius_m=rng.choice([40, 50, 60]), is_required=kind != "market" or rng.random() < 0.7)))
            counts["checkpoints"] += len(rows)
            made[region.pk] = rows
    return made


def _finding_categories() -> list[str]:
    """The finding categories that exist and have phrases: a finding's text matches its category."""
    return [code for code in Category.objects.filter(case_type__in=FINDING_CASE_TYPES, is_active=True,
                                                     parent__isnull=False).order_by("code").values_list("code", flat=True)
            if code in FINDING_PHRASES]


def build(*, seed: int, days: int = 30, say=print, limit: int | None = None, today: date | None = None) -> dict:
    """Patrols of the last `days` days (ending yesterday) for every grid worker (the first `limit` of them
    by grid code) and the named micro-grid worker. Returns counts."""
    started = time.monotonic()
    rng = random.Random(f"{seed}:patrols")
    today = today or timezone.localdate(clock.now())
    first_day = today - timedelta(days=days)
    tz = timezone.get_current_timezone()
    counts: Counter = Counter()
    with transaction.atomic():
        workers = _workers(limit)
        regions = list({a.region_id: a.region for a in workers}.values())
        checkpoints = _checkpoints(rng, regions, datetime.combine(first_day - timedelta(days=1), dtime(9), tz), counts)
        areas = {r.pk: Area(r) for r in regions}
        categories = _finding_categories()
        habits = {a.pk: _pick_habit(rng) for a in workers}
        done = set(Patrol.objects.filter(day__gte=first_day, day__lt=today, worker__in=[a.user_id for a in workers])
                   .values_list("worker_id", "day"))  # a second run adds nothing
        say(f"巡查:{len(workers)} 名网格员,{counts['checkpoints']} 个点位,{days} 天……")
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            planned = []
            for assignment in workers:
                habit = habits[assignment.pk]
                if rng.random() < habit.miss:
                    counts["missed_days"] += 1
                    continue
                if (assignment.user_id, day) in done:
                    continue
                planned.append(_plan(rng, assignment, day, habit, areas[assignment.region_id],
                                     checkpoints.get(assignment.region_id, []), categories, tz))
            _write(rng, planned, categories, counts)
            if offset % 10 == 9:
                say(f"  已生成 {offset + 1} 天,巡查 {counts['patrols']} 次")
        if counts["patrols"]:
            audit.record(actor=None, action="demo.patrols", object_type="patrols.patrol",
                         details={k: v for k, v in sorted(counts.items())})
    counts["seconds"] = round(time.monotonic() - started, 1)
    return dict(counts)


@dataclass
class Planned:
    """One worker's patrol of one day, worked out before anything is written."""

    assignment: RoleAssignment
    started_at: datetime
    ended_at: datetime
    points: list[actions.PointInput]
    short: bool
    finding: actions.PointInput | None  # where a problem was spotted, if one was


def _plan(rng, assignment, day: date, habit: Habit, area: Area, checkpoints, categories, tz) -> Planned:
    start_minute = rng.randrange(7 * 60 + 30, 10 * 60 + 30)
    t0 = datetime.combine(day, dtime(start_minute // 60, start_minute % 60), tz)
    short = rng.random() < habit.short
    minutes = rng.randint(25, 55) if short else rng.randint(70, 130)
    stops = [(c.lat, c.lng) for c in checkpoints if rng.random() >= habit.skip]
    rng.shuffle(stops)
    waypoints = [area.point(rng)] + [p for stop in stops for p in (area.point(rng), stop)]
    points = _route(rng, area, waypoints, minutes * 60, t0)
    finding = None
    if categories and rng.random() < 0.03:
        spot = points[rng.randrange(len(points))]
        if area.geom.contains(Point(spot.lng, spot.lat)):  # not a wild fix
            finding = spot
    return Planned(assignment, t0, t0 + timedelta(minutes=minutes), points, short, finding)


def _write(rng, planned: list[Planned], categories: list[str], counts: Counter) -> None:
    """A day's patrols in bulk: each ended patrol with the figures the upload actions keep (the track rule
    of track.py over all its points, in time order), its points and its checkpoint visits; then the
    findings through the real action, which opens their cases."""
    if not planned:
        return
    tracks_ = []
    rows_ = []
    for p in planned:
        points = uploads.checked(p.points)
        track = tracks.build_track(tracks.Fix._make(pt) for pt in points)
        tracks_.append((points, track))
        rows_.append(Patrol(
            worker_id=p.assignment.user_id, region_id=p.assignment.region_id, day=timezone.localdate(p.started_at),
            started_at=p.started_at, ended_at=p.ended_at, status=PatrolStatus.ENDED, distance_m=track.distance_m,
            duration_s=int((p.ended_at - p.started_at).total_seconds()), point_count=len(points),
            kept_count=len(track.kept), last_point_at=points[-1].recorded_at if points else None,
            anchor_at=track.kept[-1].at if track.kept else None, created_at=p.started_at))
    Patrol.objects.bulk_create(rows_, batch_size=500)
    visits = []
    patrol_rows.load_new_points((patrol.pk, pt.recorded_at, pt.lat, pt.lng, pt.accuracy)
                                for patrol, (points, _track) in zip(rows_, tracks_, strict=True) for pt in points)
    for p, patrol, (points, track) in zip(planned, rows_, tracks_, strict=True):
        patrol.region = p.assignment.region
        visits += uploads.new_visits(patrol, track.kept, done=set())
        counts["points"] += len(points)
        counts["patrols"] += 1
        counts["short_patrols"] += 1 if p.short else 0
    if visits:
        patrol_rows.insert_visits(visits)
    counts["visits"] += len(visits)
    for p, patrol in zip(planned, rows_, strict=True):
        if p.finding is not None:
            _report(rng, p, patrol, categories, counts)


def _report(rng, p: Planned, patrol: Patrol, categories: list[str], counts: Counter) -> None:
    code = rng.choice(categories)
    with clock.at(min(p.finding.recorded_at + timedelta(minutes=1), p.ended_at + timedelta(minutes=2))):
        actions.report_finding(actor=p.assignment.user, patrol_id=patrol.pk, data=actions.FindingInput(
            description=rng.choice(FINDING_PHRASES[code]), lat=p.finding.lat, lng=p.finding.lng, category_code=code))
    counts["findings"] += 1
