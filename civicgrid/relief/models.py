"""Enterprise relief cases (助企纾困 · 一企一策) and project blockers (项目堵点): the links between the case
engine's cases and the zone's records, and the typed outcomes of relief cases.

The workflow itself (states, deadlines, co-handling tasks, external departments) is the case engine's
(`enterprise_relief` and `project_blocker` in civicgrid/cases/workflow/definitions); here is only what the
engine does not know: which enterprise or project a case is about, and what it achieved.

Reach. A relief case or blocker is seen by whoever sees its case (the handling and co-handling
departments, the reporter, region grants) and by whoever sees its enterprise (the park office and zone
departments, the enterprise's contacts) — so an enterprise contact sees exactly their own enterprise's.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.core.scoping import Grant, Scope, ScopedManager, through
from civicgrid.enterprises.choices import Currency
from civicgrid.enterprises.models import Enterprise
from civicgrid.relief.choices import MONEY_KINDS, OutcomeKind

VIEW = "relief.view_relief"


class _LinkedCase(models.Model):
    """A case about one enterprise: reach is the case's or the enterprise's."""

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW)

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        parts = []
        for q, path in ((Case.scope_filter(grant), "case"), (Enterprise.scope_filter(grant), "enterprise")):
            if q is not None:
                parts.append(through(q, path))
        return reduce(or_, parts) if parts else None

    def scope_values(self):
        codes, departments, reporter = self.case.scope_values()
        e_codes, e_departments, contacts = self.enterprise.scope_values()
        owners = frozenset(contacts) | ({reporter} if reporter else set())
        return codes + e_codes, departments + e_departments, owners


class ReliefCase(_LinkedCase):
    """An enterprise_relief case for one enterprise; `is_tailored` marks a 一企一策 package (several
    agencies, a plan for this one enterprise)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="relief")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="relief_cases")
    is_tailored = models.BooleanField("一企一策", default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "created_at"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.case.number}"


class Blocker(_LinkedCase):
    """A project_blocker case for one investment project (and so its enterprise)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="blocker")
    project = models.ForeignKey("investment.Project", on_delete=models.PROTECT, related_name="blockers")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="blockers")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.case.number}"


class Outcome(models.Model):
    """One recorded outcome of a relief case: an amount of money with its currency (增资, 引入资金, 贷款),
    jobs kept (稳岗), or an approval unblocked (审批打通) — typed, so figures sum them by kind and currency."""

    relief = models.ForeignKey(ReliefCase, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)  # in `currency`
    currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    jobs = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # the agency that brought it about (the lead or a co-handler, external ones included)
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW)

    class Meta:
        ordering = ["relief", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(MONEY_KINDS)) | (Q(amount__gt=0) & ~Q(currency="")),
                name="relief_outcome_money_has_amount_and_currency"),
            models.CheckConstraint(condition=~Q(kind=OutcomeKind.JOBS_KEPT) | Q(jobs__gt=0),
                                   name="relief_outcome_jobs_counted"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount or ''} {self.currency}".strip()

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        q = ReliefCase.scope_filter(grant)
        return None if q is None else through(q, "relief")

    def scope_values(self):
        return self.relief.scope_values()
