"""Choices the field-work forms offer: places in the user's reach, case categories, people to name."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.cases.models import Category
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region

# case types a field worker raises from a visit or a police referral (volunteer orders and hard cases have
# their own intake)
FIELD_CASE_TYPES = ("citizen_request", "urban_event", "safety_hazard", "dispute")
GRID_SIDE_ROLES = ("grid_worker", "micro_grid_worker", "community_admin", "street_admin")


def field_regions(user, perm: str) -> list[Region]:
    """Grids in reach for `perm`; with a single grid (or none: a micro-grid worker) its micro-grids too."""
    qs = Region.objects.visible_to(user, perm).filter(is_active=True).defer("boundary").order_by("code")
    grids = list(qs.filter(level=RegionLevel.GRID)[:400])
    if len(grids) > 1:
        return grids
    return grids + list(qs.filter(level=RegionLevel.MICRO_GRID)[:100])


def case_categories(case_types=FIELD_CASE_TYPES) -> list[tuple[str, str]]:
    qs = Category.objects.filter(is_active=True, case_type__in=list(case_types)).order_by("code")
    return [(c.code, f"{c.code} {c.name}") for c in qs]


def dispute_categories() -> list[tuple[str, str]]:
    return case_categories(("dispute",))


def _serving(roles, codes: list[str]) -> QuerySet[User]:
    """Active users holding one of `roles` over or inside any of the regions `codes`."""
    if not codes:
        return User.objects.none()
    q = Q()
    for code in codes:
        q |= Q(region__code__startswith=code) | Q(region__code__in=[code[:n] for n in range(6, len(code))])
    ids = RoleAssignment.objects.filter(q, role__in=list(roles), is_active=True, user__is_active=True).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("username")


def joint_people(regions: list[Region]) -> tuple[QuerySet[User], QuerySet[User]]:
    """(police liaisons, grid-side workers) serving the given places: the joint-record form's choices."""
    codes = [r.code for r in regions]
    return _serving(("police_liaison",), codes), _serving(GRID_SIDE_ROLES, codes)
