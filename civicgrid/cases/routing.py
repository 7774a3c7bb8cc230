"""Where a case goes: location -> grid and its workers; region × category -> department.

The most specific routing rule wins: first the longest category code (a rule for 0102 beats one for 01
beats one for every category), then the longest region code (a street's rule beats the district's). Under
a city root each district keeps its own table: rules placed on that district and its streets; a rule with
no region applies in every district.
Without a rule the category's default department is used; without that the dispatcher decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from civicgrid.accounts.models import Department, RoleAssignment
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.core import confcache
from civicgrid.geo.choices import district_code
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


PLACE_ROLES = (*FIELD_ROLES, "community_admin", "street_admin")


def place_assignments() -> dict[str, list[tuple[str, str, int, str]]]:
    """{region code: [(role, username, user id, display name)]} of every active field worker and
    community/street admin: one read per configuration snapshot instead of one per intake."""
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    rows = (RoleAssignment.objects.filter(is_active=True, user__is_active=True, region__isnull=False,
                                          role__in=PLACE_ROLES)
            .values_list("region__code", "role", "user__username", "user_id", "user__display_name"))
    for code, role, username, user_id, display_name in rows:
        out.setdefault(code, []).append((role, username, user_id, display_name))
    return out


def display_names(snapshot: confcache.Snapshot | None = None) -> dict[str, str]:
    """{username: display name} of the workers a routing record can name (Case.routing keeps usernames, an
    internal record; people are shown display names only)."""
    snapshot = snapshot or confcache.current()
    return snapshot.get("worker_display_names", lambda: {
        username: name for rows in snapshot.get("place_assignments", place_assignments).values()
        for _, username, _, name in rows if name})


def responsible_workers(region: Region, snapshot: confcache.Snapshot | None = None
                        ) -> tuple[dict[str, list[str]], list[int]]:
    """Usernames of the workers whose assignment covers the case's place, per role, and the user ids of
    its grid and micro-grid workers (who are told about a new case there)."""
    by_region = (snapshot or confcache.current()).get("place_assignments", place_assignments)
    rows = sorted(row for code in [*region.ancestor_codes(), region.code] for row in by_region.get(code, ()))
    out: dict[str, list[str]] = {}
    field_ids = []
    for role, username, user_id, _ in rows:
        out.setdefault(role, []).append(username)
        if role in FIELD_ROLES:
            field_ids.append(user_id)
    return out, field_ids


def active_rules() -> list[RoutingRule]:
    """Every active rule with what matching and explaining need, in id order."""
    return list(RoutingRule.objects.filter(is_active=True).select_related("region", "category", "department")
                .prefetch_related("co_departments").order_by("pk"))


def matching_rules(region: Region, category: Category | None, snapshot: confcache.Snapshot | None = None):
    """The active rules that apply to a place and category (any specificity), in id order. The table is
    small and read on every intake, so it is matched in memory from the configuration snapshot."""
    snapshot = snapshot or confcache.current()
    region_codes = set(region.ancestor_codes() + [region.code])
    category_codes = set(_prefixes(category.code)) if category is not None else set()
    return [rule for rule in snapshot.get("routing_rules", active_rules)
            if (rule.region_id is None or rule.region.code in region_codes)
            and (rule.category_id is None or rule.category.code in category_codes)]


def specificity(rule: RoutingRule) -> tuple[int, int]:
    """How specific a rule is: (category code length, region code length); a blank side counts 0."""
    return (len(rule.category.code) if rule.category_id else 0, len(rule.region.code) if rule.region_id else 0)


def _serves(department: Department, region: Region) -> bool:
    """A department placed in a district (or in one of its streets) serves that district's cases only: under
    a city root a category's default department, one district's bureau, takes no other district's cases."""
    return department.region_id is None or region.code.startswith(district_code(department.region.code))


def route(region: Region, category: Category | None, snapshot: confcache.Snapshot | None = None) -> Route:
    snapshot = snapshot or confcache.current()
    best = max(matching_rules(region, category, snapshot), key=specificity, default=None)
    workers, worker_ids = responsible_workers(region, snapshot)
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
            f"派遣规则:{best.region.name if best.region_id else '全部区域'} × "
            f"{best.category.name if best.category_id else '全部类别'} → {best.department.name}"
        )
        return Route(best.department, list(best.co_departments.all()), explanation, worker_ids)
    if category is not None and category.default_department_id and _serves(category.default_department, region):
        explanation["reason"] = f"类别“{category.name}”的默认承办部门:{category.default_department.name}"
        return Route(category.default_department, [], explanation, worker_ids)
    explanation["reason"] = "无匹配的派遣规则,由指挥中心人工派遣"
    return Route(None, [], explanation, worker_ids)
