"""The civilisation-practice (新时代文明实践) structure, volunteers and their records.

A volunteer order is a Case of type `volunteer_order` run by the case engine; `Order` adds what the
engine does not know (service window, station, team, assigned volunteers). Practice stations and volunteer
teams each own an accounts.Department row: the station is the order's main handling department and the
team its co-department, so the engine's roles and scoping (station_admin, volunteer) apply unchanged.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Grant, Scope, ScopedManager, through
from civicgrid.volunteers.choices import DonationKind, RecordStatus, SiteLevel, VolunteerStatus


class PracticeSite(models.Model):
    """中心 (district) → 所 (street) → 站 (community), each tied to its region."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=10, choices=SiteLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    department = models.OneToOneField("accounts.Department", on_delete=models.PROTECT, related_name="practice_site")
    address = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    capabilities = models.JSONField(default=list, blank=True)  # service category codes it can serve
    capacity = models.PositiveIntegerField(default=10)  # open orders it can carry at once
    is_active = models.BooleanField(default=True)

    objects = ScopedManager()
    scope = Scope(region="region__code", department="department_id")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A volunteer team (志愿服务队) of a station or of the centre."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    site = models.ForeignKey(PracticeSite, on_delete=models.PROTECT, related_name="teams")
    department = models.OneToOneField("accounts.Department", on_delete=models.PROTECT, related_name="volunteer_team")
    capabilities = models.JSONField(default=list, blank=True)  # service category codes
    capacity = models.PositiveIntegerField(default=3)  # orders at once
    service_region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)

    objects = ScopedManager()
    scope = Scope(region="service_region__code", department="site__department_id")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A real-name registered volunteer (实名注册). ID number and phone are encrypted at rest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="volunteer")
    name = models.CharField(max_length=50)
    id_number = EncryptedTextField()
    id_number_hash = models.CharField(max_length=64, unique=True)
    phone = EncryptedTextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")  # where they live/serve
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    service_radius_km = models.FloatField(default=5)
    skills = models.JSONField(default=list, blank=True)  # service category codes they offer
    status = models.CharField(max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE)
    registered_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    # the centre by region; a station through its teams' memberships; the volunteer themself
    scope = Scope(region="region__code", department="memberships__team__site__department_id", owner="user_id",
                  distinct=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def scope_values(self) -> tuple[list[str], list[int], int | None]:
        """(region codes, department ids, owner) for one volunteer: the stations of the teams they serve
        in reach them through a to-many path, so it is spelled out here."""
        stations = list(self.memberships.filter(is_active=True).values_list("team__site__department_id", flat=True))
        return [self.region.code], stations, self.user_id


class Qualification(models.Model):
    """A certificate the volunteer holds (心理咨询师, 执业律师, 护士, 急救员 …) with its validity."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(max_length=30)
    number = models.CharField(max_length=60, blank=True)
    issued_by = models.CharField(max_length=100, blank=True)
    valid_until = models.DateField(null=True, blank=True)  # None: no expiry

    class Meta:
        ordering = ["volunteer", "kind"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "kind"], name="uniq_volunteer_qualification")]

    def __str__(self) -> str:
        return self.kind


class Availability(models.Model):
    """A weekly slot the volunteer is available: weekday 0 = Monday."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["volunteer", "weekday", "start"]


    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"

class Membership(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    is_leader = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=clock.now)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["volunteer", "team"], name="uniq_membership")]


    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.team_id}"

class Order(models.Model):
    """What a volunteer order adds to its case: the wanted service window and who serves it."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="volunteer_order")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    people_needed = models.PositiveSmallIntegerField(default=1)
    on_behalf_of = models.CharField(max_length=50, blank=True)  # the elderly resident a grid worker ordered for
    is_urgent = models.BooleanField(default=False)
    station = models.ForeignKey(PracticeSite, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    volunteers = models.ManyToManyField(Volunteer, blank=True, related_name="orders")
    matched_at = models.DateTimeField(null=True, blank=True)  # when a team was assigned (对接成功)
    declined_by = models.JSONField(default=list, blank=True)  # station codes that declined or timed out

    objects = ScopedManager()
    scope = Scope()  # reach follows the case: see scope_filter

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.case_id}"

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        """Whoever sees the case sees the order: the centre by region, the station as main department,
        the team as co-department, the resident as reporter."""
        q = Case.scope_filter(grant)
        return None if q is None else through(q, "case")

    def scope_values(self, departments: bool = True):
        return self.case.scope_values(departments)


class ServiceRecord(models.Model):
    """One volunteer's service on one order (民政部令第67号): recorded by the team, confirmed by the station.
    Hours are the service time itself, travel excluded."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="records")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    content = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=RecordStatus.choices, default=RecordStatus.RECORDED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["volunteer", "started_at"])]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.hours}h"


class RecordCorrection(models.Model):
    """A correction of a service record keeps what it was (records are never silently edited)."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="corrections")
    before = models.JSONField()
    after = models.JSONField()
    reason = models.CharField(max_length=200)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=clock.now)


    def __str__(self) -> str:
        return f"{self.record_id}: {self.reason}"

class ServiceCertificate(models.Model):
    """A 志愿服务证明 as issued: its number and the figures it states, checkable at its verification URL."""

    number = models.CharField(max_length=60, unique=True)
    token = models.CharField(max_length=40, unique=True)  # the secret part of the verification URL
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    issuer = models.ForeignKey(PracticeSite, on_delete=models.PROTECT, related_name="+")
    total_hours = models.DecimalField(max_digits=8, decimal_places=2)
    record_count = models.PositiveIntegerField()
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-issued_at"]


    def __str__(self) -> str:
        return self.number

class Donation(models.Model):
    """A donation received (捐赠服务): money in yuan or goods described with an estimated value."""

    site = models.ForeignKey(PracticeSite, on_delete=models.PROTECT, related_name="donations")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="donations")
    donor = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=DonationKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))  # yuan (goods: value)
    items = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=clock.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager()
    scope = Scope(region="site__region__code", department="site__department_id")

    class Meta:
        ordering = ["-received_at"]


    def __str__(self) -> str:
        return f"{self.donor} {self.amount}"

class Distribution(models.Model):
    """Part of a donation handed to a household (e.g. a low-income household from people)."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="distributions")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    items = models.CharField(max_length=200, blank=True)
    distributed_at = models.DateTimeField(default=clock.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-distributed_at"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.amount}"
