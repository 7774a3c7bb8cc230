"""Reads of patrols, tracks and checkpoints. Every read starts scoped (`Patrol.objects.visible_to`), so a
patrol out of reach is NotFound. A track is a worker's whereabouts (行踪轨迹, PIPL art. 28): reading
someone else's track is audit-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from civicgrid.accounts.roles import ROLE_SPECS
from civicgrid.core import audit, errors
from civicgrid.core.scoping import filter_for, get_visible, grant_for, has_perm_anywhere
from civicgrid.geo.choices import CODE_LENGTH, RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import sql
from civicgrid.gridops.patrols import track as tracks
from civicgrid.gridops.patrols.choices import PatrolStatus
from civicgrid.gridops.patrols.models import (
    PATROL,
    VIEW,
    Checkpoint,
    CheckpointVisit,
    Patrol,
    PatrolFinding,
)

GRID_LEN = CODE_LENGTH[RegionLevel.GRID]
MANAGE = "patrols.manage_checkpoints"
RELATED = ("worker", "region")


def grid_code(region_code: str) -> str:
    """The base grid a grid or micro-grid code belongs to."""
    return region_code[:GRID_LEN]


# ---- patrols ---------------------------------------------------------------------------------------

def patrols_visible(user):
    return Patrol.objects.visible_to(user).select_related(*RELATED)


def get_patrol(user, patrol_id: int) -> Patrol:
    return get_visible(Patrol.objects.select_related(*RELATED), user, pk=patrol_id)


def filter_patrols(qs, *, day: date | None = None, since: date | None = None, until: date | None = None,
                   region: str = "", worker_id: int | None = None, status: str = "", mine_of=None):
    if day is not None:
        qs = qs.filter(day=day)
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    if region:
        qs = qs.filter(region__code__startswith=region.strip())
    if worker_id:
        qs = qs.filter(worker_id=worker_id)
    if status:
        qs = qs.filter(status=status)
    if mine_of is not None:
        qs = qs.filter(worker_id=mine_of.pk)
    return qs


def active_patrol(user) -> Patrol | None:
    """The signed-in worker's patrol in progress, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Patrol.objects.select_related(*RELATED).filter(worker_id=user.pk, status=PatrolStatus.ACTIVE).first()


def recent_patrols(user, limit: int = 10) -> list[Patrol]:
    return list(Patrol.objects.select_related(*RELATED).filter(worker_id=user.pk)[:limit])


def patrol_regions(user) -> list[Region]:
    """The grids and micro-grids `user` patrols: the regions of their field-role assignments."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [a.region for a in user.active_assignments()
            if a.region_id and PATROL in getattr(ROLE_SPECS.get(a.role), "perms", ())]


def can_patrol(user) -> bool:
    return bool(grant_for(user, PATROL)) and bool(patrol_regions(user))


# ---- tracks ----------------------------------------------------------------------------------------

def track_of(patrol: Patrol) -> tracks.Track:
    return tracks.build_track(sql.fixes(patrol.pk))


def _local(moment) -> str:
    """ISO 8601 in Beijing time (+08:00), so that the map can show hh:mm as it is."""
    return timezone.localtime(moment).isoformat()


def _audit_track_read(user, patrol: Patrol) -> None:
    if patrol.worker_id != user.pk:
        audit.record(actor=user, action="patrols.view_track", obj=patrol, fields=["track"],
                     details={"worker": patrol.worker_id, "day": patrol.day.isoformat()})


def track_geojson(user, patrol_id: int) -> dict:
    """The patrol's track for the map: a LineString of the kept points (times alongside), the dropped
    points, the checkpoints of its grid (visited or not) and its findings."""
    patrol = get_patrol(user, patrol_id)
    _audit_track_read(user, patrol)
    track = track_of(patrol)
    visits = {v.checkpoint_id: v for v in patrol.visits.all()}
    features = [{
        "type": "Feature", "id": f"track-{patrol.pk}",
        "geometry": {"type": "LineString", "coordinates": [[f.lng, f.lat] for f in track.kept]},
        "properties": {"kind": "track", "patrol_id": patrol.pk, "times": [_local(f.at) for f in track.kept],
                       "distance_m": round(track.distance_m, 1), "gaps": track.gaps},
    }]
    if track.dropped:
        features.append({
            "type": "Feature", "id": f"dropped-{patrol.pk}",
            "geometry": {"type": "MultiPoint", "coordinates": [[f.lng, f.lat] for f in track.dropped]},
            "properties": {"kind": "dropped", "times": [_local(f.at) for f in track.dropped]},
        })
    for cp in checkpoints_of_grid(patrol.region.code):
        visit = visits.get(cp.pk)
        features.append({
            "type": "Feature", "id": f"checkpoint-{cp.pk}",
            "geometry": {"type": "Point", "coordinates": [cp.lng, cp.lat]},
            "properties": {"kind": "checkpoint", "checkpoint_id": cp.pk, "name": cp.name,
                           "checkpoint_kind": cp.kind, "radius_m": cp.radius_m, "is_required": cp.is_required,
                           "visited_at": _local(visit.visited_at) if visit else None,
                           "method": visit.method if visit else None},
        })
    for finding in patrol.findings.select_related("case"):
        case = finding.case
        if case.lat is None:
            continue
        features.append({
            "type": "Feature", "id": f"finding-{finding.pk}",
            "geometry": {"type": "Point", "coordinates": [case.lng, case.lat]},
            "properties": {"kind": "finding", "case_id": case.pk, "number": case.number, "title": case.title,
                           "created_at": _local(finding.created_at)},
        })
    return {"type": "FeatureCollection", "features": features}


# ---- one patrol, for display --------------------------------------------------------------------------

@dataclass
class PatrolView:
    patrol: Patrol
    visits: list[CheckpointVisit]
    findings: list[PatrolFinding]
    checkpoints: list[Checkpoint]
    required_missed: list[Checkpoint]


def patrol_view(user, patrol_id: int) -> PatrolView:
    patrol = get_patrol(user, patrol_id)
    visits = list(patrol.visits.select_related("checkpoint"))
    visited = {v.checkpoint_id for v in visits}
    checkpoints = checkpoints_of_grid(patrol.region.code)
    required = [c for c in checkpoints if c.is_required and c.region_id == patrol.region_id]
    return PatrolView(patrol=patrol, visits=visits, findings=list(patrol.findings.select_related("case")),
                      checkpoints=checkpoints, required_missed=[c for c in required if c.pk not in visited])


# ---- checkpoints -----------------------------------------------------------------------------------

def checkpoints_of_grid(region_code: str) -> list[Checkpoint]:
    """The active checkpoints of the grid a patrol region belongs to (its micro-grids' ones included):
    what a patrol there may pass. Not a scoped read: it is reached through a patrol the caller sees."""
    return list(Checkpoint.objects.filter(region__code__startswith=grid_code(region_code), is_active=True)
                .select_related("region"))


def checkpoints_visible(user, *, region: str = "", include_inactive: bool = False):
    """Checkpoints in the caller's reach: managers and viewers of patrols in their regions; a field worker
    the checkpoints of the grids they patrol."""
    perm = MANAGE if has_perm_anywhere(user, MANAGE) else VIEW
    if not has_perm_anywhere(user, perm):
        return Checkpoint.objects.none()
    q = filter_for(user, perm, Checkpoint)
    for code in {grid_code(r.code) for r in patrol_regions(user)}:
        q |= Q(region__code__startswith=code)
    qs = Checkpoint.objects.filter(q).select_related("region")
    if region:
        qs = qs.filter(region__code__startswith=region.strip())
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def get_checkpoint(user, checkpoint_id: int) -> Checkpoint:
    try:
        return checkpoints_visible(user, include_inactive=True).get(pk=checkpoint_id)
    except (Checkpoint.DoesNotExist, ValueError, TypeError):
        raise errors.NotFound() from None


def manageable_regions(user) -> list[Region]:
    """Grids and micro-grids the caller may place checkpoints in."""
    qs = (Region.objects.visible_to(user, MANAGE)
          .filter(level__in=[RegionLevel.GRID, RegionLevel.MICRO_GRID], is_active=True).defer("boundary"))
    return list(qs.order_by("code"))
