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

The walks, their tracks and visits are pure computation over values read first (`prepare`), drawn from the
stage's own random stream: `build_demo` starts them in another process beside the population (`start`,
beside.py) and writes them when the stage comes; `build` alone works them out in this process. Either way
the result is the same. Deterministic for a seed (and the day it runs on: the 30 days end yesterday).
Running it again adds nothing: grids that have checkpoints keep them, worker-days that have a patrol are
left alone.
"""

from __future__ import annotations

import math
import random
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as dtime
from itertools import repeat
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.models import Category
from civicgrid.core import audit, clock
from civicgrid.demo.beside import Beside
from civicgrid.demo.findings import FINDING_PHRASES
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import actions, queries, uploads
from civicgrid.gridops.patrols import sql as patrol_rows
from civicgrid.gridops.patrols import track as tracks
from civicgrid.gridops.patrols.choices import FINDING_CASE_TYPES, PatrolStatus, VisitMethod
from civicgrid.gridops.patrols.models import Checkpoint, CheckpointVisit, Patrol

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

    def __init__(self, boundary: dict):
        self.geom = shape(boundary)
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
            area = Area(region.boundary)
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


@dataclass
class Inputs:
    """What the walks are worked out from: plain values, so that the work may run in another process."""

    days: int
    first_day: date
    tz: str
    state: tuple  # the stage's random stream after the checkpoints were drawn
    workers: list[tuple[int, int, int]]  # (assignment id, user id, region id)
    areas: dict[int, dict]  # region id -> boundary (GeoJSON)
    stops: dict[int, list[tuple[float, float]]]  # region id -> its active checkpoints (lat, lng)
    places: dict[int, list[tuple[int, float, float, float]]]  # region id -> the checkpoints of its grid
    categories: list[str]
    done: set[tuple[int, date]]  # (worker, day) that has a patrol already

    def same_world(self, other: Inputs) -> bool:
        """Whether nothing the walks depend on changed. The random state differs (checkpoints are drawn once)
        and so does the order of `stops` (as drawn, then as read back); `places` holds the same checkpoints."""
        return replace(self, state=(), stops={}) == replace(other, state=(), stops={})


@dataclass
class Walk:
    """One worker's patrol of one day, tracked: what the writer stores, nothing it must work out."""

    assignment_id: int
    started_at: datetime
    ended_at: datetime
    short: bool
    times: list  # each point's recording time, as the database takes it (patrols.sql.time_adapter)
    lat: array
    lng: array
    accuracy: array
    distance_m: float
    kept_count: int
    last_point_at: datetime | None
    anchor_at: datetime | None
    visits: list[tuple[int, datetime, float, float, float]]  # (checkpoint id, at, lat, lng, distance)
    finding: tuple[datetime, float, float, str, str] | None = None  # (at, lat, lng, category code, text)


@dataclass
class Walks:
    days: list[list[Walk]] = field(default_factory=list)  # in day order
    missed_days: int = 0


def prepare(*, seed: int, days: int, limit: int | None = None, today: date | None = None) -> tuple[Inputs, Counter]:
    """The checkpoints of every patrolled grid (through the action, in their own transactions) and what the
    walks are worked out from."""
    rng = random.Random(f"{seed}:patrols")
    today = today or timezone.localdate(clock.now())
    first_day = today - timedelta(days=days)
    counts: Counter = Counter()
    workers = _workers(limit)
    regions = list({a.region_id: a.region for a in workers}.values())
    checkpoints = _checkpoints(rng, regions, datetime.combine(first_day - timedelta(days=1), dtime(9),
                                                              timezone.get_current_timezone()), counts)
    done = set(Patrol.objects.filter(day__gte=first_day, day__lt=today, worker__in=[a.user_id for a in workers])
               .values_list("worker_id", "day"))
    return Inputs(
        days=days, first_day=first_day, tz=timezone.get_current_timezone_name(), state=rng.getstate(),
        workers=[(a.pk, a.user_id, a.region_id) for a in workers], areas={r.pk: r.boundary for r in regions},
        stops={pk: [(c.lat, c.lng) for c in rows] for pk, rows in checkpoints.items()},
        places={r.pk: patrol_rows.checkpoint_places(queries.grid_code(r.code)) for r in regions},
        categories=_finding_categories(), done=done), counts


def walk_all(inputs: Inputs) -> Walks:
    """Every patrol of every day, in the order the old writer drew them (pure: no database)."""
    rng = random.Random()
    rng.setstate(inputs.state)
    tz = ZoneInfo(inputs.tz)
    areas = {pk: Area(boundary) for pk, boundary in inputs.areas.items()}
    habits = {assignment_id: _pick_habit(rng) for assignment_id, _, _ in inputs.workers}
    adapt = patrol_rows.time_adapter()
    walks = Walks()
    for offset in range(inputs.days):
        day = inputs.first_day + timedelta(days=offset)
        planned = []
        for assignment_id, user_id, region_id in inputs.workers:
            habit = habits[assignment_id]
            if rng.random() < habit.miss:
                walks.missed_days += 1
                continue
            if (user_id, day) in inputs.done:
                continue
            planned.append((_plan(rng, assignment_id, day, habit, areas[region_id], inputs.stops.get(region_id, []),
                                  inputs.categories, tz), region_id))
        walks.days.append([_walk(rng, plan, inputs.places.get(region_id, []), inputs.categories, adapt)
                           for plan, region_id in planned])
    return walks


@dataclass
class Planned:
    """One worker's patrol of one day, worked out before anything is written."""

    assignment_id: int
    started_at: datetime
    ended_at: datetime
    points: list[actions.PointInput]
    short: bool
    finding: actions.PointInput | None  # where a problem was spotted, if one was


def _plan(rng, assignment_id: int, day: date, habit: Habit, area: Area, stops, categories, tz) -> Planned:
    start_minute = rng.randrange(7 * 60 + 30, 10 * 60 + 30)
    t0 = datetime.combine(day, dtime(start_minute // 60, start_minute % 60), tz)
    short = rng.random() < habit.short
    minutes = rng.randint(25, 55) if short else rng.randint(70, 130)
    stops = [stop for stop in stops if rng.random() >= habit.skip]
    rng.shuffle(stops)
    waypoints = [area.point(rng)] + [p for stop in stops for p in (area.point(rng), stop)]
    points = _route(rng, area, waypoints, minutes * 60, t0)
    finding = None
    if categories and rng.random() < 0.03:
        spot = points[rng.randrange(len(points))]
        if area.geom.contains(Point(spot.lng, spot.lat)):  # not a wild fix
            finding = spot
    return Planned(assignment_id, t0, t0 + timedelta(minutes=minutes), points, short, finding)


def _walk(rng, p: Planned, places, categories: list[str], adapt) -> Walk:
    """The track rule of track.py over all the patrol's points (in time order) and the checkpoint visits of
    the same first-kept-point rule as the upload actions; a finding's category and text are drawn here,
    after the day's plans, as they always were."""
    points = uploads.checked(p.points)
    track = tracks.build_track(tracks.Fix._make(pt) for pt in points)
    finding = None
    if p.finding is not None:
        code = rng.choice(categories)
        finding = (p.finding.recorded_at, p.finding.lat, p.finding.lng, code, rng.choice(FINDING_PHRASES[code]))
    return Walk(
        assignment_id=p.assignment_id, started_at=p.started_at, ended_at=p.ended_at, short=p.short,
        times=[adapt(pt.recorded_at) for pt in points], lat=array("d", [pt.lat for pt in points]),
        lng=array("d", [pt.lng for pt in points]), accuracy=array("d", [pt.accuracy for pt in points]),
        distance_m=track.distance_m, kept_count=len(track.kept),
        last_point_at=points[-1].recorded_at if points else None,
        anchor_at=track.kept[-1].at if track.kept else None,
        visits=[(place_id, fix.at, fix.lat, fix.lng, distance)
                for place_id, fix, distance in uploads.first_visits(track.kept, places)],
        finding=finding)


@dataclass
class Started:
    """The walks being worked out in another process (build_demo starts them before the population)."""

    inputs: Inputs
    counts: Counter
    work: Beside


def start(*, seed: int, days: int = 30, limit: int | None = None, today: date | None = None) -> Started:
    inputs, counts = prepare(seed=seed, days=days, limit=limit, today=today)
    return Started(inputs, counts, Beside("civicgrid.demo.patrols:walk_all", inputs))


def build(*, seed: int, days: int = 30, say=print, limit: int | None = None, today: date | None = None,
          started: Started | None = None) -> dict:
    """Patrols of the last `days` days (ending yesterday) for every grid worker (the first `limit` of them
    by grid code) and the named micro-grid worker, with the walks `started` earlier when nothing they
    depend on changed since. Returns counts."""
    began = time.monotonic()
    inputs, counts = prepare(seed=seed, days=days, limit=limit, today=today)
    if started is not None:
        counts.update(started.counts)  # the checkpoints it made
    if started is not None and started.inputs.same_world(inputs):
        walks = started.work.result()
    else:
        if started is not None:
            started.work.cancel()
            say("巡查:开始后网格员或巡查记录有变,在本进程重新生成")
        walks = walk_all(inputs)
    say(f"巡查:{len(inputs.workers)} 名网格员,{counts['checkpoints']} 个点位,{days} 天……")
    with transaction.atomic():
        assignments = {a.pk: a for a in RoleAssignment.objects.filter(pk__in=[w[0] for w in inputs.workers])
                       .select_related("user", "region")}
        counts["missed_days"] += walks.missed_days
        for offset, day in enumerate(walks.days):
            _write(day, assignments, counts)
            if offset % 10 == 9:
                say(f"  已生成 {offset + 1} 天,巡查 {counts['patrols']} 次")
        if counts["patrols"]:
            audit.record(actor=None, action="demo.patrols", object_type="patrols.patrol",
                         details={k: v for k, v in sorted(counts.items())})
    counts["seconds"] = round(time.monotonic() - began, 1)
    return dict(counts)


def _write(walks: list[Walk], assignments: dict[int, RoleAssignment], counts: Counter) -> None:
    """A day's patrols in bulk: each ended patrol with the figures the upload actions keep, its points and
    its checkpoint visits; then the findings through the real action, which opens their cases."""
    if not walks:
        return
    rows = []
    for w in walks:
        assignment = assignments[w.assignment_id]
        rows.append(Patrol(
            worker_id=assignment.user_id, region_id=assignment.region_id, day=timezone.localdate(w.started_at),
            started_at=w.started_at, ended_at=w.ended_at, status=PatrolStatus.ENDED, distance_m=w.distance_m,
            duration_s=int((w.ended_at - w.started_at).total_seconds()), point_count=len(w.times),
            kept_count=w.kept_count, last_point_at=w.last_point_at, anchor_at=w.anchor_at, created_at=w.started_at))
    Patrol.objects.bulk_create(rows, batch_size=500)
    patrol_rows.load_new_points(
        row for patrol, w in zip(rows, walks, strict=True)
        for row in zip(repeat(patrol.pk), w.times, w.lat, w.lng, w.accuracy))
    visits = [CheckpointVisit(patrol=patrol, checkpoint_id=checkpoint_id, visited_at=at, method=VisitMethod.GPS,
                              lat=lat, lng=lng, distance_m=distance)
              for patrol, w in zip(rows, walks, strict=True) for checkpoint_id, at, lat, lng, distance in w.visits]
    if visits:
        patrol_rows.insert_visits(visits)
    counts["visits"] += len(visits)
    counts["points"] += sum(len(w.times) for w in walks)
    counts["patrols"] += len(walks)
    counts["short_patrols"] += sum(w.short for w in walks)
    for w, patrol in zip(walks, rows, strict=True):
        if w.finding is not None:
            _report(w, patrol, assignments[w.assignment_id], counts)


def _report(w: Walk, patrol: Patrol, assignment: RoleAssignment, counts: Counter) -> None:
    at, lat, lng, code, text = w.finding
    with clock.at(min(at + timedelta(minutes=1), w.ended_at + timedelta(minutes=2))):
        actions.report_finding(actor=assignment.user, patrol_id=patrol.pk, data=actions.FindingInput(
            description=text, lat=lat, lng=lng, category_code=code))
    counts["findings"] += 1
