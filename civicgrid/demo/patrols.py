"""The last 30 days of daily patrols (日常巡查) for the demo's grid workers, replayed through the real
patrol actions on `clock.at(...)`: every grid gets one to three checkpoints (school, market, hazard spot);
each worker has a habit — most patrol every day for 70–130 minutes and pass their checkpoints, some miss
days, cut patrols short or skip a checkpoint — so the daily compliance report has realistic gaps. Points
are recorded every 30 s along a walk inside the grid (with GPS noise, the odd wild fix and the odd poor
one), uploaded in batches of 100 during the patrol; a few patrols report a finding, which becomes a case.

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
from civicgrid.core import clock
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import actions
from civicgrid.gridops.patrols.choices import FINDING_CASE_TYPES
from civicgrid.gridops.patrols.models import Checkpoint, Patrol

INTERVAL_S = 30
BATCH = 100
WALK_MPS = 1.1  # a patrol on foot, with stops
M_PER_DEG = 6_371_008.8 * math.pi / 180
NAMED_MICRO_WORKER = "microworker"

# (habit, share, P(miss a day), P(cut a patrol short), P(skip a checkpoint))
HABITS = [("diligent", 0.62, 0.02, 0.03, 0.03), ("average", 0.28, 0.08, 0.12, 0.15), ("lax", 0.10, 0.30, 0.35, 0.45)]
CHECKPOINTS = [("school", "{}小学门口"), ("market", "{}农贸市场"), ("hazard", "{}边坡隐患点")]
FINDINGS = ["人行道井盖缺失", "路边堆放垃圾", "楼道堆物堵塞消防通道", "邻里因停车发生争执", "占道经营", "路灯不亮"]


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
    return list(Category.objects.filter(case_type__in=FINDING_CASE_TYPES, is_active=True, parent__isnull=False)
                .order_by("code").values_list("code", flat=True))


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
            for assignment in workers:
                habit = habits[assignment.pk]
                if rng.random() < habit.miss:
                    counts["missed_days"] += 1
                    continue
                if (assignment.user_id, day) in done:
                    continue
                _one_patrol(rng, assignment, day, habit, areas[assignment.region_id],
                            checkpoints.get(assignment.region_id, []), categories, tz, counts)
            if offset % 10 == 9:
                say(f"  已生成 {offset + 1} 天,巡查 {counts['patrols']} 次")
    counts["seconds"] = round(time.monotonic() - started, 1)
    return dict(counts)


def _one_patrol(rng, assignment, day: date, habit: Habit, area: Area, checkpoints, categories, tz, counts) -> None:
    worker = assignment.user
    start_minute = rng.randrange(7 * 60 + 30, 10 * 60 + 30)
    t0 = datetime.combine(day, dtime(start_minute // 60, start_minute % 60), tz)
    short = rng.random() < habit.short
    minutes = rng.randint(25, 55) if short else rng.randint(70, 130)
    stops = [(c.lat, c.lng) for c in checkpoints if rng.random() >= habit.skip]
    rng.shuffle(stops)
    waypoints = [area.point(rng)] + [p for stop in stops for p in (area.point(rng), stop)]
    points = _route(rng, area, waypoints, minutes * 60, t0)
    end = t0 + timedelta(minutes=minutes)
    with clock.at(t0):
        patrol, _ = actions.start_patrol(actor=worker, region_code=assignment.region.code)
    events: list[tuple[datetime, int, object]] = []
    for i in range(0, len(points), BATCH):
        batch = points[i:i + BATCH]
        events.append((batch[-1].recorded_at + timedelta(seconds=20), 0, batch))
    if categories and rng.random() < 0.03:
        spot = points[rng.randrange(len(points))]
        if area.geom.contains(Point(spot.lng, spot.lat)):  # not a wild fix
            events.append((spot.recorded_at + timedelta(minutes=1), 1, spot))
    for at, kind, payload in sorted(events, key=lambda e: (e[0], e[1])):
        with clock.at(min(at, end + timedelta(minutes=2))):
            if kind == 0:
                result = actions.upload_points(actor=worker, patrol_id=patrol.pk, points=payload)
                counts["points"] += result.batch.stored
                counts["visits"] += len(result.new_visits)
            else:
                category = rng.choice(categories)
                actions.report_finding(actor=worker, patrol_id=patrol.pk, data=actions.FindingInput(
                    description=rng.choice(FINDINGS), lat=payload.lat, lng=payload.lng, category_code=category))
                counts["findings"] += 1
    with clock.at(end + timedelta(minutes=2)):
        actions.end_patrol(actor=worker, patrol_id=patrol.pk, ended_at=end)
    counts["patrols"] += 1
    counts["short_patrols"] += 1 if short else 0
