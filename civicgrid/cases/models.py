from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from civicgrid.cases.choices import (
    AgreementForm,
    Channel,
    ContactPreference,
    DepartmentRole,
    DisputeTier,
    FollowUpMethod,
    Satisfaction,
    SlaStatus,
    Urgency,
)
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Grant, Scope, ScopedManager


class WorkflowDefinition(models.Model):
    """A shipped workflow spec frozen as data. Cases pin one row, so editing a workflow (a new version)
    never changes a case in flight."""

    key = models.CharField(max_length=40)
    version = models.PositiveIntegerField()
    label = models.CharField(max_length=50)
    spec = models.JSONField()
    checksum = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="uniq_workflow_version")]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Category(models.Model):
    """A case category (事件/部件 class or social-governance category) with its handling rules."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    case_type = models.CharField(max_length=40)  # a workflow key
    default_department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filing_condition = models.CharField("立案条件", max_length=300, blank=True)
    closing_condition = models.CharField("结案条件", max_length=300, blank=True)
    # {state key: {"value": 4, "unit": "work_hours"}} overriding the workflow's default state SLAs
    limits = models.JSONField(default=dict, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    # extra questions, like Open311 attributes: [{"key", "label", "type", "required", "choices"}]
    questions = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RoutingRule(models.Model):
    """Region × category -> department. The most specific rule wins: the longest region code, then the
    longest category code; a blank region or category matches everything."""

    region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    co_departments = models.ManyToManyField("accounts.Department", blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        # blank region / category (NULL) counts as one value, so two "all categories" rules for one place
        # cannot both be saved, on SQLite and PostgreSQL alike (a plain unique constraint lets NULLs repeat)
        constraints = [models.UniqueConstraint(Coalesce("region", Value(0)), Coalesce("category", Value(0)),
                                               name="uniq_routing_rule")]

    def __str__(self) -> str:
        return f"{self.region or '*'} × {self.category or '*'} -> {self.department}"


class Case(models.Model):
    """One problem, dispute, request, hazard or hard case flowing through its pinned workflow.
    Only cases.actions writes `state`."""

    number = models.CharField(max_length=24, unique=True, null=True)  # public case number
    # Every intake writes each index of this table: single-column indexes that a composite index below
    # already leads with (case_type, is_open, department) are left out, and so is the workflow's.
    case_type = models.CharField(max_length=40)
    workflow = models.ForeignKey(WorkflowDefinition, on_delete=models.PROTECT, related_name="+", db_index=False)
    state = models.CharField(max_length=40, db_index=True)
    is_open = models.BooleanField(default=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=120)
    description = models.TextField()
    channel = models.CharField(max_length=12, choices=Channel.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    answers = models.JSONField(default=dict, blank=True)
    # where: the deepest region the locator found (or the one chosen), with the point and address given
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="cases",
                               db_index=False)  # (region, created_at) in Meta leads with it
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=200, blank=True)
    # who reported
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reported_cases", db_index=False)  # partial index in Meta
    reporter_name = models.CharField(max_length=50, blank=True)
    reporter_phone = EncryptedTextField(blank=True, default="")
    is_anonymous = models.BooleanField(default=False)
    contact_preference = models.CharField(max_length=10, choices=ContactPreference.choices,
                                          default=ContactPreference.ONLINE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # who handles
    department = models.ForeignKey("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="cases", db_index=False)
    co_departments = models.ManyToManyField("accounts.Department", through="CaseDepartment", related_name="+")
    routing = models.JSONField(default=dict, blank=True)  # why it was routed here
    # clock
    state_entered_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True, db_index=False)  # partial index in Meta
    # the moment the case turns 即将超期: state_entered_at + SLA_WARN_RATIO × (due_at − state_entered_at),
    # set with every deadline (cases.sla.refresh). The live status reads due_at, warn_at and the clock.
    warn_at = models.DateTimeField(null=True, blank=True)
    # the status as of the case's last write or SLA sweep: the sweep's memory of what it has announced
    # (催办/督办) — never shown or filtered on; read `sla_status` (live) instead
    recorded_sla_status = models.CharField(max_length=10, choices=SlaStatus.choices, default=SlaStatus.NORMAL)
    was_overdue = models.BooleanField(default=False)  # ever overdue (for 按期 rates)
    # mechanisms, counted for KPIs
    is_supervised = models.BooleanField(default=False)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    rework_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)
    pending_extension_until = models.DateTimeField(null=True, blank=True)
    held_due_at = models.DateTimeField(null=True, blank=True)  # the deadline an extension request would move
    # a deadline set by the `deadline` fact of a clock-starting move (e.g. 整改期限); it governs every state
    # until a clock-stopping move, instead of the states' default limits
    agreed_due_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)  # first sign-off by a handler
    responded_in_time = models.BooleanField(null=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_in_time = models.BooleanField(null=True)
    satisfaction = models.PositiveSmallIntegerField(choices=Satisfaction.choices, null=True, blank=True)
    resolved = models.BooleanField(null=True)  # "solved" at the last follow-up
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                                    db_index=False)  # partial index in Meta
    # per-case dispute facts
    risk_level = models.CharField(max_length=10, blank=True)
    complexity = models.CharField(max_length=10, blank=True)
    # audit chain head and optimistic version
    event_count = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope = Scope(region="region__code", department="department_id", owner="reporter_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case_type", "state"]),
            models.Index(fields=["department", "is_open"]),
            # a place's cases over a period (a district's month export, a street's history) read one range
            # per region of the place, whatever the years of history around it (bench/city.py)
            models.Index(fields=["region", "created_at"], name="case_region_created"),
            # the worklists of a street or a grid: its open cases, newest first, without its closed history
            models.Index(fields=["region", "created_at"], condition=models.Q(is_open=True), name="case_open_region"),
            # the live SLA counts and lists: open cases past their deadline / their warning moment
            models.Index(fields=["due_at"], condition=models.Q(is_open=True), name="case_open_due"),
            # what the clock has moved since a case's status was recorded (kpis.moved_q, the SLA sweep):
            # few rows once the sweep has run, so the live counts read them without a scan
            models.Index(fields=["due_at"], name="case_unswept_due",
                         condition=models.Q(is_open=True, recorded_sla_status__in=["normal", "due_soon"])),
            models.Index(fields=["warn_at"], name="case_unswept_warn",
                         condition=models.Q(is_open=True, recorded_sla_status="normal")),
            # the duplicate check on every intake: open cases of one category in a latitude band
            models.Index(fields=["category", "lat"], condition=models.Q(is_open=True), name="case_open_category_lat"),
            # only the rows that have one: hotline, police and system cases have no reporter account, and
            # almost no case is merged, so an intake writes neither index (`x = %s` implies `x IS NOT NULL`
            # to both databases' planners, so look-ups still use them)
            models.Index(fields=["reporter"], condition=models.Q(reporter__isnull=False), name="case_reporter"),
            models.Index(fields=["merged_into"], condition=models.Q(merged_into__isnull=False),
                         name="case_merged_into"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # --- the live SLA status: deadlines and the clock at read time, never a stored value -------------

    def sla_status_at(self, now) -> str:
        """正常 / 即将超期 / 超期 at `now`: overdue once `now` is past the deadline, due soon from the
        warning moment on; a closed case or one without a deadline is normal."""
        if not self.is_open or self.due_at is None:
            return SlaStatus.NORMAL
        if now > self.due_at:
            return SlaStatus.OVERDUE
        if self.warn_at is not None and now >= self.warn_at:
            return SlaStatus.DUE_SOON
        return SlaStatus.NORMAL

    @property
    def sla_status(self) -> str:
        from civicgrid.core import clock

        return self.sla_status_at(clock.now())

    @property
    def sla_label(self) -> str:
        return str(SlaStatus(self.sla_status).label)  # a plain string: API schemas refuse lazy text

    @staticmethod
    def overdue_q(now) -> Q:
        """The cases `sla_status_at(now)` calls overdue, as a filter."""
        return Q(is_open=True, due_at__lt=now)

    @staticmethod
    def due_soon_q(now) -> Q:
        """The cases `sla_status_at(now)` calls due soon, as a filter."""
        return Q(is_open=True, warn_at__lte=now, due_at__gte=now)

    @staticmethod
    def sla_status_q(status: str, now) -> Q:
        if status == SlaStatus.OVERDUE:
            return Case.overdue_q(now)
        if status == SlaStatus.DUE_SOON:
            return Case.due_soon_q(now)
        return ~(Case.overdue_q(now) | Case.due_soon_q(now))

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        """Region prefixes, main or co-handling departments, or the reporter's own cases."""
        parts = [Q(region__code__startswith=code) for code in grant.region_codes]
        if grant.department_ids:
            parts.append(Q(department_id__in=grant.department_ids))
            parts.append(Q(id__in=CaseDepartment.objects.filter(department_id__in=grant.department_ids)
                           .values("case_id")))
        if grant.own_user_id:
            parts.append(Q(reporter_id=grant.own_user_id))
        if not parts:
            return None
        q = parts[0]
        for part in parts[1:]:
            q |= part
        return q

    def scope_values(self, departments: bool = True) -> tuple[list[str], list[int], int | None]:
        """The co-handling departments cost a query: left out when `departments` is False (a grant
        without departments, core.scoping.in_grant)."""
        ids = [self.department_id] if self.department_id else []
        if self.pk and departments:
            from civicgrid.cases import sql

            ids += sql.case_department_ids(self.pk)  # built once: asked of every case a department's grant meets
        return [self.region.code], ids, self.reporter_id


class CaseDepartment(models.Model):
    """A department handling a case: 主办 (main, also on Case.department) or 协办 (co-handling). A co-handling
    department may carry its own task and deadline (the `assign_tasks` effect) and report it done
    (`complete_task`; for an external department an officer records it, `done_by`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_departments")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=6, choices=DepartmentRole.choices, default=DepartmentRole.CO)
    task = models.CharField(max_length=200, blank=True)  # what this department is asked to do (协办任务)
    due_at = models.DateTimeField(null=True, blank=True)  # its own deadline
    done_at = models.DateTimeField(null=True, blank=True)
    done_in_time = models.BooleanField(null=True)
    result = models.TextField(blank=True)  # its feedback (协办反馈)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")  # who reported it: its own staff, or the recording officer

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="uniq_case_department")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department_id} {self.role}"


class CaseEvent(models.Model):
    """Append-only timeline, hash-chained per case: hash = sha256(prev_hash + canonical event)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=100, blank=True)
    actor_role = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="uniq_case_event_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


class Attachment(models.Model):
    """A photo or document on a case: from the intake (no event), added on its own (an `attach` event), or
    the evidence of a workflow step — uploaded first (`pending`), then bound to the step's event."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    lat = models.FloatField(null=True, blank=True)  # from the photo's EXIF, before it was stripped
    lng = models.FloatField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    name = models.CharField(max_length=120, blank=True)  # the file name as sent (shown for documents)
    pending = models.BooleanField(default=False)  # uploaded as a step's evidence, the step not yet taken

    def __str__(self) -> str:
        return self.file.name

    @property
    def is_photo(self) -> bool:
        return self.content_type.startswith("image/")


class FollowUp(models.Model):
    """回访: contacting the requester after handling, with a 5-level rating."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    method = models.CharField(max_length=10, choices=FollowUpMethod.choices)
    contacted = models.BooleanField(default=True)
    resolved = models.BooleanField(null=True)
    satisfaction = models.PositiveSmallIntegerField(choices=Satisfaction.choices, null=True)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_method_display()}"


class MediationSession(models.Model):
    """调解笔录: one mediation session of a dispute — who took part, what was said, at which tier."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediation_sessions")
    held_at = models.DateTimeField(default=timezone.now)
    tier = models.CharField(max_length=10, choices=DisputeTier.choices, default=DisputeTier.COMMUNITY)
    parties = models.JSONField(default=list)  # the parties' names, in the order given
    notes = models.TextField()
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    mediator_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"


class MediationAgreement(models.Model):
    """调解协议: what the parties agreed when a mediation succeeded, written or oral (口头协议 recorded
    by the mediator). A dispute mediated again after a failed follow-up may reach another one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediation_agreements")
    form = models.CharField(max_length=10, choices=AgreementForm.choices)
    text = models.TextField()
    parties = models.JSONField(default=list)
    reached_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["reached_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_form_display()}"


class Notification(models.Model):
    """In-app inbox entry; SMS copies go through the configured gateway after commit."""

    # indexed by Meta's (user, read_at), which serves every look-up by user
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             db_index=False)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text


class CaseStatCounters(models.Model):
    """The KPI counters one case adds to a rollup row (cases.kpis.contribution; docs/kpis.md)."""

    department_key = models.IntegerField(default=0)  # main department id, 0 = none
    case_type = models.CharField(max_length=40)
    category_key = models.CharField(max_length=2, default="", blank=True)  # top-level category code, "" = none
    created = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    response_due = models.IntegerField(default=0)
    responded_in_time = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_in_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)
    followed_up = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    resolution_known = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)  # sum over closed cases of closed_at - created_at
    dispute_concluded = models.IntegerField(default=0)
    dispute_resolved = models.IntegerField(default=0)
    dispute_mediated = models.IntegerField(default=0)  # concluded, with a mediation session on record
    dispute_written = models.IntegerField(default=0)  # resolved, with a written agreement on record
    # open cases, and those whose recorded status is 即将超期 / 超期 (reads add the clock's moves since)
    open = models.IntegerField(default=0)
    open_due_soon = models.IntegerField(default=0)
    open_overdue = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyCaseStat(CaseStatCounters):
    """Incrementally maintained KPI counters per (day the case was created, grid, department, case type,
    top-level category).

    Every case action moves the case's contribution from its old row/values to the new ones in the same
    transaction (cases.kpis), so KPIs read rollup rows, not millions of cases.
    `rebuild_kpi_rollups` recomputes them from the cases; a test checks both agree.
    """

    day = models.DateField()
    region_code = models.CharField(max_length=15)  # the case's grid code (or a shorter code above grids)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "region_code", "department_key", "case_type", "category_key"],
                                    name="uniq_daily_case_stat"),
        ]
        indexes = [models.Index(fields=["region_code", "day"]), models.Index(fields=["department_key", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.region_code} {self.case_type}"


class MonthlyCaseStat(CaseStatCounters):
    """The same counters per (month the case was created, region at every level, department, case type,
    category): a case adds to its district's, street's, community's and grid's row, so a district's
    figures for a year read a few hundred rows at any volume. Maintained with the daily rows."""

    month = models.DateField()  # the first day of the month
    region_code = models.CharField(max_length=15)  # a district, street, community or grid code
    depth = models.PositiveSmallIntegerField()  # len(region_code): 6 district, 9 street, 12 community, 15 grid

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "region_code", "department_key", "case_type", "category_key"],
                                    name="uniq_monthly_case_stat"),
        ]
        indexes = [models.Index(fields=["region_code", "month"], name="cases_month_region__idx"),
                   models.Index(fields=["depth", "month"], name="cases_month_depth_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_code} {self.case_type}"
