"""Door-to-door campaigns (专项排查 / 入户统计): a form, target regions and a period; one answer per
household, with a revision log of every write a phone sent (idempotency key, the version it was based on,
how it was settled)."""

from __future__ import annotations

from datetime import datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from civicgrid.core.scoping import Grant, Scope, ScopedManager
from civicgrid.gridops.campaigns.choices import CampaignKind, CampaignStatus, FormSource, RevisionOutcome

VIEW = "campaigns.view_campaign"


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in range(1, len(code) + 1)]


class Campaign(models.Model):
    """A campaign run by an admin over target regions. `region` is the smallest region holding every
    target: whoever manages that region manages the campaign. Workers and admins see a campaign when one
    of its targets lies inside their reach or their reach lies inside a target."""

    title = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=CampaignKind.choices, default=CampaignKind.SCREENING)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    targets = models.ManyToManyField("geo.Region", related_name="targeting_campaigns")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    form = models.JSONField(default=dict)  # schema.normalize_definition output
    form_source = models.CharField(max_length=8, choices=FormSource.choices, default=FormSource.UI)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(region="region__code", view_perm=VIEW, distinct=True)

    class Meta:
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        if not grant.region_codes:
            return None
        parts = [Q(targets__code__startswith=code) for code in grant.region_codes]
        parts.append(Q(targets__code__in=[p for code in grant.region_codes for p in _prefixes(code)]))
        return reduce(or_, parts)

    def fields(self) -> list[dict]:
        return list((self.form or {}).get("fields") or [])

    def accepts_on(self, day) -> bool:
        return self.status == CampaignStatus.ACTIVE and self.start_date <= day <= self.end_date

    def phase(self, now: datetime) -> str:
        """草稿 / 未开始 / 进行中 / 已到期 / 已结束, for display."""
        today = timezone.localtime(now).date()
        if self.status == CampaignStatus.DRAFT:
            return "草稿"
        if self.status == CampaignStatus.CLOSED:
            return "已结束"
        if today < self.start_date:
            return "未开始"
        return "进行中" if today <= self.end_date else "已到期"


class CampaignAnswer(models.Model):
    """The current answer of one household. `region` is the household's micro-grid when it was answered."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="answers")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField()  # the device's time of the winning write (never later than receipt)
    received_at = models.DateTimeField()  # server time of the last change
    has_conflict = models.BooleanField(default=False)  # a stale write arrived; shown until someone settles it

    objects = ScopedManager()
    scope = Scope(region="region__code", view_perm=VIEW)

    class Meta:
        ordering = ["campaign", "household"]
        constraints = [models.UniqueConstraint(fields=["campaign", "household"], name="uniq_campaign_household")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.household_id} v{self.version}"


class CampaignRevision(models.Model):
    """Every write a device sent, once per idempotency key, and how it was settled (RevisionOutcome)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="revisions")
    answer = models.ForeignKey(CampaignAnswer, on_delete=models.PROTECT, related_name="revisions")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, unique=True)
    base_version = models.PositiveIntegerField()  # the version the device had seen (0: none)
    version = models.PositiveIntegerField()  # the answer's version after this write
    outcome = models.CharField(max_length=16, choices=RevisionOutcome.choices)
    answers = models.JSONField(default=dict)  # what this write said (cleaned)
    previous = models.JSONField(null=True, blank=True)  # the stored values it was compared with
    previous_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    previous_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField()  # device time
    received_at = models.DateTimeField()

    objects = ScopedManager()
    scope = Scope(region="answer__region__code", view_perm=VIEW)

    class Meta:
        ordering = ["answer", "id"]
        indexes = [models.Index(fields=["campaign", "outcome"])]

    def __str__(self) -> str:
        return f"{self.idempotency_key} {self.outcome}"

    @property
    def is_conflict(self) -> bool:
        return self.outcome in (RevisionOutcome.CONFLICT_APPLIED, RevisionOutcome.CONFLICT_KEPT)


class CampaignPhoto(models.Model):
    """A photo answer: the metadata-free copy made by cases.uploads.photos.clean()."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="photos")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=40)
    file = models.FileField(upload_to="campaigns/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope = Scope(region="household__region__code", view_perm=VIEW)

    def __str__(self) -> str:
        return self.file.name
