"""Where a case goes: location -> grid and its workers; region × category -> department.

The most specific routing rule wins: first the longest category code (a rule for 0102 beats one for 01
beats one for every category), then the longest region code (a street's rule beats the district's).
Without a rule the category's default department is used; without that the dispatcher decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from civicgrid.accounts.models import Department, RoleAssignment
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.geo.models import Region


@dataclass
class Route:
    department: Department | None
    co_departments: list[Department] = field(default_factory=list)
    explanation: dict = field(default_factory=dict)
    worker_ids: list[int] = field(default_factory=list)  # grid and micro-grid workers of the place


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in range(1, len(code) + 1)]


FIELD_ROLES = ("micro_grid_worker", "grid_worker")


def responsible_workers(region: Region) -> tuple[dict[str, list[str]], list[int]]:
    """Usernames of the workers whose assignment covers the case's place, per role, and the user ids of
    its grid and micro-grid workers (who are told about a new case there)."""
    chain = region.ancestor_codes() + [region.code]
    rows = (RoleAssignment.objects.filter(is_active=True, user__is_active=True, region__code__in=chain,
                                          role__in=[*FIELD_ROLES, "community_admin", "street_admin"])
            .values_list("role", "user__username", "user_id").order_by("role", "user__username"))
    out: dict[str, list[str]] = {}
    field_ids = []
    for role, username, user_id in rows:
        out.setdefault(role, []).append(username)
        if role in FIELD_ROLES:
            field_ids.append(user_id)
    return out, field_ids


def matching_rules(region: Region, category: Category | None):
    """The active rules that apply to a place and category (any specificity), unordered."""
    region_codes = region.ancestor_codes() + [region.code]
    rules = RoutingRule.objects.filter(is_active=True).filter(Q(region__isnull=True) | Q(region__code__in=region_codes))
    if category is not None:
        rules = rules.filter(Q(category__isnull=True) | Q(category__code__in=_prefixes(category.code)))
    else:
        rules = rules.filter(category__isnull=True)
    return rules.select_related("region", "category", "department").prefetch_related("co_departments")


def specificity(rule: RoutingRule) -> tuple[int, int]:
    """How specific a rule is: (category code length, region code length); a blank side counts 0."""
    return (len(rule.category.code) if rule.category_id else 0, len(rule.region.code) if rule.region_id else 0)


def route(region: Region, category: Category | None) -> Route:
    best = max(matching_rules(region, category), key=specificity, default=None)
    workers, worker_ids = responsible_workers(region)
    explanation = {
        "region": {"code": region.code, "name": region.name},
        "grid": region.code[:15] if len(region.code) >= 15 else None,
        "workers": workers,
    }
    if best is not None:
        explanation["rule"] = {
            "id": best.pk,
            "region": best.region.code if best.region_id else None,
            "category": best.category.code if best.category_id else None,
            "department": best.department.name,
        }
        explanation["reason"] = (
            f"派遣规则:{best.region.name if best.region_id else '全区'} × "
            f"{best.category.name if best.category_id else '全部类别'} → {best.department.name}"
        )
        return Route(best.department, list(best.co_departments.all()), explanation, worker_ids)
    if category is not None and category.default_department_id:
        explanation["reason"] = f"类别“{category.name}”的默认承办部门:{category.default_department.name}"
        return Route(category.default_department, [], explanation, worker_ids)
    explanation["reason"] = "无匹配的派遣规则,由指挥中心人工派遣"
    return Route(None, [], explanation, worker_ids)
