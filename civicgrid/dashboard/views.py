"""Dashboard pages: the scoped dashboards, the heat map and the big screen. Adapters only: resolve the
scope (404 outside the caller's reach), run the registered panels, render."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from civicgrid.core import clock, errors
from civicgrid.core.web import permission_page
from civicgrid.dashboard import periods, queries, registry, screen
from civicgrid.dashboard import scope as scopes


def _today() -> date:
    return timezone.localtime(clock.now()).date()


def run_panels(scope) -> list[dict]:
    """Every panel of the scope's kind the viewer may see, with its data (panels with nothing to show are
    left out)."""
    out = []
    for panel in registry.panels_for(scope.kind, scope.user):
        data = panel.handler(scope)
        if data is not None:
            out.append({"panel": panel, "data": data})
    return out


def _chart_payload(panels: list[dict]) -> dict:
    return {p["panel"].key: asdict(p["data"]) for p in panels if p["data"].kind == "chart"}


def _render(request, scope):
    panels = run_panels(scope)
    return render(request, "dashboard/dashboard.html", {
        "scope": scope, "panels": panels, "charts": _chart_payload(panels), "switch": scopes.switcher(scope),
        "month_label": periods.label(scope.month), "families": [
            {"key": key, "label": label, "url": scopes.with_family(scope, key)} for key, label in scopes.FAMILY_LABELS.items()
        ] if scope.kind not in ("zone", "volunteers") else [],
        "prev_url": scope.url(periods.shift(scope.month, -1)),
        "next_url": scope.url(periods.shift(scope.month, 1)) if scope.month < periods.first_of(scope.today) else "",
    })


@permission_page(None)
def home(request):
    url = scopes.home_url(request.user)
    if url is None:
        raise errors.Forbidden()
    return redirect(url)


@permission_page(scopes.KPI_PERM)
def region_dashboard(request, code: str):
    return _render(request, scopes.region_scope(request.user, code, month=request.GET.get("month"), today=_today(),
                                                family=request.GET.get("family")))


@permission_page(scopes.KPI_PERM)
def department_dashboard(request, code: str):
    return _render(request, scopes.department_scope(request.user, code, month=request.GET.get("month"),
                                                    today=_today(), family=request.GET.get("family")))


@permission_page(None)
def domain_dashboard(request, kind: str):
    return _render(request, scopes.domain_scope(request.user, kind, month=request.GET.get("month"), today=_today()))


# ---- heat map ------------------------------------------------------------------------------------------

def _map_scope(request):
    user = request.user
    code = request.GET.get("region") or ""
    if not code:
        url = scopes.home_url(user) or ""
        code = url.split("/region/")[1].strip("/") if "/region/" in url else ""
    if not code:
        raise errors.NotFound()
    return scopes.region_scope(user, code, month=None, today=_today())


def _day(request, default: date) -> date:
    text = request.GET.get("day") or ""
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise errors.ValidationFailed("日期格式应为 YYYY-MM-DD", code="day_invalid") from None


@permission_page(scopes.KPI_PERM)
def heat_map(request):
    scope = _map_scope(request)
    today = _today()
    return render(request, "dashboard/map.html", {
        "scope": scope, "switch": scopes.switcher(scope), "metrics": queries.HEAT_METRICS,
        "config": {"dataUrl": f"/dashboard/map/data/?region={scope.region_code}", "tileUrl": settings.MAP_TILE_URL,
                   "tileAttribution": settings.MAP_TILE_ATTRIBUTION, "tileCrs": settings.MAP_TILE_CRS,
                   "day": (today - timedelta(days=1)).isoformat(),
                   "labels": {**queries.HEAT_METRICS, "patrol": "巡查达标率%", "list": "查看案件清单",
                              "patrolList": "查看巡查日报", "none": "无数据", "failed": "地图数据加载失败"}},
    })


@require_GET
@permission_page(scopes.KPI_PERM)
def heat_data(request):
    """The scope's grids as GeoJSON, each with its case counts and list links, and patrol coverage for `day`."""
    scope = _map_scope(request)
    today = _today()
    return JsonResponse(screen.heat_geojson(scope, today=today, patrol_day=_day(request, today - timedelta(days=1))))


# ---- the big screen -------------------------------------------------------------------------------------

@permission_page(scopes.KPI_PERM)
def big_screen(request):
    scope = _map_scope(request)
    return render(request, "dashboard/screen.html", {
        "scope": scope, **screen.counters(scope), "seed": screen.seed_figures(request.user),
        "config": {"dataUrl": f"/dashboard/screen/data/?region={scope.region_code}",
                   "mapUrl": f"/dashboard/map/data/?region={scope.region_code}"},
    })


@permission_page(scopes.KPI_PERM)
def screen_counters(request):
    """The counters and the latest cases (htmx polls this fragment; the page itself never reloads)."""
    scope = _map_scope(request)
    return render(request, "dashboard/_screen_live.html", {"scope": scope, **screen.counters(scope)})


@permission_page(scopes.KPI_PERM)
def screen_data(request):
    scope = _map_scope(request)
    return JsonResponse(screen.chart_data(scope))

