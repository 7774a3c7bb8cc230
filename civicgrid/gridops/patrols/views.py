"""Patrol pages: the worker's phone page (start/stop, GPS collection and batched uploads in the browser,
check-ins, findings), the patrol list and detail with track playback on the map, the daily compliance
report with its Excel export, and the checkpoints.

Adapters only: parse, call one action or query, render. A patrol out of reach is 404; a refused action
changes nothing and shows its Chinese message.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import clock, errors
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.core.web import XLSX, permission_page
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols import actions, compliance, queries
from civicgrid.gridops.patrols.export import compliance_xlsx
from civicgrid.gridops.patrols.forms import (
    CheckpointForm,
    ComplianceForm,
    FindingForm,
    PatrolFilterForm,
    StartForm,
)
from civicgrid.gridops.patrols.models import PATROL, VIEW

PAGE_SIZE = 20
COMPLIANCE = compliance.PERM
MANAGE = queries.MANAGE


def _today() -> date:
    return timezone.localdate(clock.now())


def _links(user) -> dict:
    return {"can_patrol": queries.can_patrol(user), "can_view": has_perm_anywhere(user, VIEW),
            "can_compliance": has_perm_anywhere(user, COMPLIANCE), "can_manage": has_perm_anywhere(user, MANAGE)}


@permission_page(None)
def home(request):
    user = request.user
    if queries.can_patrol(user):
        return redirect("patrols:phone")
    if has_perm_anywhere(user, COMPLIANCE):
        return redirect("patrols:compliance")
    if has_perm_anywhere(user, VIEW):
        return redirect("patrols:list")
    raise PermissionDenied


# ---- the worker's phone page ------------------------------------------------------------------------

@permission_page(PATROL)
def phone(request, form: StartForm | None = None, status: int = 200):
    user = request.user
    regions = queries.patrol_regions(user)
    active = queries.active_patrol(user)
    view = queries.patrol_view(user, active.pk) if active else None
    config = {
        "api": reverse("api-v1:start_patrol"),
        "patrol": None if active is None else {
            "id": active.pk, "started_at": active.started_at.isoformat(),
            "end_url": reverse("patrols:end", args=[active.pk]),
            "finding_url": reverse("patrols:finding", args=[active.pk]),
            "detail_url": reverse("patrols:detail", args=[active.pk]),
            "checkpoints": [{"id": c.pk, "name": c.name, "kind": c.get_kind_display(), "lat": c.lat, "lng": c.lng,
                             "radius_m": c.radius_m, "is_required": c.is_required,
                             "visited": any(v.checkpoint_id == c.pk for v in view.visits)}
                            for c in view.checkpoints],
        },
        "text": {"saved": gettext("已记录 %s 个点,待上传 %s 个"), "uploading": gettext("正在上传…"),
                 "offline": gettext("网络不通,轨迹已保存在手机上,稍后自动上传"),
                 "no_gps": gettext("此设备不支持定位"), "denied": gettext("未允许定位:请在浏览器设置中允许本网站使用位置"),
                 "checked": gettext("已打卡"), "check_in": gettext("打卡"), "far": gettext("距离约 %s 米"),
                 "ending": gettext("正在上传剩余轨迹并结束…"), "failed": gettext("操作失败:")},
    }
    return render(request, "gridops/patrols/phone.html", {
        "regions": regions, "active": active, "view": view, "recent": queries.recent_patrols(user),
        "form": form or StartForm(regions=regions), "config": config,
        "visited_ids": {v.checkpoint_id for v in view.visits} if view else set(), **_links(user),
    }, status=status)


@require_POST
@permission_page(PATROL)
def start(request):
    regions = queries.patrol_regions(request.user)
    form = StartForm(request.POST, regions=regions)
    if not form.is_valid():
        return phone(request, form=form, status=422)
    try:
        actions.start_patrol(actor=request.user, region_code=form.cleaned_data["region"],
                             idempotency_key=form.cleaned_data["idempotency_key"])
    except (errors.ValidationFailed, errors.Conflict) as exc:
        if exc.code == "patrol_active":
            messages.warning(request, exc.message)
            return redirect("patrols:phone")
        form.add_domain_error(exc)
        return phone(request, form=form, status=exc.status)
    messages.success(request, gettext("巡查已开始。请保持本页打开,轨迹会自动记录和上传。"))
    return redirect("patrols:phone")


@require_POST
@permission_page(PATROL)
def end(request, pk: int):
    patrol = actions.end_patrol(actor=request.user, patrol_id=pk)
    messages.success(request, gettext("巡查已结束:%(minutes)s 分钟,%(km)s 公里。") % {
        "minutes": patrol.minutes, "km": patrol.km})
    return redirect("patrols:detail", pk=pk)


@require_http_methods(["GET", "POST"])
@permission_page(PATROL)
def finding(request, pk: int):
    """巡查发现: the report form for a problem found on this patrol; the case is linked to it."""
    view = queries.patrol_view(request.user, pk)
    if view.patrol.worker_id != request.user.pk:
        raise PermissionDenied
    initial = {k: request.GET[k] for k in ("lat", "lng") if request.GET.get(k)}
    form = FindingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        finding_input = actions.FindingInput(
            description=data["description"], lat=data["lat"], lng=data["lng"], category_code=data["category"],
            title=data["title"], address=data["address"], answers=form.answers(),
            photos=[f.read() for f in data["photos"]])
        try:
            result, created = actions.report_finding(actor=request.user, patrol_id=pk, data=finding_input,
                                                     idempotency_key=data["idempotency_key"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            text = gettext("已上报") if created else gettext("此前已上报")
            messages.success(request, gettext("%(text)s,案件编号 %(number)s,已关联本次巡查。") % {
                "text": text, "number": result.case.number})
            if view.patrol.is_active:
                return redirect("patrols:phone")  # back to walking
            return redirect("patrols:detail", pk=pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "gridops/patrols/finding.html", {"form": form, "patrol": view.patrol}, status=status)


# ---- patrols: list and detail -------------------------------------------------------------------------

@permission_page(VIEW)
def patrol_list(request):
    form = PatrolFilterForm(request.GET or None)
    filters = form.filters()
    qs = queries.filter_patrols(queries.patrols_visible(request.user), **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "gridops/patrols/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "filtered": bool(filters), **_links(request.user)})


@permission_page(VIEW)
def detail(request, pk: int):
    view = queries.patrol_view(request.user, pk)
    track = queries.track_geojson(request.user, pk)  # audit-logged when it is someone else's track
    region = Region.objects.filter(pk=view.patrol.region_id).values_list("boundary", flat=True).first()
    grid = Region.objects.filter(code=queries.grid_code(view.patrol.region.code)).values_list(
        "boundary", flat=True).first()
    outlines = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"kind": kind}}
        for g, kind in ((grid, "grid"), (region, "region")) if g]}
    return render(request, "gridops/patrols/detail.html", {
        "view": view, "patrol": view.patrol, "mine": view.patrol.worker_id == request.user.pk,
        "map": {"track": track, "outlines": outlines}, **_links(request.user)})


# ---- compliance -----------------------------------------------------------------------------------------

def _report(request):
    regions = compliance.report_regions(request.user)
    yesterday = _today() - timedelta(days=1)
    data = request.GET.copy()
    data.setdefault("day", yesterday.isoformat())
    form = ComplianceForm(data, regions=regions)
    day, region = yesterday, ""
    if form.is_valid():
        day, region = form.cleaned_data["day"], form.cleaned_data["region"]
    return form, compliance.daily_report(request.user, day, region)


@permission_page(COMPLIANCE)
def compliance_report(request):
    form, report = _report(request)
    query = request.GET.copy()
    prev_q, next_q = query.copy(), query.copy()
    prev_q["day"] = (report.day - timedelta(days=1)).isoformat()
    next_q["day"] = (report.day + timedelta(days=1)).isoformat()
    only_missed = request.GET.get("show") != "all"
    return render(request, "gridops/patrols/compliance.html", {
        "form": form, "report": report, "totals": report.totals,
        "rows": report.missed if only_missed else report.workers, "only_missed": only_missed,
        "query": query.urlencode(), "prev_query": prev_q.urlencode(), "next_query": next_q.urlencode(),
        "is_future": report.day >= _today(), **_links(request.user)})


@permission_page(COMPLIANCE)
def compliance_export(request):
    _, report = _report(request)
    content = compliance_xlsx(actor=request.user, report=report)
    response = HttpResponse(content, content_type=XLSX)
    name = f"巡查日报-{report.day:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


# ---- checkpoints ----------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@permission_page(VIEW)
def checkpoints(request):
    user = request.user
    can_manage = has_perm_anywhere(user, MANAGE)
    form = None
    status = 200
    if can_manage:
        form = CheckpointForm(request.POST or None, regions=queries.manageable_regions(user))
        if request.method == "POST":
            status = 422
            if form.is_valid():
                try:
                    checkpoint = actions.create_checkpoint(actor=user, data=form.as_input())
                except errors.ValidationFailed as exc:
                    form.add_domain_error(exc)
                else:
                    messages.success(request, gettext("已添加点位:%(name)s") % {"name": checkpoint.name})
                    return redirect("patrols:checkpoints")
    elif request.method == "POST":
        raise PermissionDenied
    region = request.GET.get("region", "")
    items = queries.checkpoints_visible(user, region=region, include_inactive=can_manage)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "gridops/patrols/checkpoints.html", {
        "form": form, "page": page, "region": region, **_links(user)}, status=status)


@require_http_methods(["GET", "POST"])
@permission_page(MANAGE)
def checkpoint_edit(request, pk: int):
    checkpoint = queries.get_checkpoint(request.user, pk)
    initial = {name: getattr(checkpoint, name) for name in (
        "name", "kind", "lat", "lng", "radius_m", "is_required", "is_active", "note")}
    form = CheckpointForm(request.POST or None, initial=initial, fixed_region=checkpoint.region)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.update_checkpoint(actor=request.user, checkpoint_id=pk, data=form.as_input(),
                                          is_active=form.cleaned_data["is_active"])
            except errors.ValidationFailed as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, gettext("已保存点位:%(name)s") % {"name": form.cleaned_data["name"]})
                return redirect("patrols:checkpoints")
    return render(request, "gridops/patrols/checkpoint_form.html", {"form": form, "checkpoint": checkpoint},
                  status=status)
