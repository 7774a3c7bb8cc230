"""Reads over the region tree. Every query starts from `Region.objects.visible_to(user)`.

`parent` filters mean "below this region": with a `level` they select that level anywhere under the
parent (grids of a street), without one the parent's direct children.
"""

from __future__ import annotations

import json

from django.db.models import BooleanField, Count, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from civicgrid.core import confcache
from civicgrid.core.errors import ValidationFailed
from civicgrid.core.scoping import can, get_visible, grant_for
from civicgrid.geo import basemap, geojson
from civicgrid.geo.choices import ABOVE_DISTRICT, CODE_LENGTH, LEVEL_ORDER, RegionLevel
from civicgrid.geo.locator import get_locator
from civicgrid.geo.models import Region

VIEW = "geo.view_region"
MAX_QUERY = 100


def parse_level(level: str | None) -> str | None:
    """'' / None -> None; a known level -> itself; anything else -> ValidationFailed(invalid_level)."""
    if level in (None, ""):
        return None
    if level not in RegionLevel.values:
        choices = "、".join(f"{value}({label})" for value, label in RegionLevel.choices)
        raise ValidationFailed(
            f"区域层级 {level!r} 无效,可选:{choices}", code="invalid_level",
            details={"level": level, "choices": list(RegionLevel.values)},
        )
    return level


def _children_count():
    active_children = (
        Region.objects.filter(parent=OuterRef("pk"), is_active=True)
        .order_by().values("parent").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(active_children, output_field=IntegerField()), 0)


def _listing(queryset):
    return queryset.defer("boundary").annotate(
        has_boundary=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField()),
        children_count=_children_count(),
    )


def _below(regions, parent: str | None, level: str | None):
    """`parent` given: with `level`, that level anywhere below it; without, its direct children."""
    if parent:
        regions = regions.filter(code__startswith=parent).exclude(code=parent)
        if level is None:
            regions = regions.filter(parent__code=parent)
    return regions.filter(level=level) if level else regions


def regions_visible(user, level: str | None = None, parent: str | None = None, q: str = ""):
    """Active regions the user may see, for lists (boundary deferred; has_boundary and
    children_count annotated)."""
    level = parse_level(level)
    regions = _below(Region.objects.visible_to(user, VIEW).filter(is_active=True), parent, level)
    q = (q or "").strip()[:MAX_QUERY]
    if q:
        regions = regions.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return _listing(regions.order_by("code"))


def count_regions(user, level: str | None = None) -> int:
    """How many active regions (of `level`) the user can see: the figure the UI and the API show."""
    return regions_visible(user, level).count()


def level_counts(user, under: Region | None = None) -> list[tuple[str, str, int]]:
    """(level, label, count) for every level, of the visible regions (below `under`)."""
    regions = Region.objects.visible_to(user, VIEW).filter(is_active=True)
    if under is not None:
        regions = regions.filter(code__startswith=under.code).exclude(code=under.code)
    counts = dict(regions.order_by().values_list("level").annotate(n=Count("pk")))
    return [(level, RegionLevel(level).label, counts.get(level, 0)) for level in LEVEL_ORDER if counts.get(level)]


def scope_roots(user):
    """The top of the user's reach: the district for district-wide roles, the assigned street,
    community or grid otherwise."""
    grant = grant_for(user, VIEW)
    regions = Region.objects.visible_to(user, VIEW).filter(is_active=True)
    if grant.unrestricted:
        regions = regions.filter(parent__isnull=True)
    else:
        regions = regions.filter(code__in=grant.region_codes)
    return _listing(regions.order_by("code"))


def root_region(*, with_boundary: bool = False) -> Region | None:
    """The top of the tree, unscoped: the district, or the city (province) above many districts. Public
    geography, for the jurisdiction of public endpoints and the outline works must lie in."""
    regions = Region.objects.filter(is_active=True, parent__isnull=True).order_by("code")
    return (regions if with_boundary else regions.defer("boundary")).first()


def tree_outline() -> tuple[str | None, bool, list[tuple[str, str]]]:
    """The tree's top (its code, whether it is a city or province) and its active districts (code, name):
    public geography, which the scoping door uses to tell who may change which district's tables
    (core.scoping.table_reach). Kept with the configuration snapshot: the tree changes rarely."""
    return confcache.current().get("geo.tree_outline", _tree_outline)


def _tree_outline() -> tuple[str | None, bool, list[tuple[str, str]]]:
    root = root_region()
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT, is_active=True).order_by("code")
                     .values_list("code", "name"))
    return (root.code if root else None, bool(root) and root.level in ABOVE_DISTRICT, districts)


def get_region(user, code: str) -> Region:
    """One active region by code; NotFound when absent or out of scope."""
    return get_visible(Region.objects.filter(is_active=True), user, VIEW, code=code)


def children(region: Region):
    return _listing(region.children.filter(is_active=True).order_by("code"))


def region_chain(region: Region, user=None) -> list[Region]:
    """Ancestors district-first, then the region itself; only the visible ones when `user` is given."""
    codes = [region.code[:n] for n in CODE_LENGTH.values() if n < len(region.code)]
    chain = sorted(Region.objects.filter(code__in=codes).defer("boundary"), key=lambda r: len(r.code))
    chain.append(region)
    return [r for r in chain if user is None or can(user, VIEW, r)]


def locate(user, lng: float, lat: float) -> list[Region]:
    """The visible part of the chain of regions containing the point (district first)."""
    geojson.check_coordinates(lng, lat)
    return [r for r in get_locator().locate(lng, lat) if can(user, VIEW, r)]


def boundaries_feature_collection(user, level: str | None = None, parent: str | None = None) -> dict:
    """Visible active regions with a boundary as a GeoJSON FeatureCollection; no filter means grids."""
    return _boundaries(Region.objects.visible_to(user, VIEW), level, parent)


def all_boundaries_feature_collection(level: str | None = None, parent: str | None = None) -> dict:
    """The same, unscoped: for operators at the command line (export_boundaries), never for requests."""
    return _boundaries(Region.objects.all(), level, parent)


def _boundaries(regions, level: str | None, parent: str | None) -> dict:
    level = parse_level(level)
    if level is None and not parent:
        level = RegionLevel.GRID
    regions = _below(regions.filter(is_active=True, boundary__isnull=False), parent, level)
    return geojson.feature_collection(regions.order_by("code"))


# ---- the base map: public administrative geography ---------------------------------------------------
# Street, community and grid names and outlines are public (no people data): a resident needs them to place
# a report, so these reads are deliberately unscoped. Micro-grids (5,684 in the demo) are left out of the
# layers; the place look-up still names them.

MAP_LEVELS = (RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID)


def parse_map_level(level: str | None) -> str:
    if level not in MAP_LEVELS:
        choices = "、".join(f"{value}({RegionLevel(value).label})" for value in MAP_LEVELS)
        raise ValidationFailed(f"底图层级 {level!r} 无效,可选:{choices}", code="invalid_level",
                               details={"level": level, "choices": list(MAP_LEVELS)})
    return level


def map_layer(level: str) -> dict:
    """One base-map layer as a FeatureCollection: outline, name, short label and label point per active
    region. Built once per configuration version (regions are watched by confcache), so every request in
    every process reads it from memory until a region changes."""
    level = parse_map_level(level)
    return confcache.current().get(("geo.map_layer", level), lambda: _map_layer(level))


def map_layer_json(level: str) -> bytes:
    """`map_layer` serialised, cached alongside it."""
    level = parse_map_level(level)
    return confcache.current().get(("geo.map_layer_json", level),
                                   lambda: json.dumps(map_layer(level), ensure_ascii=False, separators=(",", ":")).encode())


def map_version() -> str:
    """The version the layers were built from: their ETag."""
    return confcache.current().token


def _map_layer(level: str) -> dict:
    regions = list(Region.objects.filter(is_active=True, level=level, boundary__isnull=False).order_by("code"))
    parents = dict(Region.objects.filter(code__in={r.code[:-3] for r in regions}).values_list("code", "name"))
    features = []
    for r in regions:
        features.append({
            "type": "Feature", "id": r.code, "geometry": r.boundary,
            "properties": {
                "code": r.code, "name": r.name, "level": r.level,
                "label": basemap.short_label(r.name, parents.get(r.code[:-3])),
                "label_at": [r.center_lng, r.center_lat] if r.center_lng is not None else None,
            },
        })
    return {"type": "FeatureCollection", "features": features}


def place_names(lng: float, lat: float) -> dict:
    """The names of the regions containing a WGS84 point, street to micro-grid; `found` false outside the
    district. Names only: the same public geography as the layers."""
    geojson.check_coordinates(lng, lat)
    chain = get_locator().locate(lng, lat)
    by_level = {r.level: {"code": r.code, "name": r.name} for r in chain}
    parts = [by_level[level]["name"] for level in (RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID)
             if level in by_level]
    grid = by_level.get(RegionLevel.GRID)
    community = by_level.get(RegionLevel.COMMUNITY)
    if grid and community:  # "幸福社区 第三网格", not the grid's full name repeating the community's
        parts[-1] = basemap.short_label(grid["name"], community["name"])
    return {
        "found": RegionLevel.GRID in by_level or RegionLevel.COMMUNITY in by_level,
        **{level: by_level.get(level) for level in (RegionLevel.STREET, RegionLevel.COMMUNITY, RegionLevel.GRID,
                                                     RegionLevel.MICRO_GRID)},
        "label": " ".join(parts),
    }


def search_places(q: str, limit: int = 5) -> list[Region]:
    """Communities and grids whose name contains `q`, for the map's search box (public names)."""
    q = (q or "").strip()[:MAX_QUERY]
    if not q:
        return []
    regions = Region.objects.filter(is_active=True, level__in=(RegionLevel.COMMUNITY, RegionLevel.GRID),
                                    name__icontains=q, center_lng__isnull=False)
    return list(regions.defer("boundary").order_by("level", "code")[:limit])
