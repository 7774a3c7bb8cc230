"""Field work of grid workers: household visits, key persons, dispute screening rounds, police–grid joint
work (四联) and publicity activities. Only `fieldwork.actions` writes these rows.

Scoping follows the region tree like everywhere else: a visit is placed by its household's micro-grid,
a key person by the resident's micro-grid, a screening round by its grid, a referral by its case's
region, a joint record and an activity by the grid (or micro-grid) where they took place.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Scope, ScopedManager
from civicgrid.gridops.fieldwork.choices import (
    ActivityKind,
    Condition,
    FollowUpMethod,
    JointKind,
    ReferralDirection,
    ReferralStatus,
    ScreeningResult,
    VisitPurpose,
)

# How much longer than the tag's contact frequency (`Tag.contact_every_days`, the strictest tier's
# frequency in the catalogue) each management tier may go without contact. Unknown or blank tiers count as
# the strictest, so a mistyped tier never hides an overdue person.
TIER_FACTOR = {
    "严管": 1, "红": 1, "red": 1,
    "普管": 2, "黄": 2, "yellow": 2,
    "宽管": 3, "蓝": 3, "blue": 3,
}


class HouseholdVisit(models.Model):
    """One visit to a household (入户走访). `region` repeats the household's micro-grid at the time of the
    visit, for scoping and coverage."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="visits")
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=16, choices=VisitPurpose.choices, default=VisitPurpose.ROUTINE)
    visited_at = models.DateTimeField(db_index=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    participants = models.CharField(max_length=200, blank=True)  # 同行人员: other workers, police, volunteers
    persons_met = models.CharField(max_length=200, blank=True)  # 接待人: the members of the household met
    notes = models.TextField(blank=True)
    next_follow_up_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope = Scope(region="region__code", view_perm="fieldwork.view_visit")

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["household", "visited_at"]), models.Index(fields=["region", "visited_at"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_at:%Y-%m-%d} {self.purpose}"


class VisitOpinion(models.Model):
    """An opinion or request collected on a visit (情); it may become a case (channel `visit`)."""

    visit = models.ForeignKey(HouseholdVisit, on_delete=models.CASCADE, related_name="opinions")
    content = models.TextField()
    category_code = models.CharField(max_length=20, blank=True)
    case = models.OneToOneField("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope = Scope(region="visit__region__code", view_perm="fieldwork.view_visit")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.content[:30]


class KeyPersonAssignment(models.Model):
    """Who looks after a key person (重点人员): the resident carries a sensitive tag (its `ResidentTag.level`
    is the management tier); this row names the responsible worker and the police liaison and keeps the
    contact clock. Sensitive personal information (PIPL art. 28): read through fieldwork.actions only."""

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    tag = models.ForeignKey("people.Tag", on_delete=models.PROTECT, related_name="+")
    responsible_worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    police_liaison = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    # a frequency set for this person (e.g. weekly in the first months of 社区矫正); overrides the tier rule
    contact_every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    started_on = models.DateField()
    last_contact_at = models.DateTimeField(null=True, blank=True)
    next_contact_due = models.DateField(null=True, blank=True)  # set by the latest follow-up, if earlier
    is_active = models.BooleanField(default=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope = Scope(region="resident__region__code", view_perm="fieldwork.view_key_person")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], condition=Q(is_active=True),
                                    name="uniq_active_key_person"),
        ]

    def __str__(self) -> str:
        return f"key person {self.pk}"

    def interval_days(self, tier: str) -> int | None:
        """Days allowed between contacts: this person's own frequency, else the tag's times the tier factor;
        None when neither the person nor the tag requires contact."""
        if self.contact_every_days:
            return self.contact_every_days
        if not self.tag.contact_every_days:
            return None
        return self.tag.contact_every_days * TIER_FACTOR.get((tier or "").strip(), 1)

    def due_on(self, tier: str) -> date | None:
        """The day by which the next contact is due: the last contact (or the start) plus the interval, or
        the earlier date the latest follow-up set."""
        interval = self.interval_days(tier)
        last = timezone.localdate(self.last_contact_at) if self.last_contact_at else self.started_on
        due = last + timedelta(days=interval) if interval else None
        if self.next_contact_due and (due is None or self.next_contact_due < due):
            due = self.next_contact_due
        return due

    def days_overdue(self, tier: str, today: date) -> int:
        """How many days past due (0 when not overdue)."""
        due = self.due_on(tier)
        return max((today - due).days, 0) if due else 0


class KeyPersonFollowUp(models.Model):
    """One contact with a key person (帮教、随访): method, whether police were present, condition, notes
    (encrypted: they often hold health or criminal-record details), and an optional earlier next date."""

    assignment = models.ForeignKey(KeyPersonAssignment, on_delete=models.PROTECT, related_name="follow_ups")
    contacted_at = models.DateTimeField(db_index=True)
    method = models.CharField(max_length=12, choices=FollowUpMethod.choices)
    with_police = models.BooleanField(default=False)
    police_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.STABLE)
    notes = EncryptedTextField(blank=True, default="")
    next_due_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope = Scope(region="assignment__resident__region__code", view_perm="fieldwork.view_key_person")

    class Meta:
        ordering = ["-contacted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.contacted_at:%Y-%m-%d}"


class ScreeningRound(models.Model):
    """One grid's dispute screening (矛盾纠纷排查) for one period (half a month): either the worker's
    confirmation that there is nothing new, or the disputes found (each opened a `dispute` case)."""

    grid = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    result = models.CharField(max_length=8, choices=ScreeningResult.choices)
    notes = models.TextField(blank=True)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    screened_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope = Scope(region="grid__code", view_perm="fieldwork.view_screening")

    class Meta:
        ordering = ["-period_start", "grid__code"]
        constraints = [models.UniqueConstraint(fields=["grid", "period_start"], name="uniq_screening_round")]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.period_start}"

    @property
    def is_late(self) -> bool:
        """Reported after its period ended."""
        return timezone.localdate(self.screened_at) > self.period_end


class ScreeningFinding(models.Model):
    """A dispute found in a screening round, and the `dispute` case it opened."""

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="findings")
    description = models.TextField()
    parties = models.CharField(max_length=200, blank=True)
    category_code = models.CharField(max_length=20)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:30]


class Referral(models.Model):
    """A hand-over between police and grid (警网联动): a grid case referred to the police, or a police
    referral that became a case. Placed by its case's region."""

    direction = models.CharField(max_length=12, choices=ReferralDirection.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    police_department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    police_reference = models.CharField(max_length=40, blank=True)  # 警情编号 of a police referral
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    referred_at = models.DateTimeField(db_index=True)
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(region="case__region__code", view_perm="fieldwork.view_joint_work")

    class Meta:
        ordering = ["-referred_at", "-id"]
        constraints = [
            # one open referral of a case to the police at a time
            models.UniqueConstraint(fields=["case"], condition=Q(direction="to_police", status="pending"),
                                    name="uniq_pending_police_referral"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.case_id}"


class JointRecord(models.Model):
    """A joint patrol, check, mediation or visit by police and grid workers (联巡、联查、联调), in one grid,
    with participants from both sides."""

    kind = models.CharField(max_length=10, choices=JointKind.choices)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    summary = models.TextField()
    police_participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    grid_participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    other_participants = models.CharField(max_length=200, blank=True)  # people without an account
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope = Scope(region="region__code", view_perm="fieldwork.view_joint_work")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d}"


class Activity(models.Model):
    """A publicity activity (普法、政策宣讲、反诈 …) held in a grid or micro-grid."""

    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ActivityKind.choices)
    title = models.CharField(max_length=100)
    place = models.CharField(max_length=200)
    held_on = models.DateField(db_index=True)
    attendance = models.PositiveIntegerField()
    notes = models.TextField(blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()
    scope = Scope(region="region__code", view_perm="fieldwork.view_activity")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"
