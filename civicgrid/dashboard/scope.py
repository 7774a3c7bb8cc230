"""Which dashboard a user may open: its kind, region or department and month, resolved through the
scoping chokepoint. A region or department outside the caller's reach is NotFound (404), as everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from civicgrid.cases.kpis import DEFAULT_FAMILY, FAMILIES
from civicgrid.core import errors
from civicgrid.core.scoping import grant_for, has_perm_anywhere
from civicgrid.dashboard import periods
from civicgrid.dashboard.registry import SCOPE_REGION_KINDS

KPI_PERM = "cases.view_kpis"
ZONE_PERM = "enterprises.view_zone"
VOLUNTEER_PERM = "volunteers.view_stats"
DISTRICT_CODE_LENGTH = 6
# roles whose work is one domain: they land on that domain's dashboard
DOMAIN_ROLES = {"zone": {"enterprise_officer"}, "volunteers": {"centre_admin", "station_admin"}}
FAMILY_LABELS = {"governance": "12345与城市治理", "volunteer": "志愿服务点单", "enterprise": "企业诉求",
                 "public_service": "政务服务", "all": "全部"}


@dataclass(frozen=True)
class Scope:
    kind: str
    user: Any
    month: date  # the period: this calendar month
    today: date
    region: Any = None  # geo.Region for the region kinds
    department: Any = None  # accounts.Department for the department kind
    family: str = DEFAULT_FAMILY  # the KPI family the case figures cover (cases.kpis.FAMILIES)

    @property
    def since(self) -> date:
        return self.month

    @property
    def until(self) -> date:
        return periods.last_of(self.month)

    @property
    def region_code(self) -> str:
        return self.region.code if self.region is not None else ""

    @property
    def department_code(self) -> str:
        return self.department.code if self.department is not None else ""

    @property
    def title(self) -> str:
        if self.region is not None:
            return self.region.name
        if self.department is not None:
            return self.department.name
        return {"zone": "高新区", "volunteers": "志愿服务"}.get(self.kind, "")

    def filters(self) -> dict:
        """The case filters of this scope's place (the case list's parameter names)."""
        out = {}
        if self.region_code:
            out["region"] = self.region_code
        if self.department_code:
            out["department"] = self.department_code
        return out

    def cases_url(self, tab: str = "all", *, period: tuple[date, date] | None = None, family: str | None = None,
                  **extra) -> str:
        """The case list with this scope's filters, its KPI family (or `family`) and a creation period: the
        records behind a figure."""
        params = {"tab": tab, **self.filters(), "family": self.family if family is None else family}
        if period is not None:
            params["since"], params["until"] = period[0].isoformat(), period[1].isoformat()
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return "/cases/?" + urlencode(params)

    def url(self, month: date | None = None) -> str:
        month = month or self.month
        query = f"?month={month:%Y-%m}" + (f"&family={self.family}" if self.family != DEFAULT_FAMILY else "")
        if self.region is not None:
            return f"/dashboard/region/{self.region.code}/{query}"
        if self.department is not None:
            return f"/dashboard/department/{self.department.code}/{query}"
        return f"/dashboard/{self.kind}/{query}"


def with_family(scope: Scope, family: str) -> str:
    from dataclasses import replace

    return replace(scope, family=family).url()


def _family(text: str | None) -> str:
    if not text:
        return DEFAULT_FAMILY
    if text != "all" and text not in FAMILIES:
        raise errors.ValidationFailed("未知的业务类别", code="unknown_family")
    return text


def _month(text: str | None, today: date) -> date:
    month = periods.parse_month(text, today)
    if month is None:
        raise errors.ValidationFailed("月份格式应为 YYYY-MM", code="month_invalid")
    return month


def region_scope(user, code: str, *, month: str | None, today: date, family: str | None = None) -> Scope:
    from civicgrid.geo.models import Region

    grant = grant_for(user, KPI_PERM)
    if not grant:
        raise errors.Forbidden()
    region = Region.objects.filter(code=code, is_active=True, level__in=SCOPE_REGION_KINDS).defer("boundary").first()
    if region is None or not grant.covers_code(region.code):
        raise errors.NotFound()
    return Scope(kind=region.level, user=user, month=_month(month, today), today=today, region=region,
                 family=_family(family))


def may_see_department(grant, department) -> bool:
    """Department dashboards: the department's own staff, and whoever reaches a whole district."""
    return (grant.unrestricted or department.pk in grant.department_ids
            or any(len(code) <= DISTRICT_CODE_LENGTH for code in grant.region_codes))


def department_scope(user, code: str, *, month: str | None, today: date, family: str | None = None) -> Scope:
    from civicgrid.accounts.models import Department

    grant = grant_for(user, KPI_PERM)
    if not grant:
        raise errors.Forbidden()
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None or not may_see_department(grant, department):
        raise errors.NotFound()
    return Scope(kind="department", user=user, month=_month(month, today), today=today, department=department,
                 family=_family(family))


def domain_scope(user, kind: str, *, month: str | None, today: date) -> Scope:
    perm = {"zone": ZONE_PERM, "volunteers": VOLUNTEER_PERM}.get(kind)
    if perm is None:
        raise errors.NotFound()
    if not has_perm_anywhere(user, perm):
        raise errors.Forbidden()
    return Scope(kind=kind, user=user, month=_month(month, today), today=today)


def home_url(user) -> str | None:
    """The dashboard a user lands on: the zone's for enterprise officers, the volunteer one for the centre
    and station admins; else their widest region, else their department, else the zone or the volunteer
    dashboard; None when they may open none."""
    from civicgrid.accounts.models import Department
    from civicgrid.geo.models import Region

    roles = {a.role for a in user.active_assignments()} if hasattr(user, "active_assignments") else set()
    if roles & DOMAIN_ROLES["zone"] and has_perm_anywhere(user, ZONE_PERM):
        return "/dashboard/zone/"
    if roles & DOMAIN_ROLES["volunteers"] and has_perm_anywhere(user, VOLUNTEER_PERM):
        return "/dashboard/volunteers/"
    grant = grant_for(user, KPI_PERM)
    if grant.unrestricted:
        # the root of the tree: a district, or the city (province) above many districts
        root = (Region.objects.filter(is_active=True, level__in=SCOPE_REGION_KINDS, parent__isnull=True)
                .only("code").order_by("code").first())
        if root is not None:
            return f"/dashboard/region/{root.code}/"
    if grant.region_codes:
        return f"/dashboard/region/{min(grant.region_codes, key=len)}/"
    if grant.department_ids:
        department = Department.objects.filter(pk__in=grant.department_ids).order_by("code").first()
        if department is not None:
            return f"/dashboard/department/{department.code}/"
    if has_perm_anywhere(user, ZONE_PERM):
        return "/dashboard/zone/"
    if has_perm_anywhere(user, VOLUNTEER_PERM):
        return "/dashboard/volunteers/"
    return None


def switcher(scope: Scope) -> dict:
    """Where the scope switcher may go: the region path within the caller's reach, the child regions,
    the departments (for those who may open department dashboards), the zone and volunteer dashboards."""
    from civicgrid.accounts.models import Department, DepartmentKind
    from civicgrid.geo.models import Region

    user = scope.user
    grant = grant_for(user, KPI_PERM)
    path, children = [], []
    if scope.region is not None:
        code = scope.region.code
        prefixes = [code[:n] for n in (2, 4, 6, 9, 12, 15) if n <= len(code)]
        path = [r for r in Region.objects.filter(code__in=prefixes).defer("boundary").order_by("code")
                if grant.covers_code(r.code)]
        children = list(Region.objects.filter(parent=scope.region, is_active=True, level__in=SCOPE_REGION_KINDS)
                        .defer("boundary").order_by("code"))
    departments = []
    if grant:
        departments = [d for d in Department.objects.filter(is_active=True).exclude(
            kind__in=[DepartmentKind.PRACTICE, DepartmentKind.TEAM]).order_by("code") if may_see_department(grant, d)]
    return {"path": path, "children": children, "departments": departments,
            "zone": has_perm_anywhere(user, ZONE_PERM), "volunteers": has_perm_anywhere(user, VOLUNTEER_PERM)}
