"""Daily patrols (日常巡查): a worker's patrol with its GPS points, the grid's checkpoints and their visits,
and the cases reported during a patrol.

Scoping: a field worker (grid or micro-grid worker) sees only their own patrols; community and street
admins, police liaisons, leaders see the patrols of their region. `Patrol.objects.visible_to(user)`
applies that: the Scope keeps the field roles to their own rows (`Scope.own_only_roles`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.core.scoping import Scope, ScopedQuerySet
from civicgrid.gridops.patrols.choices import CheckpointKind, PatrolStatus, VisitMethod

VIEW = "patrols.view_patrol"
PATROL = "patrols.patrol"
FIELD_ROLES = frozenset({"grid_worker", "micro_grid_worker"})


class TrackFigures:
    """Minutes and kilometres for anything with `duration_s` and `distance_m` (a patrol, a worker's or a
    grid's day in the compliance report)."""

    @property
    def minutes(self) -> int:
        return self.duration_s // 60

    @property
    def km(self) -> float:
        return round(self.distance_m / 1000, 2)


class Patrol(TrackFigures, models.Model):
    """One patrol: started and ended on the phone; distance and duration are recomputed from the points."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols")
    # the grid or micro-grid the worker patrols, from their role assignment
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(help_text="local (Beijing) date of the start")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=PatrolStatus.choices, default=PatrolStatus.ACTIVE)
    distance_m = models.FloatField(default=0)
    duration_s = models.PositiveIntegerField(default=0)
    point_count = models.PositiveIntegerField(default=0)  # stored points, dropped ones included
    kept_count = models.PositiveIntegerField(default=0)  # points the track rule kept
    last_point_at = models.DateTimeField(null=True, blank=True)
    # the last kept point: points after the last stored one continue the track from here (uploads.py)
    anchor_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    # a field worker sees their own patrols only (a grid worker does not watch the grid's micro-grid
    # workers); every other role holding the permission, the patrols of its regions
    scope = Scope(region="region__code", owner="worker_id", view_perm=VIEW, own_only_roles=FIELD_ROLES)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=Q(status=PatrolStatus.ACTIVE),
                                    name="patrols_one_active_per_worker"),
        ]
        indexes = [models.Index(fields=["day", "region"]), models.Index(fields=["worker", "day"])]

    def __str__(self) -> str:
        return f"{self.worker} {self.day:%Y-%m-%d} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status == PatrolStatus.ACTIVE


class PatrolPoint(models.Model):
    """One GPS fix. (patrol, recorded_at) is unique: a re-sent point is dropped on insert."""

    # no index of its own: the unique (patrol, recorded_at) index serves every look-up by patrol, and
    # one index fewer makes the point insert, the hottest write, a third cheaper
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="points", db_index=False)
    recorded_at = models.DateTimeField()
    lat = models.FloatField()
    lng = models.FloatField()
    accuracy = models.FloatField(null=True, blank=True)  # metres, as the phone reports it

    class Meta:
        ordering = ["recorded_at"]
        constraints = [models.UniqueConstraint(fields=["patrol", "recorded_at"], name="patrols_point_once")]

    def __str__(self) -> str:
        return f"{self.recorded_at:%H:%M:%S} {self.lat:.6f},{self.lng:.6f}"


class PatrolBatch(models.Model):
    """The receipt of one upload: what an Idempotency-Key replay answers with."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="batches")
    received = models.PositiveIntegerField()
    stored = models.PositiveIntegerField()  # new points (the rest were duplicates or rejected)
    rejected = models.PositiveIntegerField()  # outside the patrol's time span
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"batch {self.pk}: {self.stored}/{self.received}"


class Checkpoint(models.Model):
    """A place of a grid (or micro-grid) to be seen on patrol: a school gate, a market, a hazard spot."""

    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=CheckpointKind.choices, default=CheckpointKind.OTHER)
    lat = models.FloatField()
    lng = models.FloatField()
    radius_m = models.PositiveSmallIntegerField(default=50)
    # required: the region's patrolling workers must pass it every day (每日巡视制度)
    is_required = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="region__code", view_perm=VIEW)

    class Meta:
        ordering = ["region__code", "name"]
        indexes = [models.Index(fields=["region", "is_active"])]

    def __str__(self) -> str:
        return self.name


class CheckpointVisit(models.Model):
    """A patrol passed a checkpoint (first time counts)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="visits")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField()
    method = models.CharField(max_length=8, choices=VisitMethod.choices)
    lat = models.FloatField()
    lng = models.FloatField()
    distance_m = models.FloatField()  # from the checkpoint

    class Meta:
        ordering = ["visited_at"]
        constraints = [models.UniqueConstraint(fields=["patrol", "checkpoint"], name="patrols_visit_once")]

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.visited_at:%H:%M}"


class PatrolFinding(models.Model):
    """A case reported during a patrol (巡查发现), linked to it."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="findings")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="patrol_finding")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.patrol_id} → {self.case_id}"
