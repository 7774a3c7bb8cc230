"""Subsidy programmes and disbursements (惠企政策兑现 · 免申即享).

A `Programme` (稳岗返还, 失业保险金 …) is paid by one department; its eligibility rules and amount formula
are versioned data (`ProgrammeVersion`, rules checked by the pre-check engine's parser, the formula by
`subsidies.formula`). For a 免申即享 programme the system computes `Candidate`s from the rules and the
records (the enterprise registry plus the officer-recorded `InsuranceYear`); an officer approves one and it
becomes one `Disbursement` (a one-to-one link: approving twice pays once). Disbursements to persons go to a
`Beneficiary` whose ID number is encrypted with a keyed hash, as residents' are, and linked to the resident
with that number where one exists. `PaymentBatch` is one imported Excel file of disbursements.

Reach. A programme's records belong to its paying department: a user whose grant names that department,
or a region grant covering the department's region (the leader's district), reaches its candidates,
batches and disbursements. A disbursement to an enterprise also follows the enterprise (the zone officers
serving it, its contacts: "我的补贴"). A candidate does not: contacts never see the candidate list.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.core import clock
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Grant, Scope, ScopedManager, through
from civicgrid.enterprises.models import Enterprise
from civicgrid.subsidies.choices import CandidateStatus, Currency, Mode, RecipientKind, Source

VIEW_DISBURSEMENT = "subsidies.view_disbursement"
VIEW_CANDIDATE = "subsidies.view_candidate"


def _programme_q(grant: Grant, prefix: str) -> list[Q]:
    """The paying department's reach: its id in the grant's departments, its region under a region code."""
    parts = [Q(**{f"{prefix}department__region__code__startswith": code}) for code in grant.region_codes]
    if grant.department_ids:
        parts.append(Q(**{f"{prefix}department_id__in": grant.department_ids}))
    return parts


def _programme_values(programme) -> tuple[list[str], list[int]]:
    department = programme.department
    return ([department.region.code] if department.region_id else []), [department.pk]


class ProgrammeScoped:
    """A record reached through its programme's paying department (candidates, payment batches)."""

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        parts = _programme_q(grant, "programme__")
        return reduce(or_, parts) if parts else None

    def scope_values(self):
        codes, departments = _programme_values(self.programme)
        return codes, departments, None


class Programme(models.Model):
    """A subsidy programme: public policy data, listed to everyone holding a subsidies permission."""

    code = models.SlugField(max_length=40, unique=True)  # lower-case, e.g. job_stabilisation_refund
    name = models.CharField(max_length=60)
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")  # pays
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.CNY)
    period_start = models.DateField()  # the policy's period
    period_end = models.DateField()
    basis = models.CharField(max_length=300, blank=True)  # the policy document
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager()
    scope = Scope(view_perm="subsidies.view_programme")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        return Q() if grant else None

    def scope_values(self):
        codes, departments = _programme_values(self)
        return codes, departments, None

    def current_version(self) -> ProgrammeVersion | None:
        prefetched = getattr(self, "versions_newest_first", None)  # queries.programmes_with_versions prefetches them
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.versions.order_by("-version").first()


class ProgrammeVersion(models.Model):
    """One published version of a programme's rules (pre-check rule-set JSON) and amount formula."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    rules = models.JSONField(null=True, blank=True)  # None: no eligibility rules (ledger programmes)
    formula = models.JSONField(null=True, blank=True)  # None: the amount comes with each payment
    effective_from = models.DateField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(default=clock.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "-version"]
        constraints = [models.UniqueConstraint(fields=["programme", "version"], name="uniq_programme_version")]

    def __str__(self) -> str:
        return f"{self.programme_id} v{self.version}"


class InsuranceYear(models.Model):
    """One enterprise's unemployment-insurance figures for one year, recorded by the 人社 officer: the facts
    the 稳岗返还 and 吸纳就业 rules need that the enterprise registry does not hold."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="insurance_years")
    year = models.PositiveSmallIntegerField()
    paid_months = models.PositiveSmallIntegerField()  # months paid in full
    contributions = models.DecimalField(max_digits=14, decimal_places=2)  # unit + employee, actually paid
    insured_start = models.PositiveIntegerField()
    insured_end = models.PositiveIntegerField()
    hired_unemployed = models.PositiveIntegerField(default=0)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")  # recorded by
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(view_perm="subsidies.view_candidate")

    class Meta:
        ordering = ["enterprise", "-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_insurance_year")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        parts = []
        if grant.department_ids:
            parts.append(Q(department_id__in=grant.department_ids))
        q = Enterprise.scope_filter(Grant(region_codes=grant.region_codes, department_ids=grant.department_ids))
        if q is not None:
            parts.append(through(q, "enterprise"))
        return reduce(or_, parts) if parts else None

    def scope_values(self):
        codes, departments, _owners = Enterprise.scope_values_of(self.enterprise_id)
        return codes, [*departments, self.department_id], None

    @property
    def layoff_rate(self) -> float | None:
        if not self.insured_start:
            return None
        return round(max(self.insured_start - self.insured_end, 0) * 100 / self.insured_start, 4)


class Beneficiary(models.Model):
    """A person paid by a programme. ID number encrypted, found by its keyed hash (as residents')."""

    name = models.CharField(max_length=50)
    id_number = EncryptedTextField()
    id_number_hash = models.CharField(max_length=64, unique=True)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW_DISBURSEMENT, distinct=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        q = Disbursement.scope_filter(grant)
        return None if q is None else through(q, "disbursements")

    def scope_values(self):
        codes, departments = set(), set()
        for d in self.disbursements.select_related("programme__department__region"):
            c, ds = _programme_values(d.programme)
            codes.update(c)
            departments.update(ds)
        return sorted(codes), sorted(departments), None


class Candidate(ProgrammeScoped, models.Model):
    """An enterprise the rules find eligible for a 免申即享 programme in an assessed year, with the amount the
    formula gives; an officer approves (one disbursement) or rejects it."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="candidates")
    version = models.ForeignKey(ProgrammeVersion, on_delete=models.PROTECT, related_name="candidates")
    year = models.PositiveSmallIntegerField()  # the assessed year (its records give the facts)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="subsidy_candidates")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.CNY)
    eligibility = models.CharField(max_length=20)  # the engine's status: eligible / needs_review
    facts = models.JSONField()
    report = models.JSONField()  # the engine's criteria (outcome, value, threshold)
    basis = models.CharField(max_length=300)  # the formula in words with the values
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.PENDING)
    computed_at = models.DateTimeField(default=clock.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW_CANDIDATE)

    class Meta:
        ordering = ["programme", "status", "-amount", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "year", "enterprise"], name="uniq_candidate")]
        indexes = [models.Index(fields=["programme", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.year} {self.enterprise_id}"


class PaymentBatch(ProgrammeScoped, models.Model):
    """One imported Excel file of payments (all rows or none)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="batches")
    file_name = models.CharField(max_length=200)
    content_sha256 = models.CharField(max_length=64)  # of the rows' values: the same payments are one batch
    rows = models.PositiveIntegerField()
    recipients = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=16, decimal_places=2)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW_DISBURSEMENT)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["programme", "content_sha256"], name="uniq_batch_content")]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.file_name}"


class Disbursement(models.Model):
    """One payment of a programme to an enterprise or to a person (exactly one of the two)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="disbursements")
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="disbursements")
    beneficiary = models.ForeignKey(Beneficiary, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="disbursements")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.CNY)
    paid_on = models.DateField()
    reference = models.CharField(max_length=40, blank=True)  # the payment voucher number
    basis = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    candidate = models.OneToOneField(Candidate, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="disbursement")  # approving twice pays once
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="disbursements")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW_DISBURSEMENT)

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False, beneficiary__isnull=True)
                           | Q(enterprise__isnull=True, beneficiary__isnull=False)),
                name="disbursement_one_recipient"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]
        indexes = [models.Index(fields=["programme", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.amount} {self.paid_on}"

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        parts = _programme_q(grant, "programme__")
        q = Enterprise.scope_filter(grant)
        if q is not None:
            parts.append(through(q, "enterprise"))
        return reduce(or_, parts) if parts else None

    def scope_values(self):
        codes, departments = _programme_values(self.programme)
        owners = frozenset()
        if self.enterprise_id:
            e_codes, e_departments, owners = Enterprise.scope_values_of(self.enterprise_id)
            codes, departments = [*codes, *e_codes], [*departments, *e_departments]
        return codes, departments, owners

    @property
    def recipient_name(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.beneficiary.name
