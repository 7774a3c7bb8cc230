"""Infrastructure tables only: the audit log, idempotency keys and the working-day calendar. No domain
models live in core."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    OK = "ok", _("成功")  # the action or read happened
    DENIED = "denied", _("拒绝")  # refused by the permission check; nothing changed
    FAILED = "failed", _("失败")  # refused by validation or a rule; nothing changed


class AuditEvent(models.Model):
    """Append-only record of every write and every read of sensitive personal data (等保 AUD-1/AUD-2).

    Rows are hash-chained: `hash = sha256(prev_hash + canonical row)`, so a deleted or edited row breaks
    the chain that `civicgrid verify_audit` checks.
    """

    ts = models.DateTimeField(db_index=True)
    # indexed by (actor, ts) below; a second index on actor alone would only slow every write down
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=300, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.CharField(max_length=300, blank=True)  # sensitive fields read or changed
    result = models.CharField(max_length=10, choices=AuditResult.choices, default=AuditResult.OK)
    reason = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "ts"])]

    def __str__(self) -> str:
        return f"{self.ts:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.result}"


class AuditChainHead(models.Model):
    """One row, locked while appending, so concurrent writers cannot fork the hash chain."""

    last_hash = models.CharField(max_length=64, blank=True)
    # the hash before last_hash: written by each append so that PostgreSQL's one-statement append can
    # return the new row's prev_hash (RETURNING sees only new values); never read as input
    prev_hash = models.CharField(max_length=64, blank=True, default="", db_default="")

    def __str__(self) -> str:
        return self.last_hash[:12]


class IdempotencyKey(models.Model):
    """A create that a phone may retry records its key here with what it created."""

    key = models.CharField(max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    # SHA-256 of the request's canonical body (core.idempotency.fingerprint): the same key with another
    # body is refused. Blank on keys stored before bodies were hashed.
    body_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor", "action", "key"], name="uniq_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.action}:{self.key}"


class CalendarSource(models.TextChoices):
    SEED = "seed", _("节假日安排")  # from the chinesecalendar package (State Council notices)
    ADMIN = "admin", _("管理员设置")  # set by a system administrator; reseeding never overwrites it


class CalendarDay(models.Model):
    """One date whose working status differs from the Monday–Friday default: a holiday on a weekday
    (国庆节) or an adjusted working day on a weekend (调休上班). Dates without a row follow the default.
    `civicgrid.core.calendars.load_calendar()` turns the rows into the WorkCalendar that SLA deadlines use."""

    # "" for the national table (the State Council's schedule); a district's 6-digit code for that
    # district's own override of the date (a city root has districts with local holidays)
    region_code = models.CharField(max_length=6, blank=True, default="")
    date = models.DateField()
    is_workday = models.BooleanField()
    name = models.CharField(max_length=50, blank=True)  # 国庆节, 调休上班(国庆节)
    source = models.CharField(max_length=8, choices=CalendarSource.choices, default=CalendarSource.SEED)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["region_code", "date"]
        constraints = [models.UniqueConstraint(fields=["region_code", "date"], name="uniq_calendar_day")]

    def __str__(self) -> str:
        where = f"[{self.region_code}] " if self.region_code else ""
        return f"{where}{self.date:%Y-%m-%d} {'上班' if self.is_workday else '休息'} {self.name}"


class ConfigVersion(models.Model):
    """One row whose token changes (a fresh random value) whenever configuration that hot paths cache
    changes: categories, routing rules, departments, role assignments, regions, the calendar. See
    `civicgrid.core.confcache`. A random token, not a counter, so a rolled-back change never reuses one."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
