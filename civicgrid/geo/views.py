"""Region pages: the browser (top of the user's reach + search), one region, and the grid map."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.geo import queries
from civicgrid.geo.choices import RegionLevel

SEARCH_LIMIT = 100


def _not_found_as_404(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapped


@require_GET
@login_required
def region_browser(request):
    q = request.GET.get("q", "").strip()
    results = list(queries.regions_visible(request.user, q=q)[: SEARCH_LIMIT + 1]) if q else None
    return render(request, "geo/browser.html", {
        "q": q,
        "results": results[:SEARCH_LIMIT] if results is not None else None,
        "truncated": results is not None and len(results) > SEARCH_LIMIT,
        "roots": queries.scope_roots(request.user),
        "counts": queries.level_counts(request.user),
    })


@require_GET
@login_required
@_not_found_as_404
def region_detail(request, code: str):
    region = queries.get_region(request.user, code)
    return render(request, "geo/detail.html", {
        "region": region,
        "chain": queries.region_chain(region, request.user)[:-1],
        "children": queries.children(region),
        "counts": queries.level_counts(request.user, under=region),
        "has_boundary": region.boundary is not None,
    })


@require_GET
@login_required
@_not_found_as_404
def region_map(request):
    parent_code = request.GET.get("parent", "").strip()
    parent = queries.get_region(request.user, parent_code) if parent_code else None
    error = None
    try:
        level = queries.parse_level(request.GET.get("level", "").strip()) or (None if parent else RegionLevel.GRID)
    except ValidationFailed as exc:
        level, error = None, exc.message
    params = {key: value for key, value in (("level", level), ("parent", parent_code)) if value}
    map_config = {
        "apiUrl": reverse("api-v1:geo_boundaries") + (f"?{urlencode(params)}" if params else ""),
        "detailUrl": reverse("geo:region_detail", args=["__code__"]),
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION, "tileCrs": settings.MAP_TILE_CRS,
        "error": error,
        "text": {"empty": "范围内没有可显示的边界", "failed": "边界加载失败,请稍后重试",
                 "detail": "查看详情 ›", "count": "共 %s 个区域;点按多边形查看名称与代码。"},
    }
    return render(request, "geo/map.html", {
        "parent": parent,
        "error": error,
        "map_config": map_config,
        "levels": [(value, label) for value, label in RegionLevel.choices if value != RegionLevel.DISTRICT],
        "current_level": level or "",
    }, status=422 if error else 200)
