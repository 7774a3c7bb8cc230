"""Projects and fixed-asset investment, investment attraction (leads) and funds in place.

Reach. A project follows its enterprise (enterprises.Enterprise.scope_filter): the park's office, the
zone's departments, a region grant over the zone, and the enterprise's contacts. Reports, milestones and
approvals follow their project. Leads and funds in place belong to the zone (no enterprise contact sees
them): a region grant over the zone, the zone's departments, or the office of the lead's park.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.core import clock
from civicgrid.core.scoping import Grant, Scope, ScopedQuerySet, through
from civicgrid.enterprises.choices import Currency
from civicgrid.enterprises.models import Enterprise
from civicgrid.investment.choices import STAGE_ORDER, ApprovalType, KeyLevel, ProjectStage

VIEW_PROJECT = "investment.view_project"
SMALL_PROJECT_LIMIT = Decimal("5000000")  # 500 万元: figure 10 counts projects of at least this total
KEY_BOARD_THRESHOLD = Decimal("2700000000")  # 27 亿元: the investment board's key projects


class ProjectQuerySet(ScopedQuerySet):
    def started_between(self, since, until):
        """Construction started (开工) on a day in [since, until]."""
        return self.filter(actual_start_on__gte=since, actual_start_on__lte=until)

    def on_board(self):
        """Key projects above the board threshold (in yuan)."""
        return self.filter(is_key=True, currency=Currency.CNY, total_investment__gt=KEY_BOARD_THRESHOLD)


class Project(models.Model):
    """An investment project of an enterprise, keyed by its national project code (projectcode.py)."""

    code = models.CharField("项目代码", max_length=24, unique=True)  # normalised YYYY-RRRRRR-DD-TT-NNNNNC
    name = models.CharField(max_length=200)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="projects")
    park = models.ForeignKey("enterprises.Park", on_delete=models.PROTECT, related_name="projects")
    total_investment = models.DecimalField(max_digits=16, decimal_places=2)  # 计划总投资, in `currency`
    currency = models.CharField(max_length=3, choices=Currency.choices)
    approval_type = models.CharField(max_length=14, choices=ApprovalType.choices, default=ApprovalType.FILING)
    is_key = models.BooleanField(default=False)  # 重点项目
    key_level = models.CharField(max_length=10, choices=KeyLevel.choices, blank=True)
    industry_code = models.CharField(max_length=5)  # GB/T 4754-2017 (enterprises.industry)
    stage = models.CharField(max_length=20, choices=ProjectStage.choices, default=ProjectStage.SIGNED)
    signed_on = models.DateField()
    planned_start_on = models.DateField(null=True, blank=True)
    actual_start_on = models.DateField(null=True, blank=True)  # set by the 开工 milestone
    planned_completion_on = models.DateField(null=True, blank=True)
    actual_completion_on = models.DateField(null=True, blank=True)  # set by the 竣工 milestone
    planned_production_on = models.DateField(null=True, blank=True)
    actual_production_on = models.DateField(null=True, blank=True)  # set by the 投产 milestone
    lead_official = models.CharField(max_length=50, blank=True)  # 包保领导
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    objects = ProjectQuerySet.as_manager()
    scope = Scope(view_perm=VIEW_PROJECT)

    class Meta:
        ordering = ["-signed_on", "id"]
        indexes = [models.Index(fields=["actual_start_on"]), models.Index(fields=["stage"]),
                   models.Index(fields=["is_key", "total_investment"])]
        constraints = [models.CheckConstraint(condition=Q(total_investment__gt=0), name="project_investment_positive")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        q = Enterprise.scope_filter(grant)
        return None if q is None else through(q, "enterprise")

    def scope_values(self):
        return self.enterprise.scope_values()

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)

    @property
    def next_stage(self) -> str | None:
        index = self.stage_index + 1
        return STAGE_ORDER[index] if index < len(STAGE_ORDER) else None

    @property
    def is_on_board(self) -> bool:
        return self.is_key and self.currency == Currency.CNY and self.total_investment > KEY_BOARD_THRESHOLD
