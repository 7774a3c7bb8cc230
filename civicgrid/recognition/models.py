"""The good-people board (好人榜 / 善行义举榜): nominees, nominations, their materials, consent, objections
during the public notice (公示) and the monthly and yearly listings.

Personal data: the nominee's and an objector's phone are encrypted at rest with a keyed hash for look-up;
no ID number is collected. What a public page shows of a nomination is decided by its consent
(`Nomination.public_name`, `shows_photo`), never by the page.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.core import clock
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Grant, Scope, ScopedManager, scope_q, scope_values, through
from civicgrid.recognition.choices import (
    Category,
    ConsentSource,
    ObjectionOutcome,
    ObjectionStatus,
    Period,
    Source,
    State,
)

ANONYMOUS_NAME = "某某同志"  # what a public page calls a person who did not agree to their name


def _public_id() -> str:
    return secrets.token_urlsafe(9)


class Honoree(models.Model):
    """A person nominated once or more: what ties their listings together (a person's history)."""

    public_id = models.CharField(max_length=20, unique=True, default=_public_id)  # the public page's key
    name = models.CharField(max_length=50)
    phone = EncryptedTextField()
    phone_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")  # the nominee's own account, when they nominated themself
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Nomination(models.Model):
    honoree = models.ForeignKey(Honoree, on_delete=models.PROTECT, related_name="nominations")
    source = models.CharField(max_length=8, choices=Source.choices)
    nominator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominator_name = models.CharField(max_length=50)
    relation = models.CharField(max_length=30, blank=True)  # the nominator's relation to the nominee
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")  # the community
    category = models.CharField(max_length=12, choices=Category.choices)
    title = models.CharField(max_length=60)
    story = models.TextField(max_length=3000)
    # the nominee's consent, item by item: nothing is published beyond it
    consent_name = models.BooleanField(default=False)
    consent_photo = models.BooleanField(default=False)
    consent_story = models.BooleanField(default=False)
    consent_source = models.CharField(max_length=10, choices=ConsentSource.choices)
    photo = models.FileField(upload_to="recognition/photos/%Y/%m/", blank=True)  # the portrait, re-encoded
    photo_type = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    notice_start = models.DateField(null=True, blank=True)  # first day of the public notice
    notice_end = models.DateField(null=True, blank=True)  # last day objections are taken
    listed_month = models.DateField(null=True, blank=True)  # first day of the month it was listed for
    decision_note = models.CharField(max_length=300, blank=True)  # why it was turned down
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    # the community, street and office by the place; the resident who nominated by ownership
    scope = Scope(region="region__code", owner="nominator_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "listed_month"])]

    def __str__(self) -> str:
        return f"{self.title}"

    @property
    def public_name(self) -> str:
        return self.honoree.name if self.consent_name else ANONYMOUS_NAME

    @property
    def shows_photo(self) -> bool:
        return bool(self.consent_photo and self.photo)

    @property
    def public_story(self) -> str:
        return self.story if self.consent_story else ""


class NominationEvent(models.Model):
    """One step of a nomination, in order (submitted, verified, approved, listed, rejected …)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    comment = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["nomination", "seq"]
        constraints = [models.UniqueConstraint(fields=["nomination", "seq"], name="uniq_nomination_event_seq")]

    def __str__(self) -> str:
        return f"{self.nomination_id}#{self.seq} {self.action}"


class ConsentRecord(models.Model):
    """Each time the nominee's consent was given or changed, as it was then."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="consents")
    name = models.BooleanField()
    photo = models.BooleanField()
    story = models.BooleanField()
    source = models.CharField(max_length=10, choices=ConsentSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["nomination", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.name}/{self.photo}/{self.story}"


class Material(models.Model):
    """Supporting material (证明材料): a photo (re-encoded, metadata stripped) or a PDF. Never public."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(upload_to="recognition/materials/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["nomination", "id"]

    def __str__(self) -> str:
        return self.file.name


class Objection(models.Model):
    """An objection lodged during the public notice, by anyone (no account needed) with a contact."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    contact_name = models.CharField(max_length=50)
    contact_phone = EncryptedTextField()
    contact_phone_hash = models.CharField(max_length=64, db_index=True)
    body = models.TextField(max_length=2000)
    lodged_at = models.DateTimeField(default=clock.now)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    status = models.CharField(max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    outcome = models.CharField(max_length=10, choices=ObjectionOutcome.choices, blank=True)
    answer = models.TextField(max_length=2000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(view_perm="recognition.view_nomination")

    class Meta:
        ordering = ["lodged_at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.status}"

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        q = scope_q(Nomination, grant)
        return None if q is None else through(q, "nomination")

    def scope_values(self):
        return scope_values(self.nomination)


class Listing(models.Model):
    """A nomination on the monthly or the yearly board (善行义举榜). `period_start`: the month's or the
    year's first day."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="listings")
    period = models.CharField(max_length=6, choices=Period.choices)
    period_start = models.DateField()
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    listed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-period_start", "id"]
        constraints = [models.UniqueConstraint(fields=["nomination", "period", "period_start"],
                                               name="uniq_listing_per_period")]
        indexes = [models.Index(fields=["period", "period_start"])]

    def __str__(self) -> str:
        return f"{self.period} {self.period_start}: {self.nomination_id}"
