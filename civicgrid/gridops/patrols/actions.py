"""Every write of the daily patrol: start, upload points, end, check in, report a finding, and the
checkpoints' upkeep.

A phone retries, resends and reorders, so: starting and uploading take an Idempotency-Key; points are
unique per (patrol, recorded_at) and inserted ignoring conflicts, so a re-sent batch adds nothing;
the patrol's distance, duration and checkpoint visits are those of all stored points in time order
(uploads.py, track.py), so the figures never depend on the order batches arrived in. Each action is
atomic and writes its audit record in the same transaction. The phone's requests run on prepared
statements (sql.py), not the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from civicgrid.cases.actions import submit_case
from civicgrid.cases.choices import Channel, ContactPreference
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category
from civicgrid.core import audit, clock, errors, timecheck
from civicgrid.core.idempotency import create_once
from civicgrid.core.models import AuditResult
from civicgrid.core.scoping import can, require
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.locator import get_locator
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import queries, sql, uploads
from civicgrid.gridops.patrols import track as tracks
from civicgrid.gridops.patrols.choices import FINDING_CASE_TYPES, CheckpointKind, PatrolStatus, VisitMethod
from civicgrid.gridops.patrols.models import (
    PATROL,
    VIEW,
    Checkpoint,
    CheckpointVisit,
    Patrol,
    PatrolBatch,
    PatrolFinding,
)

SKEW = uploads.SKEW
MAX_BACKDATE = timedelta(hours=24)  # a patrol recorded offline may be synced up to a day later
MAX_SPAN = uploads.MAX_SPAN
MAX_BATCH = 500  # points per upload
MAX_RECORDED = 1500  # points in a patrol sent whole (12 hours at one point every 30 s)
FINDING_GRACE = timedelta(hours=2)  # findings may still be reported this long after the end
MANAGE = queries.MANAGE


PointInput = uploads.PointInput
_check_position = uploads.check_position


@dataclass
class UploadResult:
    patrol: Patrol
    batch: PatrolBatch
    created: bool  # False: a replay of an earlier upload with the same Idempotency-Key
    new_visits: list[CheckpointVisit] = field(default_factory=list)


def _denied(actor, action: str, obj) -> None:
    audit.record(actor=actor, action=action, obj=obj, result=AuditResult.DENIED, reason="not_own_patrol")
    raise errors.Forbidden("只能操作本人的巡查", code="not_own_patrol")


def _own(actor, patrol_id: int, action: str) -> Patrol:
    """The actor's own patrol: 403 without the patrol permission, 404 out of reach, 403 someone else's.
    One prepared statement, then the reach test `visible_to` would apply (the phone calls this on every
    upload)."""
    require(actor, PATROL)
    patrol = sql.patrol_with_region(patrol_id)
    if patrol is None or not can(actor, VIEW, patrol):
        raise errors.NotFound()
    if patrol.worker_id != actor.pk:
        _denied(actor, action, patrol)
    patrol.worker = actor
    return patrol


def _aware(value: datetime, name: str) -> datetime:
    if timezone.is_naive(value):
        raise errors.ValidationFailed(f"{name}须带时区", code=f"{name}_naive")
    return value


# ---- start, upload, end ------------------------------------------------------------------------------

def _patrol_region(actor, region_code: str) -> Region:
    regions = queries.patrol_regions(actor)
    if region_code:
        region = next((r for r in regions if r.code == region_code.strip()), None)
        if region is None:
            raise errors.ValidationFailed("只能巡查本人负责的网格", code="region_not_assigned")
        return region
    if not regions:
        raise errors.ValidationFailed("您没有负责的网格,无法开始巡查", code="no_patrol_region")
    if len(regions) > 1:
        raise errors.ValidationFailed("您负责多个网格,请选择本次巡查的网格", code="region_required",
                                      details=[r.code for r in regions])
    return regions[0]


def _close_forgotten(actor, patrol: Patrol) -> None:
    """A patrol left running past the 12-hour cut ends at its last point (its start if it has none) when
    the worker starts the next one."""
    patrol.status = PatrolStatus.ENDED
    patrol.ended_at = min(patrol.last_point_at or patrol.started_at, patrol.started_at + MAX_SPAN)
    patrol.duration_s = int((patrol.ended_at - patrol.started_at).total_seconds())
    sql.update_patrol(patrol, ["status", "ended_at", "duration_s"])
    audit.record(actor=actor, action="patrols.end_patrol", obj=patrol,
                 details={"ended_at": patrol.ended_at.isoformat(), "forgotten": True})


def start_patrol(*, actor, region_code: str = "", started_at: datetime | None = None,
                 idempotency_key: str | None = None) -> tuple[Patrol, bool]:
    """Start a patrol of the worker's grid (or the chosen one of several). `started_at` is the phone's
    time when it was started offline (up to a day back). One patrol at a time: another active one is 409
    `patrol_active`, unless it was left running past the 12-hour cut (it is then ended at its last point).
    Returns (patrol, created); a retry with the same key returns the first patrol."""
    require(actor, PATROL)
    region = _patrol_region(actor, region_code)
    now = clock.now()
    start = _aware(started_at, "started_at") if started_at is not None else now
    timecheck.not_future(start, field="started_at", label="巡查开始时间", now=now)
    if start < now - MAX_BACKDATE:
        raise errors.ValidationFailed("只能补传24小时内开始的巡查", code="started_at_too_old")

    def create() -> Patrol:
        active = sql.active_patrol(actor.pk)
        if active is not None and active.started_at + MAX_SPAN < start:
            _close_forgotten(actor, active)
        elif active is not None:
            raise errors.Conflict("已有进行中的巡查,请先结束", code="patrol_active", details={"patrol_id": active.pk})
        if sql.ended_after(actor.pk, start):
            raise errors.ValidationFailed("开始时间早于上一次巡查的结束时间", code="patrol_overlap")
        patrol = sql.insert_patrol(Patrol(worker=actor, region=region, day=timezone.localdate(start), started_at=start,
                                       created_at=now))
        audit.record(actor=actor, action="patrols.start_patrol", obj=patrol,
                     details={"region": region.code, "started_at": start.isoformat()})
        return patrol

    try:
        return create_once(key=idempotency_key, actor=actor, action="patrols.start_patrol", model=Patrol,
                           create=create, body={"region": region_code, "started_at": started_at})
    except IntegrityError:  # a concurrent start won the one-active-patrol constraint
        raise errors.Conflict("已有进行中的巡查,请先结束", code="patrol_active") from None


def upload_points(*, actor, patrol_id: int, points: list[PointInput],
                  idempotency_key: str | None = None) -> UploadResult:
    """Add a batch of GPS points (PointInputs, or anything with their attributes, such as the API's parsed
    points). Duplicates (same recorded_at) are dropped, order does not matter,
    points outside the patrol's time span are rejected (counted, not stored); late batches after the
    end are accepted up to the end time. The patrol's figures are recomputed from all its points."""
    patrol = _own(actor, patrol_id, "patrols.upload_points")
    if not points:
        raise errors.ValidationFailed("没有可上传的轨迹点", code="points_required")
    if len(points) > MAX_BATCH:
        raise errors.ValidationFailed(f"每次最多上传{MAX_BATCH}个轨迹点", code="batch_too_large")
    points = uploads.checked(points)
    now = clock.now()
    plan = uploads.plan(patrol, points, now)  # before the write lock
    made: dict = {}

    def create() -> PatrolBatch:
        locked = sql.locked_patrol(patrol)
        current = plan
        if locked.point_count != plan.stored or locked.ended_at != patrol.ended_at:
            current = uploads.plan(locked, points, now)  # another upload or the end came first: work it out again
        uploads.apply(locked, current)
        made["visits"], made["patrol"] = current.visits, locked
        batch = sql.insert_batch(PatrolBatch(patrol=locked, received=len(points), stored=len(current.fresh),
                                           rejected=current.rejected, created_at=now))
        audit.record(actor=actor, action="patrols.upload_points", obj=locked,
                     details={"batch": batch.pk, "received": batch.received, "stored": batch.stored,
                              "rejected": current.rejected, "points": locked.point_count})
        return batch

    batch, created = create_once(key=idempotency_key, actor=actor, action="patrols.upload_points",
                                 model=PatrolBatch, create=create, body={"patrol": patrol_id, "points": _as_set(points)})
    if batch.patrol_id != patrol.pk:  # a key stored before bodies were hashed
        raise errors.ValidationFailed("该幂等键已用于另一次巡查的上传", code="idempotency_key_reused")
    if "patrol" not in made:  # a replay: the patrol as it is now
        made["patrol"] = sql.patrol_with_region(patrol.pk)
        made["patrol"].worker = actor
    return UploadResult(patrol=made["patrol"], batch=batch, created=created, new_visits=made.get("visits", []))


def _as_set(points: list[PointInput]) -> list[PointInput]:
    """The points as the idempotency body sees them: order and repeats do not change what an upload means."""
    return sorted(dict.fromkeys(points), key=lambda p: (p.recorded_at, p.lat, p.lng, p.accuracy or 0.0))


def end_patrol(*, actor, patrol_id: int, ended_at: datetime | None = None) -> Patrol:
    """End the patrol (at the phone's `ended_at`, default now; cut at 12 hours after the start). Ending an
    ended patrol changes nothing, so a retry is harmless."""
    patrol = _own(actor, patrol_id, "patrols.end_patrol")
    now = clock.now()
    end = _aware(ended_at, "ended_at") if ended_at is not None else now
    timecheck.not_future(end, field="ended_at", label="巡查结束时间", now=now)
    with transaction.atomic():
        locked = sql.locked_patrol(patrol)
        if locked.status == PatrolStatus.ENDED:
            return locked
        if end < locked.started_at:
            raise errors.ValidationFailed("结束时间早于开始时间", code="ended_before_start")
        locked.status = PatrolStatus.ENDED
        locked.ended_at = min(end, locked.started_at + MAX_SPAN)
        locked.duration_s = int((locked.ended_at - locked.started_at).total_seconds())  # the points are as they were
        sql.update_patrol(locked, ["status", "ended_at", "duration_s"])
        audit.record(actor=actor, action="patrols.end_patrol", obj=locked,
                     details={"ended_at": locked.ended_at.isoformat(), "distance_m": round(locked.distance_m, 1),
                              "duration_s": locked.duration_s, "points": locked.point_count})
    return locked


def record_patrol(*, actor, started_at: datetime, ended_at: datetime, points: list[PointInput],
                  region_code: str = "", idempotency_key: str | None = None) -> tuple[Patrol, bool]:
    """A patrol recorded offline and sent whole when the phone is back online: one transaction with one
    lock-free insert of the ended patrol, its points, its checkpoint visits and one audit record — the
    same rules as a live patrol (time limits, the track rule, no overlap with the worker's other patrols).
    A retry with the same key returns the patrol (created=False) and changes nothing."""
    require(actor, PATROL)
    if not points:
        raise errors.ValidationFailed("没有可上传的轨迹点", code="points_required")
    if len(points) > MAX_RECORDED:
        raise errors.ValidationFailed(f"一次巡查最多上传{MAX_RECORDED}个轨迹点", code="batch_too_large")
    now = clock.now()
    start, end = _aware(started_at, "started_at"), _aware(ended_at, "ended_at")
    if end < start:
        raise errors.ValidationFailed("结束时间早于开始时间", code="ended_before_start")
    timecheck.not_future(end, field="ended_at", label="巡查结束时间", now=now)
    if start < now - MAX_BACKDATE:
        raise errors.ValidationFailed("只能补传24小时内开始的巡查", code="started_at_too_old")
    end = min(end, start + MAX_SPAN)
    region = _patrol_region(actor, region_code)
    points = uploads.checked(points)
    fresh, rejected = uploads.fresh_points(points, (start - SKEW).astimezone(UTC),
                                           min(end + SKEW, timecheck.latest(now)).astimezone(UTC))
    fixes = sorted(map(tracks.Fix._make, fresh.values()), key=lambda f: f.at)
    track = tracks.build_track(fixes)  # worked out before the transaction

    def create() -> Patrol:
        if sql.overlaps(actor.pk, start, end):
            raise errors.ValidationFailed("与本人的另一次巡查时间重叠", code="patrol_overlap")
        patrol = sql.insert_patrol(Patrol(
            worker=actor, region=region, day=timezone.localdate(start), started_at=start, ended_at=end,
            status=PatrolStatus.ENDED, distance_m=track.distance_m, duration_s=int((end - start).total_seconds()),
            point_count=len(fixes), kept_count=len(track.kept), last_point_at=fixes[-1].at if fixes else None,
            anchor_at=track.kept[-1].at if track.kept else None, created_at=now))
        sql.insert_points(patrol.pk, fresh.values())
        visits = uploads.new_visits(patrol, track.kept, done=set())
        if visits:
            sql.insert_visits(visits)
        audit.record(actor=actor, action="patrols.record_patrol", obj=patrol,
                     details={"region": region.code, "started_at": start.isoformat(), "ended_at": end.isoformat(),
                              "points": len(fixes), "rejected": rejected, "distance_m": round(track.distance_m, 1)})
        return patrol

    return create_once(key=idempotency_key, actor=actor, action="patrols.record_patrol", model=Patrol,
                       create=create, body={"region": region_code, "started_at": started_at, "ended_at": ended_at,
                                            "points": _as_set(points)})


# ---- on the way: check-ins and findings ----------------------------------------------------------------

def check_in(*, actor, patrol_id: int, checkpoint_id: int, lat: float, lng: float,
             accuracy: float | None = None) -> tuple[CheckpointVisit, bool]:
    """现场打卡 at a checkpoint of the patrol's grid: the phone's position must be within the checkpoint's
    radius (plus its reported accuracy). Returns (visit, created); the first visit of a patrol counts."""
    patrol = _own(actor, patrol_id, "patrols.check_in")
    if patrol.status != PatrolStatus.ACTIVE:
        raise errors.Conflict("巡查已结束,不能再打卡", code="patrol_ended")
    _check_position(lat, lng)
    checkpoint = Checkpoint.objects.filter(pk=checkpoint_id, is_active=True,
                                           region__code__startswith=queries.grid_code(patrol.region.code)).first()
    if checkpoint is None:
        raise errors.NotFound("该点位不在本次巡查的网格内", code="checkpoint_not_found")
    if accuracy is not None and accuracy > tracks.MAX_ACCURACY_M:
        raise errors.ValidationFailed("定位精度不足,请到开阔处重试", code="position_inaccurate")
    distance = tracks.haversine_m(lat, lng, checkpoint.lat, checkpoint.lng)
    if distance > checkpoint.radius_m + (accuracy or 0):
        raise errors.ValidationFailed(f"距离点位约{distance:.0f}米,请到{checkpoint.radius_m}米范围内打卡",
                                      code="too_far", details={"distance_m": round(distance), "radius_m": checkpoint.radius_m})
    now = clock.now()
    with transaction.atomic():
        visit, created = CheckpointVisit.objects.get_or_create(
            patrol=patrol, checkpoint=checkpoint,
            defaults={"visited_at": now, "method": VisitMethod.MANUAL, "lat": lat, "lng": lng, "distance_m": distance})
        if created:
            audit.record(actor=actor, action="patrols.check_in", obj=visit,
                         details={"patrol": patrol.pk, "checkpoint": checkpoint.pk, "distance_m": round(distance, 1)})
    return visit, created


@dataclass
class FindingInput:
    description: str
    lat: float | None
    lng: float | None
    category_code: str = ""
    case_type: str = ""
    title: str = ""
    address: str = ""
    urgency: str = ""
    answers: dict = field(default_factory=dict)
    photos: list[bytes] = field(default_factory=list)


def report_finding(*, actor, patrol_id: int, data: FindingInput,
                   idempotency_key: str | None = None) -> tuple[PatrolFinding, bool]:
    """巡查发现: a problem found on patrol becomes a case (urban_event, safety_hazard or dispute; channel
    巡查发现, at the given point) linked to the patrol, in one transaction. Returns (finding, created)."""
    patrol = _own(actor, patrol_id, "patrols.report_finding")
    now = clock.now()
    if patrol.status == PatrolStatus.ENDED and patrol.ended_at + FINDING_GRACE < now:
        raise errors.Conflict("巡查已结束较久,请直接上报问题", code="patrol_ended")
    _check_position(data.lat, data.lng)
    case_type = data.case_type
    if data.category_code:
        category = Category.objects.filter(code=data.category_code.strip(), is_active=True).only("case_type").first()
        if category is not None:
            case_type = category.case_type
    if not case_type:
        raise errors.ValidationFailed("请选择问题类别", code="category_required")
    if case_type not in FINDING_CASE_TYPES:
        raise errors.ValidationFailed("巡查发现只能上报城市管理事件、安全隐患或矛盾纠纷", code="finding_case_type")
    intake = IntakeInput(description=data.description, channel=Channel.PATROL, category_code=data.category_code,
                         case_type=data.case_type, title=data.title, lat=data.lat, lng=data.lng, address=data.address,
                         urgency=data.urgency, answers=data.answers, photos=data.photos,
                         contact_preference=ContactPreference.NONE)
    with transaction.atomic():
        result = submit_case(actor=actor, data=intake, idempotency_key=idempotency_key,
                             body={"patrol": patrol_id, "finding": data})
        finding, created = PatrolFinding.objects.get_or_create(case=result.case,
                                                               defaults={"patrol": patrol, "created_at": now})
        if finding.patrol_id != patrol.pk:  # a key stored before bodies were hashed
            raise errors.ValidationFailed("该幂等键已用于另一次巡查的上报", code="idempotency_key_reused")
        if created:
            audit.record(actor=actor, action="patrols.report_finding", obj=finding,
                         details={"patrol": patrol.pk, "case": result.case.number, "case_type": result.case.case_type})
    return finding, created


# ---- checkpoints ----------------------------------------------------------------------------------------

PATROL_LEVELS = (RegionLevel.GRID, RegionLevel.MICRO_GRID)


@dataclass
class CheckpointInput:
    region_code: str
    name: str
    lat: float
    lng: float
    kind: str = CheckpointKind.OTHER
    radius_m: int = 50
    is_required: bool = True
    note: str = ""


def _check_checkpoint(data: CheckpointInput, region: Region) -> None:
    if not (data.name or "").strip():
        raise errors.ValidationFailed("请填写点位名称", code="name_required")
    if data.kind not in CheckpointKind.values:
        raise errors.ValidationFailed("点位类型无效", code="kind_invalid")
    if not 10 <= int(data.radius_m) <= 500:
        raise errors.ValidationFailed("打卡半径须在10–500米之间", code="radius_invalid")
    _check_position(data.lat, data.lng)
    code = get_locator().locate_code(data.lng, data.lat)
    if code is None or not code.startswith(region.code):
        raise errors.ValidationFailed(f"点位不在{region.name}范围内", code="checkpoint_outside_region")


def create_checkpoint(*, actor, data: CheckpointInput, system: bool = False) -> Checkpoint:
    """A checkpoint of a grid or micro-grid, placed inside it (community and street admins; `system` is the
    demo generator's setup, audit-logged without an actor)."""
    region = Region.objects.filter(code=(data.region_code or "").strip(), is_active=True,
                                   level__in=PATROL_LEVELS).first()
    if region is None:
        raise errors.ValidationFailed("请选择网格或微网格", code="region_invalid")
    checkpoint = Checkpoint(region=region, name=data.name.strip(), kind=data.kind, lat=data.lat, lng=data.lng,
                            radius_m=int(data.radius_m), is_required=data.is_required, note=data.note.strip())
    if not system:
        require(actor, MANAGE, checkpoint)
    _check_checkpoint(data, region)
    with transaction.atomic():
        checkpoint.created_at = clock.now()
        checkpoint.save()
        audit.record(actor=None if system else actor, action="patrols.create_checkpoint", obj=checkpoint,
                     details={"region": region.code, "name": checkpoint.name, "required": checkpoint.is_required})
    return checkpoint


def update_checkpoint(*, actor, checkpoint_id: int, data: CheckpointInput, is_active: bool = True) -> Checkpoint:
    """Change a checkpoint (its region stays); `is_active=False` retires it (visits are kept)."""
    checkpoint = queries.get_checkpoint(actor, checkpoint_id)
    require(actor, MANAGE, checkpoint)
    data.region_code = checkpoint.region.code
    _check_checkpoint(data, checkpoint.region)
    fields = {"name": data.name.strip(), "kind": data.kind, "lat": data.lat, "lng": data.lng,
              "radius_m": int(data.radius_m), "is_required": data.is_required, "note": data.note.strip(),
              "is_active": is_active}
    with transaction.atomic():
        locked = Checkpoint.objects.select_for_update().select_related("region").get(pk=checkpoint.pk)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, fields[name])
        if changed:
            locked.save(update_fields=changed)
            audit.record(actor=actor, action="patrols.update_checkpoint", obj=locked, details={"changed": changed})
    return locked
