"""The report archive, the request form, a run's progress (htmx polls it) and the download."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import grant_for
from civicgrid.core.web import permission_page
from civicgrid.reports import actions, queries
from civicgrid.reports.choices import RunStatus
from civicgrid.reports.forms import ReportForm
from civicgrid.reports.kinds import FORMATS, KINDS, today

PAGE = 50


def _regions(user):
    """The district, streets and communities the caller's KPI reach covers (what a report may be about)."""
    from civicgrid.geo.models import Region

    grant = grant_for(user, queries.SHARED_PERM)
    qs = Region.objects.filter(is_active=True, level__in=["district", "street", "community"]).defer("boundary")
    return [r for r in qs.order_by("code") if grant.covers_code(r.code)]


def _labelled(run):
    run.label = KINDS[run.kind].label if run.kind in KINDS else run.kind
    return run


@permission_page(None)
def archive(request, form=None, status=200):
    user = request.user
    kinds = queries.kinds_for(user)
    if not kinds and not queries.runs_visible(user).exists():
        raise errors.Forbidden()
    regions = _regions(user)
    form = form or ReportForm(kinds=kinds, regions=regions, initial={
        "month": f"{today():%Y-%m}", "region": regions[0].code if regions else ""})
    runs = [_labelled(run) for run in queries.runs_visible(user)[:PAGE]]
    return render(request, "reports/archive.html", {"form": form if kinds and regions else None, "runs": runs}, status=status)


@require_POST
@permission_page(None)
def request_report(request):
    """One form for the monthly reports, and the background exports of other pages (kind + their params)."""
    user = request.user
    kind = request.POST.get("kind", "")
    spec = KINDS.get(kind)
    if spec is None:
        raise errors.NotFound()
    if spec.monthly:
        form = ReportForm(request.POST, kinds=queries.kinds_for(user), regions=_regions(user))
        if not form.is_valid():
            return archive(request, form=form, status=422)
        params = form.cleaned_data
    else:  # a list export: the list's filters, posted by its page (the kind checks them)
        params = {**request.POST.dict(), "format": "xlsx"}
    try:
        run = actions.request_report(actor=user, kind=kind, params=params)
    except errors.ValidationFailed as exc:
        if not spec.monthly:
            back = request.POST.get("next", "")
            back = back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else ""
            return render(request, "reports/refused.html", {"kind": spec, "error": exc, "back": back}, status=422)
        form = ReportForm(request.POST, kinds=queries.kinds_for(user), regions=_regions(user))
        form.is_valid()
        form.add_error(None, exc.message)
        return archive(request, form=form, status=422)
    return redirect("reports:run", pk=run.pk)


@permission_page(None)
def run_page(request, pk: int):
    return render(request, "reports/run.html", {"run": _labelled(queries.run_visible(request.user, pk))})


@permission_page(None)
def run_progress(request, pk: int):
    """The progress bar (htmx polls this fragment until the run is finished)."""
    return render(request, "reports/_progress.html", {"run": queries.run_visible(request.user, pk)})


@permission_page(None)
def download(request, pk: int):
    run = queries.run_visible(request.user, pk)
    if run.status != RunStatus.DONE or not run.file:
        raise errors.NotFound()
    extension = run.filename.rsplit(".", 1)[-1]
    response = FileResponse(run.file.open("rb"), content_type=FORMATS.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(run.filename)}"
    return response
