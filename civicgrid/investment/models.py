"""Projects and fixed-asset investment, investment attraction (leads) and funds in place.

Reach. A project follows its enterprise (enterprises.Enterprise.scope_filter): the park's office, the
zone's departments, a region grant over the zone, and the enterprise's contacts. Reports, milestones and
approvals follow their project. Leads and funds in place belong to the zone (no enterprise contact sees
them): a region grant over the zone, the zone's departments, or the office of the lead's park.
"""

from __future__ import annotations

from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.core import clock
from civicgrid.core.scoping import Grant, Scope, ScopedManager, ScopedQuerySet, through
from civicgrid.enterprises.choices import Currency
from civicgrid.enterprises.models import Enterprise, Zone
from civicgrid.investment.choices import (
    LEAD_STAGE_ORDER,
    STAGE_ORDER,
    ApprovalType,
    FundsOrigin,
    KeyLevel,
    LeadSource,
    LeadStage,
    ProjectApprovalStatus,
    ProjectStage,
    ReportStatus,
)

VIEW_PROJECT = "investment.view_project"
VIEW_ATTRACTION = "investment.view_attraction"
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
    # the department that reviews the monthly reports (投资促进部 or the construction department)
    review_department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
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

    def scope_values(self, departments: bool = True):
        return Enterprise.scope_values_of(self.enterprise_id, departments)

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


class _FollowsProject(models.Model):
    """Reach follows the project (and so its enterprise)."""

    scope = Scope(view_perm=VIEW_PROJECT)

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        q = Enterprise.scope_filter(grant)
        return None if q is None else through(q, "project__enterprise")

    def scope_values(self, departments: bool = True):
        return Enterprise.scope_values_of(self.project.enterprise_id, departments)


class ProjectMilestone(_FollowsProject):
    """A dated stage change of a project (written only by actions.projects.advance_stage)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(max_length=20, choices=ProjectStage.choices)
    happened_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "happened_on", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="uniq_project_milestone")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage} {self.happened_on}"


class ProjectApproval(_FollowsProject):
    """An approval item (enterprises.ApprovalItem, the zone's catalogue) the project needs, and where it is."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals")
    item = models.ForeignKey("enterprises.ApprovalItem", on_delete=models.PROTECT, related_name="project_approvals")
    status = models.CharField(max_length=10, choices=ProjectApprovalStatus.choices,
                              default=ProjectApprovalStatus.NEEDED)
    applied_on = models.DateField(null=True, blank=True)
    granted_on = models.DateField(null=True, blank=True)
    document_no = models.CharField(max_length=60, blank=True)  # 批复文号 / 证书编号
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "item__code"]
        constraints = [models.UniqueConstraint(fields=["project", "item"], name="uniq_project_approval")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.item_id} {self.status}"


class InvestmentReport(_FollowsProject):
    """One month's fixed-asset investment of a project (元): completed this month and cumulative since the
    start; reported by the enterprise contact or an officer, reviewed by the project's reviewing department.
    Figure 11 sums the accepted reports' `amount` over the months of a year."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField()  # the first day of the month reported
    amount = models.DecimalField(max_digits=16, decimal_places=2)  # 本月完成投资(元)
    cumulative = models.DecimalField(max_digits=16, decimal_places=2)  # 自开工累计完成投资(元)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    note = models.CharField(max_length=200, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=clock.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="uniq_investment_report_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="investment_report_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "month"])]

    def __str__(self) -> str:
        return f"{self.project_id} {self.month:%Y-%m}"


def _zone_reach(grant: Grant) -> Q | None:
    """A region grant over the zone, one of the zone's departments, or the office of the record's park."""
    parts = [Q(zone__region__code__startswith=code) for code in grant.region_codes]
    if grant.department_ids:
        parts.append(Q(zone_id__in=Zone.objects.filter(departments__id__in=list(grant.department_ids)).values("id")))
        parts.append(Q(park__office_id__in=grant.department_ids))
    return reduce(or_, parts) if parts else None


def _zone_values(record) -> tuple[list[str], list[int], None]:
    departments = list(record.zone.departments.values_list("id", flat=True))
    if record.park_id and record.park.office_id:
        departments.append(record.park.office_id)
    return [record.zone.region.code], departments, None


class Lead(models.Model):
    """An investment-attraction lead (招商线索) moving through 线索 → 洽谈 → 签约 → 落地 → 资金到位."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="leads")
    park = models.ForeignKey("enterprises.Park", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="leads")
    name = models.CharField(max_length=200)  # the proposed project
    investor = models.CharField(max_length=200)  # the investing company or group
    source = models.CharField(max_length=16, choices=LeadSource.choices)
    industry_code = models.CharField(max_length=5)  # GB/T 4754-2017
    amount = models.DecimalField(max_digits=16, decimal_places=2)  # intended investment, in `currency`
    currency = models.CharField(max_length=3, choices=Currency.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")  # 负责人
    stage = models.CharField(max_length=12, choices=LeadStage.choices, default=LeadStage.LEAD)
    found_on = models.DateField()
    negotiating_on = models.DateField(null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    landed_on = models.DateField(null=True, blank=True)
    funded_on = models.DateField(null=True, blank=True)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW_ATTRACTION)

    class Meta:
        ordering = ["-found_on", "id"]
        indexes = [models.Index(fields=["stage"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="lead_amount_positive")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        return _zone_reach(grant)

    def scope_values(self):
        return _zone_values(self)

    @property
    def stage_index(self) -> int:
        return LEAD_STAGE_ORDER.index(self.stage)


class FundsInPlaceQuerySet(ScopedQuerySet):
    def between(self, since, until):
        return self.filter(received_on__gte=since, received_on__lte=until)


class FundsInPlace(models.Model):
    """Money that arrived for a project and/or a lead (到位资金): domestic or foreign, in its currency."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="funds_in_place")
    park = models.ForeignKey("enterprises.Park", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="funds")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="funds")
    origin = models.CharField(max_length=10, choices=FundsOrigin.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    received_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = FundsInPlaceQuerySet.as_manager()
    scope = Scope(view_perm=VIEW_ATTRACTION)

    class Meta:
        ordering = ["-received_on", "id"]
        indexes = [models.Index(fields=["origin", "currency", "received_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_amount_positive"),
            models.CheckConstraint(condition=Q(project__isnull=False) | Q(lead__isnull=False),
                                   name="funds_project_or_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} {self.currency}"

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        return _zone_reach(grant)

    def scope_values(self):
        return _zone_values(self)
