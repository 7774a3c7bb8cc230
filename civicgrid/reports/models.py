"""A report or long export built in the background: its progress while it runs, then the archived file."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from civicgrid.core.scoping import Scope, ScopedManager
from civicgrid.reports.choices import RunStatus


class ReportRun(models.Model):
    kind = models.CharField(max_length=40)  # a key of reports.kinds.KINDS
    params = models.JSONField(default=dict)  # the kind's parameters, e.g. {"month": "2026-11", "format": "pdf"}
    region_code = models.CharField(max_length=20, blank=True)  # the region the report covers
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")  # None: made by the schedule
    is_personal = models.BooleanField(default=False)  # an export holding personal data: its requester only
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    message = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)  # what the file holds, when it is a list
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(region="region_code", owner="requested_by_id", view_perm="cases.view_kpis")  # see queries.runs_visible

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.params.get('month', '')} {self.region_code}".strip()

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
