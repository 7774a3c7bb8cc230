"""Publicity-activity pages: the list with counts per grid, recording an activity."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from civicgrid.core import errors
from civicgrid.core.scoping import get_visible, has_perm_anywhere
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.forms import ActivityForm, PeriodForm
from civicgrid.gridops.fieldwork.queries import activities as q
from civicgrid.gridops.fieldwork.queries import places
from civicgrid.gridops.fieldwork.views.common import (
    idempotency_key,
    page,
    paged,
    query_without_page,
    show,
    today,
)


@page(q.VIEW)
def activity_list(request):
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = today()
    start, end = data.get("start") or day.replace(day=1), data.get("end") or day
    region = data.get("region") or ""
    activities = paged(request, q.activities_visible(request.user, region=region, since=start, until=end))
    return show(request, "activity_list.html", "activities", form=form, page=activities,
                rows=[q.present_activity(a) for a in activities.object_list], query=query_without_page(request),
                stats=q.activity_stats(request.user, start=start, end=end, region=region),
                can_record=has_perm_anywhere(request.user, q.RECORD))


@require_http_methods(["GET", "POST"])
@page(q.RECORD)
def activity_create(request):
    form = ActivityForm(request.POST or None, regions=places.field_regions(request.user, q.RECORD),
                        initial={"held_on": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = get_visible(Region.objects.defer("boundary"), request.user, q.RECORD, pk=data["region"])
        try:
            actions.record_activity(actor=request.user, region=region, kind=data["kind"], title=data["title"],
                                    place=data["place"], held_on=data["held_on"], attendance=data["attendance"],
                                    notes=data["notes"], idempotency_key=idempotency_key(request))
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "已登记宣传活动")
            return redirect("fieldwork:activity_list")
    status = 422 if request.method == "POST" else 200
    return show(request, "activity_form.html", "activities", status=status, form=form, key=uuid.uuid4().hex)
