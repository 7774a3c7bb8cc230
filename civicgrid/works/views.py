"""Works pages: the staff register (list, registration, a work's page with its steps and photos) and the
public map of finished works with the totals by type and street (no login). Adapters only."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from civicgrid.accounts.models import Department
from civicgrid.core import errors
from civicgrid.core.scoping import Scope, can, filter_for, grant_for, has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.works import actions, queries
from civicgrid.works import forms as wforms
from civicgrid.works.choices import MEASURES, WorkKind, WorkStatus
from civicgrid.works.models import WorkPhoto

VIEW, CHANGE = queries.VIEW, actions.CHANGE
KIND_COLORS = {"road_repair": "#475467", "greening": "#16a34a", "parking": "#2563eb", "street_lights": "#d97706",
               "water": "#0891b2", "culture_wall": "#b3261e", "street_upgrade": "#7c3aed",
               "fringe_sanitation": "#65a30d"}


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2099 else None


def public_map(request):
    """The map of finished works and their totals, for everyone."""
    year = _year(request.GET.get("year", ""))
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in WorkKind.values else ""
    since, until = (date(year, 1, 1), date(year, 12, 31)) if year else (None, None)
    totals = queries.totals(None, since=since, until=until)
    rows = [{"label": label, "unit": unit, "value": totals[m]} for m, (label, unit) in MEASURES.items() if totals[m]]
    query = "&".join(x for x in (f"year={year}" if year else "", f"kind={kind}" if kind else "") if x)
    api = "/api/v1/works/public/map" + (f"?{query}" if query else "")
    return render(request, "works/map.html", {
        "year": year, "kind": kind, "kinds": WorkKind.choices, "rows": rows,
        "streets": _street_table(queries.totals_by(group="street", since=since, until=until)),
        "outlines": queries.street_outlines(),
        "legend": [(label, KIND_COLORS[value]) for value, label in WorkKind.choices],
        "map_config": {"apiUrl": api, "colors": KIND_COLORS, "tileUrl": settings.MAP_TILE_URL,
                       "tileAttribution": settings.MAP_TILE_ATTRIBUTION, "tileCrs": settings.MAP_TILE_CRS,
                       "text": {"empty": gettext("所选范围内还没有完工项目"), "failed": gettext("地图数据加载失败"),
                                "count": gettext("共 %s 个完工项目")}}})


def _street_table(by_street: list[dict]) -> dict:
    used = [m for m in MEASURES if any(m in row["quantities"] for row in by_street)]
    return {"heads": [MEASURES[m] for m in used],
            "rows": [(row["label"], [row["quantities"].get(m, 0) for m in used]) for row in by_street]}


def photo(request, pk: int):
    """A before/after photo: public once the work is finished, else for those who may see the work."""
    row = WorkPhoto.objects.select_related("work").filter(pk=pk).first()
    if row is None or not (row.work.status == WorkStatus.FINISHED or can(request.user, VIEW, row.work)):
        raise Http404
    return FileResponse(row.file.open("rb"), content_type=row.content_type)


def _departments(user):
    grant = grant_for(user, CHANGE)
    if grant.unrestricted or grant.region_codes:  # a region's staff may name any district department
        return list(Department.objects.filter(is_active=True, kind="district").order_by("code"))
    return list(Department.objects.filter(filter_for(user, CHANGE, Scope(department="pk"))))


@permission_page(VIEW)
def register(request):
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in WorkKind.values else ""
    status = request.GET.get("status", "") if request.GET.get("status", "") in WorkStatus.values else ""
    works = queries.works_visible(request.user, kind=kind, status=status)[:200]
    return render(request, "works/list.html", {
        "works": works, "kind": kind, "status": status, "kinds": WorkKind.choices, "statuses": WorkStatus.choices,
        "labels": queries.KIND_LABELS, "status_labels": queries.STATUS_LABELS,
        "can_change": has_perm_anywhere(request.user, CHANGE)})


@permission_page(CHANGE)
def new(request):
    form = wforms.WorkForm(request.POST or None, departments=_departments(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            work = actions.create_work(actor=request.user, data=form.work_input(),
                                       idempotency_key=form.cleaned_data["idempotency_key"])
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已登记项目 %(n)s") % {"n": work.number})
            return redirect("works:detail", pk=work.pk)
    return render(request, "works/new.html", {"form": form}, status=422 if request.method == "POST" else 200)


@permission_page(VIEW)
def detail(request, pk: int, error: str = "", status: int = 200):
    work = queries.work_visible(request.user, pk)
    return render(request, "works/detail.html", {
        "w": work, "quantities": queries.quantities_of(work), "error": error,
        "kind_label": queries.KIND_LABELS[work.kind], "status_label": queries.STATUS_LABELS[work.status],
        "can_change": can(request.user, CHANGE, work), "photo_form": wforms.PhotoForm(),
        "steps": [a for a, (sources, _t) in actions.TRANSITIONS.items() if work.status in sources],
        "photos": work.photos.all(), "today": actions.today()}, status=status)


@require_POST
@permission_page(VIEW)
def step(request, pk: int, action: str):
    on = None
    if request.POST.get("on"):
        try:
            on = date.fromisoformat(request.POST["on"])
        except ValueError:
            return detail(request, pk, error=gettext("日期格式有误"), status=422)
    try:
        actions.transition_work(actor=request.user, work_id=pk, action=action, on=on,
                                comment=request.POST.get("comment", "")[:200])
    except (errors.ValidationFailed, errors.Conflict) as exc:
        return detail(request, pk, error=exc.message, status=exc.status)
    messages.success(request, gettext("已办理。"))
    return redirect("works:detail", pk=pk)


@require_POST
@permission_page(VIEW)
def upload(request, pk: int):
    form = wforms.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return detail(request, pk, error=gettext("请选择改造前或改造后,并选择照片"), status=422)
    try:
        actions.add_photo(actor=request.user, work_id=pk, stage=form.cleaned_data["stage"],
                          data=form.cleaned_data["photo"].read())
    except errors.ValidationFailed as exc:
        return detail(request, pk, error=exc.message, status=exc.status)
    messages.success(request, gettext("照片已上传。"))
    return redirect("works:detail", pk=pk)
