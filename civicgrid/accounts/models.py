from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import ROLE_SPECS, Role, ScopeKind
from civicgrid.core import confcache, crypto
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Grant, Scope, ScopedQuerySet


def phone_lookup_hash(value: str) -> str:
    """The keyed hash an account's mobile number is found by (the same as a resident's: people.phone_hash)."""
    return crypto.lookup_hash(value, purpose="phone")


class DepartmentKind(models.TextChoices):
    DISTRICT = "district", _("区直部门")  # a department of the district government
    POLICE = "police", _("公安")  # the police sub-bureau and its stations
    ZONE = "zone", _("高新区部门")  # a department of the high-tech zone
    UTILITY = "utility", _("公共服务单位")  # water, power, gas, heating companies
    PRACTICE = "practice", _("文明实践阵地")  # a practice centre/institute/station: handles volunteer orders
    TEAM = "team", _("志愿服务队")  # a volunteer team: co-handles the orders it serves
    # a body outside the district (a city bureau, a bank): it has no accounts here; an officer records its
    # steps on a case on its behalf (cases.actions, `on_behalf_of`), and the recorder is audited
    EXTERNAL = "external", _("区外单位")


# kinds that handle volunteer orders only; case dispatch lists leave them out
VOLUNTEER_KINDS = (DepartmentKind.PRACTICE, DepartmentKind.TEAM)


class Department(models.Model):
    """A district department (区直部门) that handles cases and serves enterprises."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    short_name = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=12, choices=DepartmentKind.choices, default=DepartmentKind.DISTRICT)
    region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(region="region__code", department="id")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(ScopedQuerySet):
    def with_role(self, role: str):
        return self.filter(assignments__role=role, assignments__is_active=True).distinct()


class CivicUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Reach comes only from active RoleAssignments."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedTextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    objects = CivicUserManager()
    # Users are placed where their assignments are; the owner path lets everyone see themselves.
    scope = Scope(region="assignments__region__code", department="assignments__department_id", owner="id", distinct=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def scope_values(self) -> tuple[list[str], list[int], int | None]:
        assignments = self.active_assignments()
        codes = [a.region.code for a in assignments if a.region_id]
        departments = [a.department_id for a in assignments if a.department_id]
        # an account with no role yet (just created, or every role removed) belongs to the whole district:
        # the district's account administrators reach it (queries.users_for_admin lists it for them)
        return (codes if assignments else root_region_codes()), departments, self.pk

    def active_assignments(self) -> list[RoleAssignment]:
        """The user's active role assignments, from the configuration snapshot (an assignment change
        renews it; civicgrid.core.confcache) — one read per user per configuration, not per request."""
        cached = self.__dict__.get("_assignments")
        if cached is None:
            cached = confcache.current().get(("assignments", self.pk), self._load_assignments)
            self.__dict__["_assignments"] = cached
        return cached

    def _load_assignments(self) -> list[RoleAssignment]:
        """The active assignments with their region (without its boundary: a district's is large) and
        department, in one statement built once (accounts/sql.py): each API client's first request in a
        process pays for it."""
        from civicgrid.accounts import sql

        return sql.active_assignments(self)

    def role_codes(self) -> set[str]:
        return {a.role for a in self.active_assignments()}

    def has_role(self, role: str) -> bool:
        return role in self.role_codes()

    def grant_for(self, perm: str, own_only: frozenset[str] = frozenset()) -> Grant:
        """The reach for `perm`; the roles in `own_only` reach only their own rows (a model's
        `Scope.own_only_roles`: scoping.grant_for passes it)."""
        cache = self.__dict__.setdefault("_grants", {})
        key = (perm, own_only)
        if key not in cache:
            if self.pk is None:
                cache[key] = self._compute_grant(perm, own_only)
            else:  # derived from the snapshot's assignments, so kept with them: not worked out per request
                cache[key] = confcache.current().get(("grant", self.pk, perm, own_only, self.is_superuser),
                                                     lambda: self._compute_grant(perm, own_only))
        return cache[key]

    def _compute_grant(self, perm: str, own_only: frozenset[str] = frozenset()) -> Grant:
        if self.is_superuser:
            return Grant(unrestricted=True)
        codes: set[str] = set()
        departments: set[int] = set()
        own = None
        for assignment in self.active_assignments():
            spec = ROLE_SPECS.get(assignment.role)
            if spec is None or perm not in spec.perms:
                continue
            if assignment.role in own_only:  # this model keeps the role to its own rows
                own = self.pk
                continue
            if assignment.region_id:
                codes.add(assignment.region.code)
            if assignment.department_id:
                departments.add(assignment.department_id)
            if spec.scope == ScopeKind.SELF:
                own = self.pk
        # A code already covered by a shorter prefix adds nothing.
        kept = tuple(sorted(c for c in codes if not any(c != o and c.startswith(o) for o in codes)))
        return Grant(region_codes=kept, department_ids=tuple(sorted(departments)), own_user_id=own)

    def forget_grants(self) -> None:
        self.__dict__.pop("_grants", None)
        self.__dict__.pop("_assignments", None)


class RoleAssignment(models.Model):
    """User U holds role R over region X and/or department D."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=24, choices=Role.choices)
    region = models.ForeignKey("geo.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region", "department"], name="uniq_role_assignment"),
        ]
        indexes = [models.Index(fields=["role", "is_active"])]

    def __str__(self) -> str:
        where = self.region or self.department or "本人"
        return f"{self.user} · {self.get_role_display()} · {where}"


class ApiToken(models.Model):
    """Bearer token for the API: only a hash is stored; expiring and revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.user.is_active



def root_region_codes() -> list[str]:
    """The codes of the top regions (the district), from the configuration snapshot."""
    from civicgrid.geo.models import Region

    return confcache.current().get(("root_region_codes",),
                                   lambda: list(Region.objects.filter(parent=None).values_list("code", flat=True)))


class ActivationToken(models.Model):
    """A one-time link a new account's owner opens to set their own password: only a hash is kept; it
    expires, and it is used once (a newer link replaces the older ones)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # how it reached its owner: "sms" (sent to the account's phone) or "shown" (shown once to the administrator)
    delivery = models.CharField(max_length=8, default="sms")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.expires_at > now and self.user.is_active
