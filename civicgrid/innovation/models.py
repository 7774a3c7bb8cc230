"""Innovation platforms, research teams, 产学研 cooperation agreements and the 揭榜挂帅 challenge list.

Reach. Platforms and research teams are zone-wide reference data: every holder of
`innovation.view_innovation` sees them. An agreement, a challenge's private parts (applications, the two
sides' choices, milestones) follow the enterprise (`enterprises.Enterprise.scope_filter`): the park office,
the zone's departments, the leader's district and the enterprise's own contacts. A challenge's published
summary (`PUBLIC_STATUSES`) is on the zone-wide board for every holder of `innovation.view_innovation`
(queries.board). The 科技创新部 is the department of the zone's `InnovationOffice`: only its officers
publish, record applications, choose on the department's side and accept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.core import clock
from civicgrid.core.scoping import Grant, Scope, ScopedManager, through
from civicgrid.enterprises.models import Enterprise
from civicgrid.innovation.choices import (
    AgreementStatus,
    ChallengeStatus,
    OutputKind,
    PartnerKind,
    PlatformKind,
    PlatformLevel,
)

VIEW = "innovation.view_innovation"
VIEW_AGREEMENT = "innovation.view_agreement"
VIEW_CHALLENGE = "innovation.view_challenge"


class _ZoneWide(models.Model):
    """Reference data: reached by any grant of its view permission."""

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW)

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        return Q() if grant else None


class InnovationOffice(models.Model):
    """The zone's 科技创新部: the department whose officers publish and co-select challenges."""

    zone = models.OneToOneField("enterprises.Zone", on_delete=models.CASCADE, related_name="innovation_office")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.zone_id} → {self.department_id}"


class Platform(_ZoneWide):
    """An innovation platform: a branch of a national centre or laboratory, an institute, the city's
    service platform, or an enterprise's technology centre / postdoctoral station (with the enterprise's
    qualification that recognises it)."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=PlatformKind.choices)
    level = models.CharField(max_length=12, choices=PlatformLevel.choices)
    host_organisation = models.CharField(max_length=200)  # 依托单位
    host_enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="innovation_platforms")
    qualification = models.OneToOneField("enterprises.Qualification", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="platform")
    fields = models.JSONField(default=list)  # choices.Field codes, sorted
    recognised_on = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class ResearchTeam(_ZoneWide):
    """A research team that may take up challenges (揭榜团队), possibly based at a platform."""

    name = models.CharField(max_length=200)
    lead_organisation = models.CharField(max_length=200)  # 牵头单位
    leader_name = models.CharField(max_length=50)  # 团队负责人 (a public role, not a contact)
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.PROTECT, related_name="teams")
    fields = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "lead_organisation"], name="uniq_team_name")]

    def __str__(self) -> str:
        return f"{self.name}({self.lead_organisation})"


class _FollowsEnterprise(models.Model):
    objects = ScopedManager()
    scope = Scope(view_perm=VIEW_AGREEMENT)
    reach_path = "enterprise"

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        q = Enterprise.scope_filter(grant)
        return None if q is None else through(q, cls.reach_path)

    def scope_values(self):
        return self.reach_enterprise().scope_values()

    def reach_enterprise(self) -> Enterprise:
        return self.enterprise


class Agreement(_FollowsEnterprise):
    """A 产学研 cooperation agreement between an enterprise and a university, institute or platform.
    `amount` is in yuan (元)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="innovation_agreements")
    partner_name = models.CharField(max_length=200)
    partner_kind = models.CharField(max_length=12, choices=PartnerKind.choices)
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="agreements")
    title = models.CharField(max_length=200)
    field = models.CharField(max_length=24)  # choices.Field
    signed_on = models.DateField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.SIGNED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return self.title


class AgreementOutput(_FollowsEnterprise):
    """One result of an agreement (a patent, a product, a standard …)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=10, choices=OutputKind.choices)
    title = models.CharField(max_length=200)
    achieved_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    reach_path = "agreement__enterprise"

    class Meta:
        ordering = ["achieved_on", "id"]

    def __str__(self) -> str:
        return self.title

    def reach_enterprise(self) -> Enterprise:
        return self.agreement.enterprise


class Challenge(_FollowsEnterprise):
    """A technical need on the 揭榜挂帅 list: posted for an enterprise, published by the 科技创新部 (the
    `department`), applied for by research teams until `deadline`, given to the one application both sides
    chose, then tracked by milestones. `budget` is in yuan (元)."""

    scope = Scope(view_perm=VIEW_CHALLENGE)

    number = models.CharField(max_length=20, unique=True)  # JB-<year>-<seq>
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="innovation_challenges")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    fields = models.JSONField(default=list)
    goal = models.TextField(max_length=2000)  # 攻关目标 and the indicators to reach
    budget = models.DecimalField(max_digits=14, decimal_places=2)
    deadline = models.DateField()  # last day for applications (揭榜截止)
    complete_by = models.DateField(null=True, blank=True)  # when the work should be done
    status = models.CharField(max_length=12, choices=ChallengeStatus.choices, default=ChallengeStatus.SUBMITTED)
    enterprise_choice = models.ForeignKey("Application", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    enterprise_chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+")
    department_choice = models.ForeignKey("Application", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    department_chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+")
    selected_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=300, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=clock.now)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def selected(self):
        return self.enterprise_choice if self.selected_at else None


class _FollowsChallenge(_FollowsEnterprise):
    scope = Scope(view_perm=VIEW_CHALLENGE)
    reach_path = "challenge__enterprise"

    class Meta:
        abstract = True

    def reach_enterprise(self) -> Enterprise:
        return self.challenge.enterprise


class Application(_FollowsChallenge):
    """A research team's application (揭榜申报) for a challenge: at most one per team, at most one selected."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="applications")
    team = models.ForeignKey(ResearchTeam, on_delete=models.PROTECT, related_name="applications")
    plan = models.TextField(max_length=4000)  # 技术方案 and schedule
    fields = models.JSONField(default=list)
    quoted_budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)  # yuan
    is_selected = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["applied_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "team"], name="uniq_application_team"),
            models.UniqueConstraint(fields=["challenge"], condition=Q(is_selected=True),
                                    name="uniq_application_selected"),
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}:{self.team_id}"


class Milestone(_FollowsChallenge):
    """A milestone of a selected challenge: planned date, then the actual date with its evidence."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    planned_on = models.DateField()
    achieved_on = models.DateField(null=True, blank=True)
    evidence = models.CharField(max_length=500, blank=True)  # what shows it is reached (report, test, sample)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    achieved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["challenge", "seq"]
        constraints = [models.UniqueConstraint(fields=["challenge", "seq"], name="uniq_milestone_seq")]

    def __str__(self) -> str:
        return f"{self.challenge_id}#{self.seq} {self.title}"

    def is_late(self, today) -> bool:
        return (self.achieved_on or today) > self.planned_on


__all__ = ["Agreement", "AgreementOutput", "Application", "Challenge", "InnovationOffice", "Milestone",
           "OutputKind", "Platform", "PlatformKind", "PlatformLevel", "ResearchTeam"]
