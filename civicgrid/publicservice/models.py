"""Public services (政务服务): 24-hour appointments, online service requests and the 办不成事 window.

An office (办事机构) owns an accounts.Department row: its window staff are department handlers of it, so
the scoping chokepoint and the case engine's roles apply unchanged. A service request is a Case of type
`service_request`; a 办不成事 case is a Case of type `hard_case`. The rows here add what the engine does
not know: slots and bookings, materials, 公对公 document requests, delivery, meetings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Grant, Scope, ScopedManager, through
from civicgrid.publicservice.choices import BookingStatus, Delivery, DocumentStatus, HardCaseIntake


class ServiceItem(models.Model):
    """A service item (办事事项): what it takes (materials, fields) and how long it may take (承诺时限)."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    group = models.CharField(max_length=30, blank=True)  # 户籍 / 证件 / 社保 / 企业 …
    description = models.CharField(max_length=300, blank=True)
    # [{"key", "label", "required"}]: uploads (scanned PDF or photo)
    materials = models.JSONField(default=list, blank=True)
    # [{"key", "label", "required"}]: text fields of the application form
    fields = models.JSONField(default=list, blank=True)
    promised_days = models.PositiveSmallIntegerField(default=5)  # 承诺办结时限(工作日)
    is_online = models.BooleanField(default=True)  # may be applied for online (一网通办)
    is_bookable = models.BooleanField(default=True)  # may be booked at a window (预约办)
    approval_item = models.ForeignKey("enterprises.ApprovalItem", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")  # the zone's approval item this serves
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """An office with windows (派出所户籍窗口, 政务服务中心, 社保所 …) and its booking rules."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    address = models.CharField(max_length=200, blank=True)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")
    department = models.OneToOneField("accounts.Department", on_delete=models.PROTECT, related_name="office")
    lead_minutes = models.PositiveIntegerField(default=30)  # a slot may be booked until this long before it
    cancel_minutes = models.PositiveIntegerField(default=120)  # cancellation possible until this long before
    horizon_days = models.PositiveSmallIntegerField(default=14)  # how far ahead slots are opened
    is_active = models.BooleanField(default=True)

    objects = ScopedManager()
    scope = Scope(region="region__code", department="department_id", view_perm="publicservice.view_booking")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A counter of an office: which items it serves, its opening hours on working days, slot length and
    how many people one slot takes."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="windows")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=60)
    items = models.ManyToManyField(ServiceItem, related_name="windows")
    hours = models.CharField(max_length=60, default="09:00-12:00,13:30-17:00")  # on working days
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    capacity = models.PositiveSmallIntegerField(default=3)  # people per slot
    is_active = models.BooleanField(default=True)

    objects = ScopedManager()
    scope = Scope(region="office__region__code", department="office__department_id",
                  view_perm="publicservice.view_booking")

    class Meta:
        ordering = ["office", "code"]
        constraints = [models.UniqueConstraint(fields=["office", "code"], name="uniq_window_code")]

    def __str__(self) -> str:
        return f"{self.office.name} {self.name}"


class Slot(models.Model):
    """One bookable time slot of a window. `booked` is only ever changed by a conditional UPDATE
    (booked < capacity), and the database refuses a count above the capacity (the check constraint), so
    concurrent bookings can never overfill a slot."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "window"]
        constraints = [
            models.UniqueConstraint(fields=["window", "starts_at"], name="uniq_slot_start"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")) & Q(booked__gte=0),
                                   name="slot_booked_within_capacity"),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.window_id}@{self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class Booking(models.Model):
    """A resident's appointment: one slot, one item; at most one active booking per person and item."""

    code = models.CharField(max_length=12, unique=True)  # the booking code the QR carries
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    name = models.CharField(max_length=50)
    phone = EncryptedTextField(blank=True, default="")
    status = models.CharField(max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    created_at = models.DateTimeField(default=clock.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    no_show_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the day-before reminder went out (once)

    objects = ScopedManager()
    scope = Scope(department="slot__window__office__department_id", owner="user_id")

    class Meta:
        ordering = ["-slot__starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], condition=Q(status="booked"),
                                    name="uniq_active_booking_per_item"),
        ]
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["status", "reminded_at"])]

    def __str__(self) -> str:
        return self.code


class ServiceRequest(models.Model):
    """What an online service request adds to its case: the item, the form, delivery of the result."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="service_request")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="requests")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="requests")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField(max_length=50)
    phone = EncryptedTextField(blank=True, default="")
    answers = models.JSONField(default=dict, blank=True)
    delivery = models.CharField(max_length=12, choices=Delivery.choices, default=Delivery.COUNTER)
    mail_address = EncryptedTextField(blank=True, default="")
    mail_city = models.CharField(max_length=40, blank=True)  # shown unmasked: where it goes, not who
    tracking_number = models.CharField(max_length=40, blank=True)
    correction_note = models.TextField(blank=True)  # what is missing (一次性告知)
    correction_due_at = models.DateTimeField(null=True, blank=True)
    correction_asked_at = models.DateTimeField(null=True, blank=True)
    promised_at = models.DateTimeField(null=True, blank=True)  # 承诺办结 deadline, moved by 补正 pauses
    result_note = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(view_perm="publicservice.view_request")  # reach follows the case: see scope_filter

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.item_id}"

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        """The office (main department), a 公对公 office (co-department), the applicant (reporter)."""
        q = Case.scope_filter(Grant(department_ids=grant.department_ids, own_user_id=grant.own_user_id))
        return None if q is None else through(q, "case")

    def scope_values(self, departments: bool = True):
        _, ids, owner = self.case.scope_values(departments)
        return [], ids, owner


class Material(models.Model):
    """An uploaded material: type sniffed from the bytes, photos re-encoded without metadata."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="materials")
    key = models.CharField(max_length=40)
    file = models.FileField(upload_to="publicservice/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    is_correction = models.BooleanField(default=False)  # uploaded as 补正
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["request", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.key}"


class DocumentRequest(models.Model):
    """公对公: the office asks another office (a co-department of the case) for a document itself."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="documents")
    to_department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    document = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    due_at = models.DateTimeField(null=True, blank=True)
    provided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    provided_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return self.document


class HardCaseFile(models.Model):
    """What the 办不成事 window keeps with a hard case: how it came in and who received it."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="hard_case_file")
    intake = models.CharField(max_length=10, choices=HardCaseIntake.choices)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tried_before = models.CharField(max_length=300, blank=True)  # where the applicant already tried

    def __str__(self) -> str:
        return f"{self.case_id} {self.intake}"


class Meeting(models.Model):
    """A coordination meeting (协调会/会商) on a hard case: who attended, which departments, what was decided."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    held_at = models.DateTimeField()
    attendees = models.CharField(max_length=300)
    departments = models.ManyToManyField("accounts.Department", related_name="+")
    decisions = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["case", "held_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"
