"""每日巡视制度: the daily compliance report, per day and grid — which workers patrolled, how long, how far,
which required checkpoints they passed, and who missed the rule.

The rule (docs/gridops/patrols.md): every active holder of a role in `PATROL_RULE_ROLES` (default: grid
workers) patrols the region of their assignment every day for at least `PATROL_MIN_MINUTES` in total,
passing every required checkpoint of that region. A worker misses the day with one or more reasons:
`no_patrol`, `too_short`, `checkpoints_missed`. Checkpoints count for a day only if they existed by its
end. Patrols of workers outside the rule (e.g. micro-grid workers by default) are listed, not judged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.roles import Role
from civicgrid.core import errors
from civicgrid.core.scoping import Grant, Scope, grant_for, grant_q, require
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols.models import Checkpoint, CheckpointVisit, Patrol, TrackFigures
from civicgrid.gridops.patrols.queries import grid_code

PERM = "patrols.view_compliance"
REASONS = {
    "no_patrol": _("未巡查"),
    "too_short": _("巡查时长不足"),
    "checkpoints_missed": _("必巡点位未到"),
}


@dataclass
class WorkerDay(TrackFigures):
    worker_id: int
    name: str
    username: str
    role: str
    region: Region
    under_rule: bool
    patrols: int = 0
    duration_s: int = 0
    distance_m: float = 0.0
    required: list[str] = field(default_factory=list)  # names of the required checkpoints of the region
    covered: list[str] = field(default_factory=list)  # …that the worker's patrols passed
    reasons: list[str] = field(default_factory=list)

    @property
    def grid_code(self) -> str:
        return grid_code(self.region.code)

    @property
    def missing(self) -> list[str]:
        return [name for name in self.required if name not in self.covered]

    @property
    def missed(self) -> bool:
        return bool(self.reasons)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


@dataclass
class GridDay(TrackFigures):
    grid: Region
    workers: int = 0  # under the rule
    patrolled: int = 0  # under the rule, at least one patrol
    met: int = 0
    missed: int = 0
    others: int = 0  # patrolling workers outside the rule
    duration_s: int = 0  # everyone's
    distance_m: float = 0.0
    checkpoints_required: int = 0  # required checkpoints anywhere in the grid
    checkpoints_covered: int = 0  # …passed by anyone's patrol that day

    @property
    def rate(self) -> int | None:
        return None if not self.workers else round(100 * self.met / self.workers)


@dataclass
class DailyReport:
    day: date
    min_minutes: int
    rule_roles: tuple[str, ...]
    region: Region | None
    grids: list[GridDay]
    workers: list[WorkerDay]

    @property
    def missed(self) -> list[WorkerDay]:
        return [w for w in self.workers if w.missed]

    @property
    def totals(self) -> dict:
        under = [w for w in self.workers if w.under_rule]
        return {"grids": len(self.grids), "workers": len(under),
                "patrolled": sum(1 for w in under if w.patrols), "met": sum(1 for w in under if not w.missed),
                "missed": sum(1 for w in under if w.missed),
                "minutes": sum(w.duration_s for w in self.workers) // 60,
                "km": round(sum(w.distance_m for w in self.workers) / 1000, 2)}


def report_regions(user) -> list[Region]:
    """The streets, communities and grids the caller's report may be narrowed to."""
    return list(Region.objects.visible_to(user, PERM)
                .filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID], is_active=True)
                .defer("boundary").order_by("code"))


def _prefixes(user, region_code: str) -> tuple[list[str] | None, Region | None]:
    """The region-code prefixes the report covers (None: everything) and the chosen region."""
    require(user, PERM)
    grant = grant_for(user, PERM)
    chosen = None
    if region_code:
        chosen = Region.objects.filter(code=region_code.strip()).defer("boundary").first()
        if chosen is None or not grant.covers_code(chosen.code):
            raise errors.NotFound()
        return [chosen.code], chosen
    if grant.unrestricted:
        return None, None
    return list(grant.region_codes), None


def _under(path: str, prefixes: list[str] | None) -> Q:
    """The chokepoint's filter on `path` for the report's region prefixes (None: everything)."""
    reach = Grant(unrestricted=True) if prefixes is None else Grant(region_codes=tuple(prefixes))
    return grant_q(reach, Scope(region=path))


def daily_report(user, day: date, region_code: str = "") -> DailyReport:
    """The report for one day over the caller's reach (or one region of it)."""
    prefixes, chosen = _prefixes(user, region_code)
    rule_roles = tuple(settings.PATROL_RULE_ROLES)
    min_s = settings.PATROL_MIN_MINUTES * 60
    day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    # grids: those under the prefixes, and the grid a micro-grid prefix lies in
    grid_q = _under("code", prefixes) | (Q(code__in=[grid_code(p) for p in prefixes if len(p) > len(grid_code(p))])
                                         if prefixes else Q())
    grids = {g.code: GridDay(grid=g) for g in Region.objects.filter(grid_q, level=RegionLevel.GRID, is_active=True)
             .defer("boundary").order_by("code")}

    assignments = (RoleAssignment.objects.filter(_under("region__code", prefixes), is_active=True, user__is_active=True,
                                                 role__in=rule_roles, region__isnull=False)
                   .select_related("user", "region").defer("region__boundary").order_by("region__code", "user__username"))
    patrolled = (Patrol.objects.filter(_under("region__code", prefixes), day=day)
                 .values("worker_id", "region_id").annotate(n=Count("id"), seconds=Sum("duration_s"),
                                                            metres=Sum("distance_m")))
    by_pair = {(row["worker_id"], row["region_id"]): row for row in patrolled}
    visited: dict[tuple[int, int], set[int]] = defaultdict(set)
    for worker_id, region_id, checkpoint_id in (CheckpointVisit.objects.filter(
            _under("patrol__region__code", prefixes), patrol__day=day)
            .values_list("patrol__worker_id", "patrol__region_id", "checkpoint_id")):
        visited[(worker_id, region_id)].add(checkpoint_id)
    required: dict[int, list[Checkpoint]] = defaultdict(list)
    for cp in (Checkpoint.objects.filter(_under("region__code", prefixes), is_active=True, is_required=True,
                                         created_at__lt=day_end).select_related("region").defer("region__boundary")):
        required[cp.region_id].append(cp)

    workers: list[WorkerDay] = []
    seen: set[tuple[int, int]] = set()
    for a in assignments:
        pair = (a.user_id, a.region_id)
        if pair in seen:
            continue
        seen.add(pair)
        workers.append(_row(a.user, a.role, a.region, True, by_pair.get(pair), required[a.region_id],
                            visited[pair], min_s))
    others = [(w, r) for (w, r) in by_pair if (w, r) not in seen]
    if others:
        users = User.objects.in_bulk([w for w, _ in others])
        regions = Region.objects.defer("boundary").in_bulk([r for _, r in others])
        roles = {(a.user_id, a.region_id): a.role for a in RoleAssignment.objects.filter(
            user_id__in=users, region_id__in=regions, is_active=True)}
        for w, r in others:
            workers.append(_row(users[w], roles.get((w, r), ""), regions[r], False, by_pair[(w, r)], [],
                                visited[(w, r)], min_s))
        workers.sort(key=lambda row: (row.region.code, not row.under_rule, row.username))

    for row in workers:
        grid = grids.get(row.grid_code)
        if grid is None:
            continue
        if row.under_rule:
            grid.workers += 1
            grid.patrolled += 1 if row.patrols else 0
            grid.met += 0 if row.missed else 1
            grid.missed += 1 if row.missed else 0
        elif row.patrols:
            grid.others += 1
        grid.duration_s += row.duration_s
        grid.distance_m += row.distance_m
    covered_any = set().union(*visited.values()) if visited else set()
    for cps in required.values():
        for cp in cps:
            grid = grids.get(grid_code(cp.region.code))
            if grid is not None:
                grid.checkpoints_required += 1
                grid.checkpoints_covered += 1 if cp.pk in covered_any else 0
    return DailyReport(day=day, min_minutes=settings.PATROL_MIN_MINUTES, rule_roles=rule_roles, region=chosen,
                       grids=list(grids.values()), workers=workers)


def _row(user, role: str, region: Region, under_rule: bool, patrols: dict | None, required: list[Checkpoint],
         visited: set[int], min_s: int) -> WorkerDay:
    row = WorkerDay(worker_id=user.pk, name=str(user), username=user.username, role=role, region=region,
                    under_rule=under_rule)
    if patrols:
        row.patrols = patrols["n"]
        row.duration_s = patrols["seconds"] or 0
        row.distance_m = patrols["metres"] or 0.0
    row.required = [cp.name for cp in required]
    row.covered = [cp.name for cp in required if cp.pk in visited]
    if under_rule:
        if not row.patrols:
            row.reasons.append("no_patrol")
        elif row.duration_s < min_s:
            row.reasons.append("too_short")
        if row.patrols and len(row.covered) < len(row.required):
            row.reasons.append("checkpoints_missed")
    return row
