"""Household-visit pages: the log, the visit form (opinions may become cases), a visit, coverage and the
overdue tagged households."""

from __future__ import annotations

import uuid

from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import can, get_visible, has_perm_anywhere
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.forms import OpinionCaseForm, PeriodForm, VisitFilterForm, VisitForm
from civicgrid.gridops.fieldwork.models import HouseholdVisit, VisitOpinion
from civicgrid.gridops.fieldwork.queries import places
from civicgrid.gridops.fieldwork.queries import visits as q
from civicgrid.gridops.fieldwork.views.common import (
    idempotency_key,
    page,
    paged,
    query_without_page,
    show,
    today,
)
from civicgrid.people.models import Household

VIEW, RECORD = q.VIEW, "fieldwork.record_visit"


@page(VIEW)
def visit_list(request):
    form = VisitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = q.visits_visible(request.user, **{k: v for k, v in filters.items() if v})
    visits = paged(request, qs)
    return show(request, "visit_list.html", "visits", form=form, page=visits,
                rows=[q.present_visit(v, request.user) for v in visits.object_list], query=query_without_page(request),
                can_record=has_perm_anywhere(request.user, RECORD))


@require_http_methods(["GET", "POST"])
@page(RECORD)
def visit_create(request):
    households = q.households_for_visit(request.user, region=request.GET.get("region", ""))[:500]
    initial = {"household": request.GET.get("household")} if request.GET.get("household") else {}
    form = VisitForm(request.POST or None, households=households, categories=places.case_categories(),
                     initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = get_visible(Household.objects.select_related("region"), request.user, RECORD,
                                pk=data["household"])
        try:
            visit = actions.record_visit(
                actor=request.user, household=household, purpose=data["purpose"], visited_at=data["visited_at"],
                participants=data["participants"], persons_met=data["persons_met"], notes=data["notes"],
                opinions=form.opinions(), next_follow_up_on=data["next_follow_up_on"],
                idempotency_key=idempotency_key(request))
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            return redirect("fieldwork:visit_detail", pk=visit.pk)
    status = 422 if request.method == "POST" else 200
    return show(request, "visit_form.html", "visits", status=status, form=form, key=uuid.uuid4().hex)


def _visit(request, pk: int) -> HouseholdVisit:
    return get_visible(HouseholdVisit.objects.select_related("household", "region", "visitor"), request.user, pk=pk)


@page(VIEW)
def visit_detail(request, pk: int):
    visit = _visit(request, pk)
    return show(request, "visit_detail.html", "visits", visit=q.present_visit(visit, request.user, opinions=True),
                can_raise=can(request.user, RECORD, visit) and has_perm_anywhere(request.user, "cases.create_case"),
                case_form=OpinionCaseForm(categories=places.case_categories()))


@require_POST
@page(RECORD)
def opinion_case(request, pk: int):
    opinion = get_visible(VisitOpinion.objects.select_related("visit__household__region"), request.user, pk=pk)
    form = OpinionCaseForm(request.POST, categories=places.case_categories())
    error = None
    if form.is_valid():
        try:
            actions.raise_case_from_opinion(actor=request.user, opinion=opinion,
                                            category_code=form.cleaned_data["category"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            error = exc
    else:
        error = errors.ValidationFailed("请选择有效的案件类别")
    if error is None:
        return redirect("fieldwork:visit_detail", pk=opinion.visit_id)
    visit = _visit(request, opinion.visit_id)
    return show(request, "visit_detail.html", "visits", status=error.status, visit=q.present_visit(visit, request.user, opinions=True),
                can_raise=True, case_form=form, error=error.message)


@page(VIEW)
def coverage(request):
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = today()
    start, end = data.get("start") or day.replace(day=1), data.get("end") or day
    region = data.get("region") or ""
    report = q.coverage(request.user, start=start, end=end, region=region)
    overdue = q.tagged_households(request.user, today=day, region=region, overdue_only=True)
    return show(request, "coverage.html", "visits", form=form, report=report, overdue=overdue[:200],
                overdue_count=len(overdue), today=day)
