"""Dispute-screening pages: the completion report of a half-month, reporting a round, a round."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from civicgrid.core import errors, inputs
from civicgrid.core.scoping import get_visible, has_perm_anywhere
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.forms import ScreeningForm
from civicgrid.gridops.fieldwork.models import ScreeningRound
from civicgrid.gridops.fieldwork.periods import previous_half_month
from civicgrid.gridops.fieldwork.queries import places
from civicgrid.gridops.fieldwork.queries import screening as q
from civicgrid.gridops.fieldwork.views.common import idempotency_key, page, show, today


def _day(text: str | None) -> date:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return today()
    return inputs.check_day(day)


@page(q.VIEW)
def screening_report(request):
    day = _day(request.GET.get("day"))
    report = q.screening_report(request.user, day=day, region=request.GET.get("region", ""))
    return show(request, "screening_report.html", "screening", report=report,
                previous=previous_half_month(day)[0], following=report["period_end"] + timedelta(days=1),
                can_screen=has_perm_anywhere(request.user, q.SCREEN), today=today())


@require_http_methods(["GET", "POST"])
@page(q.SCREEN)
def screening_create(request):
    grids = list(q.grids_visible(request.user, q.SCREEN))
    initial = {"grid": request.GET.get("grid")} if request.GET.get("grid") else {}
    form = ScreeningForm(request.POST or None, grids=grids, categories=places.dispute_categories(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        grid = get_visible(Region.objects.defer("boundary"), request.user, q.SCREEN, pk=data["grid"])
        try:
            round_ = actions.record_screening(
                actor=request.user, grid=grid, day=data["day"], no_new_disputes=data["no_new_disputes"],
                findings=form.findings(), notes=data["notes"], idempotency_key=idempotency_key(request))
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            return redirect("fieldwork:screening_detail", pk=round_.pk)
    status = 422 if request.method == "POST" else 200
    return show(request, "screening_form.html", "screening", status=status, form=form, key=uuid.uuid4().hex,
                no_grids=not grids)


@page(q.VIEW)
def screening_detail(request, pk: int):
    round_ = get_visible(ScreeningRound.objects.select_related("grid", "screened_by"), request.user, pk=pk)
    return show(request, "screening_detail.html", "screening", round=q.present_round(round_, findings=True),
                can_add=has_perm_anywhere(request.user, q.SCREEN))
