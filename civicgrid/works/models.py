"""The improvement-works register (创城项目): what was done where, by which department, when, for how
much, in recorded quantities with units, with photos before and after. Finished works make the public
map and the totals (seed figures 19 and 20)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civicgrid.core import clock
from civicgrid.core.scoping import Scope, ScopedManager
from civicgrid.works.choices import MEASURES, PhotoStage, WorkKind, WorkStatus


class Work(models.Model):
    number = models.CharField(max_length=20, unique=True)  # CC-2026-0001
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=WorkKind.choices)
    status = models.CharField(max_length=12, choices=WorkStatus.choices, default=WorkStatus.PLANNED)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")  # the street it lies in
    geometry = models.JSONField()  # GeoJSON Point, Polygon or MultiPolygon (WGS84), inside the district
    lng = models.FloatField()  # a point inside the geometry, for markers
    lat = models.FloatField()
    start_date = models.DateField()
    end_date = models.DateField()  # planned end
    finished_on = models.DateField(null=True, blank=True)  # the day it was accepted as finished
    budget = models.DecimalField(max_digits=14, decimal_places=2)  # yuan
    description = models.TextField(max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(region="region__code", department="department_id")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["status", "finished_on"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class WorkQuantity(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="quantities")
    measure = models.CharField(max_length=24, choices=[(k, v[0]) for k, v in MEASURES.items()])
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["work", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "measure"], name="uniq_work_measure"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="work_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}={self.value}"

    @property
    def unit(self) -> str:
        return MEASURES[self.measure][1]


class WorkPhoto(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=6, choices=PhotoStage.choices)
    file = models.FileField(upload_to="works/%Y/%m/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["work", "stage", "id"]

    def __str__(self) -> str:
        return f"{self.work_id} {self.stage}"
