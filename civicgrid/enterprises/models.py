"""The high-tech zone (一区多园) and its enterprises: parks, the enterprise registry, yearly metrics,
qualifications with expiry reminders, patents, pre-check rule sets and reports, and the approvals
catalogue.

Reach. An enterprise is placed in its park: an `enterprise_officer` assigned to a park's office
department sees that park's enterprises; one assigned to any of the zone's departments (`Zone.departments`)
sees the whole zone; a region grant (the leader's district) covering the zone's region sees all of it; an
`enterprise_contact` sees the enterprises they are a contact of (`EnterpriseContact`). Every record about
an enterprise (metrics, qualifications, patents, reports) follows its enterprise (`through`).
"""

from __future__ import annotations

from datetime import date
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q

from civicgrid.core import clock
from civicgrid.core.scoping import Grant, Scope, ScopedManager, ScopedQuerySet, through
from civicgrid.enterprises.choices import (
    HELD_STATUSES,
    ApprovalMode,
    Currency,
    EnterpriseStatus,
    Exchange,
    HighTechField,
    IpClass,
    ListingBoard,
    Ownership,
    ParkTheme,
    PatentKind,
    PatentStatus,
    QualificationLevel,
    QualificationStatus,
    SizeClass,
)

VIEW = "enterprises.view_enterprise"


class Zone(models.Model):
    """The high-tech zone (高新技术产业开发区): its region, its departments and reference figures."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="+")  # the zone's street-level node
    established_on = models.DateField(null=True, blank=True)
    departments = models.ManyToManyField("accounts.Department", blank=True, related_name="zones")  # 管委会 departments
    # the city's valid invention patents (a configured reference figure: the zone's share is computed against it)
    city_valid_invention_patents = models.PositiveIntegerField(null=True, blank=True)
    city_figure_as_of = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def area_on(self, day: date) -> ZoneArea | None:
        return self.areas.filter(effective_from__lte=day).order_by("-effective_from").first()


class ZoneArea(models.Model):
    """The zone's planned area from a date on (configuration with history: 4.3 km² at founding → 31.04 km²)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="areas")
    effective_from = models.DateField()
    area_km2 = models.DecimalField(max_digits=8, decimal_places=2)
    basis = models.CharField(max_length=200, blank=True)  # the approval that set it
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["zone", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["zone", "effective_from"], name="uniq_zone_area_date")]

    def __str__(self) -> str:
        return f"{self.zone_id} {self.effective_from} {self.area_km2} km²"


class Park(models.Model):
    """The core area or a themed park of the zone (一区多园), with its boundary (GeoJSON, WGS84) and the
    department row of its service office (the reach of the officers serving it)."""

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="parks")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    theme = models.CharField(max_length=20, choices=ParkTheme.choices)
    office = models.OneToOneField("accounts.Department", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="park")
    boundary = models.JSONField(null=True, blank=True)
    area_m2 = models.FloatField(null=True, blank=True)
    center_lng = models.FloatField(null=True, blank=True)
    center_lat = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


def _zone_department_parks(department_ids) -> models.QuerySet:
    """Parks of the zones whose departments are among `department_ids` (the whole zone's reach)."""
    return Park.objects.filter(zone__departments__id__in=list(department_ids)).values("id")


class Enterprise(models.Model):
    """One enterprise of the zone, keyed by its unified social credit code (GB 32100-2015)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField(max_length=200)
    former_names = models.JSONField(default=list, blank=True)
    legal_rep = models.CharField(max_length=50, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    registered_capital = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)  # in `currency`
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.CNY)
    ownership = models.CharField(max_length=16, choices=Ownership.choices, default=Ownership.DOMESTIC)
    address = models.CharField(max_length=200, blank=True)
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="enterprises")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    industry_code = models.CharField(max_length=5)  # GB/T 4754-2017 (enterprises.industry)
    hightech_field = models.CharField(max_length=24, choices=HighTechField.choices, blank=True)
    size_class = models.CharField(max_length=8, choices=SizeClass.choices, blank=True)  # from the latest metrics
    is_above_size = models.BooleanField(default=False)  # 规模以上
    listing_board = models.CharField(max_length=12, choices=ListingBoard.choices, blank=True)
    exchange = models.CharField(max_length=6, choices=Exchange.choices, blank=True)
    stock_code = models.CharField(max_length=12, blank=True)
    # credit flags (non-public: reads are audit-logged)
    is_abnormal_operation = models.BooleanField(default=False)  # 经营异常名录
    is_serious_violation = models.BooleanField(default=False)  # 严重违法失信名单
    status = models.CharField(max_length=14, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW)  # see scope_filter

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["park", "status"]), models.Index(fields=["industry_code"])]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        """A region grant covering the zone; the park's office or a zone department; the contact's own."""
        parts = [Q(park__zone__region__code__startswith=code) for code in grant.region_codes]
        if grant.department_ids:
            parts.append(Q(park__office_id__in=grant.department_ids))
            parts.append(Q(park_id__in=_zone_department_parks(grant.department_ids)))
        if grant.own_user_id:
            parts.append(Q(id__in=EnterpriseContact.objects.filter(user_id=grant.own_user_id, is_active=True)
                           .values("enterprise_id")))
        return reduce(or_, parts) if parts else None

    def scope_values(self, departments: bool = True) -> tuple[list[str], list[int], frozenset[int]]:
        """The zone's region, the park office and the zone's departments (left out when `departments` is
        False: a grant without departments, core.scoping.in_grant), and the contacts (several users:
        `core.scoping.in_grant` accepts a set of owners)."""
        if type(self).park.is_cached(self):  # loaded with the enterprise (pages select it): read no more of it
            park = self.park
            code = park.zone.region.code
            ids = _departments(park.office_id, park.zone_id) if departments else []
        else:
            code, ids = _park_scope(departments, park_id=self.park_id)
        return [code], ids, _contact_users(self.pk) if self.pk else frozenset()

    @staticmethod
    def scope_values_of(enterprise_id: int, departments: bool = True) -> tuple[list[str], list[int], frozenset[int]]:
        """`scope_values()` of the enterprise with this id, without loading it: what records that follow an
        enterprise (projects, subsidy applications) answer on every scoped action."""
        code, ids = _park_scope(departments, enterprise_id=enterprise_id)
        return [code], ids, _contact_users(enterprise_id)

    @property
    def is_listed(self) -> bool:
        return self.listing_board not in ("", ListingBoard.NEEQ)


def _park_scope(departments: bool = True, *, enterprise_id: int | None = None,
                park_id: int | None = None) -> tuple[str, list[int]]:
    """(zone region code, [park office, zone departments]) of the enterprise's park, or of the park: ids only,
    in two small reads built once (enterprises/sql.py); only the first when `departments` is False (the list
    is then empty). Park.DoesNotExist when there is none."""
    from civicgrid.enterprises import sql

    found = sql.park_scope(enterprise_id=enterprise_id, park_id=park_id)
    if found is None:
        raise Park.DoesNotExist(f"no park for enterprise {enterprise_id} / park {park_id}")
    office_id, zone_id, code = found
    return code, _departments(office_id, zone_id) if departments else []


def _departments(office_id: int | None, zone_id: int) -> list[int]:
    """The park office, then the zone's departments."""
    from civicgrid.enterprises import sql

    return ([office_id] if office_id else []) + sql.zone_department_ids(zone_id)


def _contact_users(enterprise_id: int) -> frozenset[int]:
    from civicgrid.enterprises import sql

    return sql.contact_user_ids(enterprise_id)


class _FollowsEnterprise(models.Model):
    """Reach follows the enterprise."""

    objects = ScopedManager()
    scope = Scope(view_perm=VIEW)

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, grant: Grant) -> Q | None:
        q = Enterprise.scope_filter(grant)
        return None if q is None else through(q, "enterprise")

    def scope_values(self, departments: bool = True):
        return Enterprise.scope_values_of(self.enterprise_id, departments)


class EnterpriseContact(models.Model):
    """A user with the enterprise_contact role who acts for the enterprise (many per enterprise)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_contacts")
    title = models.CharField(max_length=50, blank=True)  # 职务
    is_active = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "user"], name="uniq_enterprise_contact")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.enterprise_id}"


class YearMetrics(_FollowsEnterprise):
    """One enterprise's figures for one year (yuan, persons), with who reported them and when."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="metrics")
    year = models.PositiveSmallIntegerField()
    revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)  # 营业收入
    hightech_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)  # 高新技术产品(服务)收入
    main_business_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    total_assets = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    net_assets = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    total_liabilities = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    rd_expense = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)  # 研发费用总额
    rd_expense_domestic = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)  # 其中境内
    staff = models.PositiveIntegerField(null=True, blank=True)  # 职工总数
    tech_staff = models.PositiveIntegerField(null=True, blank=True)  # 科技人员
    rd_staff = models.PositiveIntegerField(null=True, blank=True)  # 研发人员
    patents_applied = models.PositiveIntegerField(null=True, blank=True)  # 当年专利申请
    tax_paid = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)  # 纳税
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["enterprise", "-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_enterprise_year")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year}"


class QualificationKind(models.Model):
    """A kind of qualification (高新技术企业, 专精特新 …): admins add kinds; `validity_years` sets the
    default valid-until of a new certificate (None: no fixed term)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    level = models.CharField(max_length=10, choices=QualificationLevel.choices)
    validity_years = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class QualificationQuerySet(ScopedQuerySet):
    def valid_on(self, day: date):
        """Held on `day`: recognised (or under review), issued by then and not yet expired."""
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), status__in=HELD_STATUSES,
                           issued_on__lte=day)


class Qualification(_FollowsEnterprise):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.ForeignKey(QualificationKind, on_delete=models.PROTECT, related_name="qualifications")
    certificate_no = models.CharField(max_length=60, blank=True)  # 证书编号 / 入库编号
    issuer = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    batch = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=14, choices=QualificationStatus.choices,
                              default=QualificationStatus.RECOGNISED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "kind__sort", "-issued_on"]
        indexes = [models.Index(fields=["kind", "status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.certificate_no}"

    def is_valid_on(self, day: date) -> bool:
        return (self.status in HELD_STATUSES and self.issued_on <= day
                and (self.valid_until is None or self.valid_until >= day))

    def days_left(self, day: date) -> int | None:
        return None if self.valid_until is None else (self.valid_until - day).days


class QualificationReminder(models.Model):
    """One expiry reminder sent: the unique constraint makes a second run of the task send nothing."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="reminders")
    threshold_days = models.PositiveSmallIntegerField()
    valid_until = models.DateField()  # a renewed certificate (new valid-until) gets its own reminders
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["qualification", "threshold_days", "valid_until"],
                                               name="uniq_qualification_reminder")]

    def __str__(self) -> str:
        return f"{self.qualification_id} -{self.threshold_days}d"


class PatentQuerySet(ScopedQuerySet):
    def granted_by(self, day: date):
        return self.filter(granted_on__isnull=False, granted_on__lte=day)

    def valid_on(self, day: date):
        """Granted by `day` and not ended before it (lapsed, expired or transferred away later)."""
        return self.granted_by(day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class Patent(_FollowsEnterprise):
    """A patent or other IP right of an enterprise; `ended_on` is when it stopped being the enterprise's
    valid right (lapse, expiry, transfer), so counts can be taken for any date."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="patents")
    kind = models.CharField(max_length=20, choices=PatentKind.choices)
    number = models.CharField(max_length=40)  # normalised by patentno.validate
    title = models.CharField(max_length=200)
    applied_on = models.DateField(null=True, blank=True)
    granted_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=PatentStatus.choices, default=PatentStatus.VALID)
    ended_on = models.DateField(null=True, blank=True)
    ip_class = models.CharField(max_length=2, choices=IpClass.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    objects = PatentQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-granted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="uniq_patent_number")]
        indexes = [models.Index(fields=["kind", "granted_on"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class RuleSetVersion(models.Model):
    """One published version of a pre-check rule set (JSON checked by precheck.spec.parse_ruleset).
    The newest version of a tier is the one used; reports keep the version they were computed with."""

    tier = models.CharField(max_length=40)  # the rule set's id, e.g. "high_tech_enterprise"
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    rules = models.JSONField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(default=clock.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["tier", "-version"]
        constraints = [models.UniqueConstraint(fields=["tier", "version"], name="uniq_ruleset_version")]

    def __str__(self) -> str:
        return f"{self.tier} v{self.version}"


class PrecheckReport(_FollowsEnterprise):
    """A stored pre-check of one enterprise against one rule-set version."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="precheck_reports")
    ruleset = models.ForeignKey(RuleSetVersion, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=20)
    distance = models.FloatField(null=True, blank=True)  # how far from eligible (ranking): 0 = eligible
    result = models.JSONField()  # the engine's report: criteria with outcome, value, threshold, gap, data to collect
    facts = models.JSONField()  # the facts it was computed from
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    computed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "ruleset"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.ruleset_id} {self.status}"


class ApprovalItem(models.Model):
    """An approval item delegated to the zone (赋权事项): public catalogue data."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=40, blank=True)  # 投资项目 / 建设工程 / 市场准入 …
    legal_basis = models.TextField(blank=True)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="approval_items")
    statutory_days = models.PositiveSmallIntegerField(null=True, blank=True)  # 法定时限(工作日)
    promised_days = models.PositiveSmallIntegerField(null=True, blank=True)  # 承诺时限(工作日)
    materials = models.JSONField(default=list, blank=True)  # list of material names
    fee = models.CharField(max_length=100, blank=True)  # "不收费" or the fee rule
    mode = models.CharField(max_length=8, choices=ApprovalMode.choices, default=ApprovalMode.BOTH)
    appointment_service = models.CharField(max_length=100, blank=True)  # linked appointment service code
    delegated_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
