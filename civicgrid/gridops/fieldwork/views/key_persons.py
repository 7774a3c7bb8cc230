"""Key-person pages (PIPL art. 28). Every page that shows key-person data reads it through the audited
actions: the list (one audit row per page shown), the detail (one per view), the full-information reveal
(an htmx post with a reason, one row per reveal)."""

from __future__ import annotations

import uuid

from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import get_visible, has_perm_anywhere
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.forms import AssignForm, EndForm, FollowUpForm, KeyPersonFilterForm
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment
from civicgrid.gridops.fieldwork.queries import key_persons as q
from civicgrid.gridops.fieldwork.views.common import (
    idempotency_key,
    page,
    paged,
    query_without_page,
    show,
    today,
)
from civicgrid.people.forms import RevealForm
from civicgrid.people.models import Resident, ResidentTag

VIEW, FOLLOW_UP = q.VIEW, q.FOLLOW_UP


@require_http_methods(["GET", "POST"])
@page(VIEW)
def key_person_list(request):
    """Masked by default; posting the reveal form (a reason) shows this page in full, audited."""
    form = KeyPersonFilterForm(request.GET or None, tags=q.sensitive_tags())
    filters = form.cleaned_data if form.is_valid() else {}
    day = today()
    rows = q.with_status(q.key_persons_visible(request.user, region=filters.get("region", ""),
                                               tag=filters.get("tag", "")), day)
    if filters.get("overdue"):
        rows = [a for a in rows if a.overdue]
    people = paged(request, rows)
    reveal_form, reason, status = RevealForm(), "", 200
    if request.method == "POST":
        reveal_form = RevealForm(request.POST)
        if reveal_form.is_valid():
            reason = reveal_form.reason_text()
        else:
            status = 422
    waiting = list(q.unassigned_key_persons(request.user, region=filters.get("region", ""))[:50]) \
        if people.number == 1 else []
    shown = actions.read_key_person_list(actor=request.user, assignments=people.object_list, unassigned=waiting,
                                         reason=reason)
    return show(request, "key_person_list.html", "key_persons", status=status, form=form, page=people,
                rows=shown["people"], unassigned=shown["unassigned"], unmasked=shown["unmasked"],
                reveal_form=reveal_form, query=query_without_page(request),
                counts=q.key_person_counts(request.user, today=day),
                can_reveal=has_perm_anywhere(request.user, q.UNMASK),
                can_assign=has_perm_anywhere(request.user, FOLLOW_UP))


def _detail(request, pk: int, *, status: int = 200, reason: str = "", **extra):
    shown = actions.read_key_person(actor=request.user, assignment_id=pk, reason=reason)
    context = {"person": shown["person"], "follow_ups": shown["follow_ups"],
               "reveal_form": extra.pop("reveal_form", RevealForm()),
               "follow_up_form": extra.pop("follow_up_form", FollowUpForm()),
               "end_form": extra.pop("end_form", EndForm()), "key": uuid.uuid4().hex, **extra}
    return show(request, "key_person_detail.html", "key_persons", status=status, **context)


@page(VIEW)
def key_person_detail(request, pk: int):
    return _detail(request, pk)


@require_POST
@page(VIEW)
def key_person_reveal(request, pk: int):
    """Swap the masked identity for the full one (audited with the reason); answers the fragment to htmx."""
    form = RevealForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            shown = actions.read_key_person(actor=request.user, assignment_id=pk)
            return show(request, "_key_person_identity.html", "key_persons", status=422, person=shown["person"],
                        reveal_form=form)
        return _detail(request, pk, status=422, reveal_form=form)
    if request.htmx:
        shown = actions.read_key_person(actor=request.user, assignment_id=pk, reason=form.reason_text())
        return show(request, "_key_person_identity.html", "key_persons", person=shown["person"], reveal_form=form)
    return _detail(request, pk, reason=form.reason_text(), reveal_form=form)


def _assignment(request, pk: int) -> KeyPersonAssignment:
    return get_visible(KeyPersonAssignment.objects.select_related("resident__region", "tag"), request.user, pk=pk)


@require_POST
@page(FOLLOW_UP)
def key_person_follow_up(request, pk: int):
    assignment = _assignment(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_follow_up(
                actor=request.user, assignment=assignment, method=data["method"], contacted_at=data["contacted_at"],
                condition=data["condition"], notes=data["notes"], with_police=data["with_police"],
                next_due_on=data["next_due_on"], idempotency_key=idempotency_key(request))
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            return redirect("fieldwork:key_person_detail", pk=pk)
    return _detail(request, pk, status=422, follow_up_form=form, open_follow_up=True)


@require_POST
@page(FOLLOW_UP)
def key_person_end(request, pk: int):
    assignment = _assignment(request, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            actions.end_key_person(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            return redirect("fieldwork:key_person_detail", pk=pk)
    return _detail(request, pk, status=422, end_form=form, open_end=True)


@require_http_methods(["GET", "POST"])
@page(FOLLOW_UP)
def key_person_assign(request, resident_id: int, tag_id: int):
    """落实责任人 for a resident carrying a sensitive tag (or change it). The page shows the masked person
    through the audited list read."""
    resident = get_visible(Resident.objects.select_related("region"), request.user, FOLLOW_UP, pk=resident_id)
    link = ResidentTag.objects.select_related("resident__region", "tag").filter(
        resident=resident, tag_id=tag_id, tag__is_sensitive=True).first()
    if link is None:
        raise errors.NotFound()
    current = KeyPersonAssignment.objects.filter(resident=resident, tag_id=tag_id, is_active=True).first()
    initial = {"responsible_worker": current.responsible_worker_id, "police_liaison": current.police_liaison_id,
               "contact_every_days": current.contact_every_days} if current else {}
    form = AssignForm(request.POST or None, workers=q.worker_candidates(resident), police=q.police_candidates(resident),
                      initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            workers = {u.pk: u for u in q.worker_candidates(resident)}
            police = {u.pk: u for u in q.police_candidates(resident)}
            try:
                assignment = actions.assign_key_person(
                    actor=request.user, resident=resident, tag=link.tag,
                    responsible_worker=workers[data["responsible_worker"]],
                    police_liaison=police.get(data["police_liaison"]) if data["police_liaison"] else None,
                    contact_every_days=data["contact_every_days"])
            except (errors.ValidationFailed, errors.Conflict) as exc:
                form.add_domain_error(exc)
            else:
                return redirect("fieldwork:key_person_detail", pk=assignment.pk)
    shown = actions.read_key_person_list(actor=request.user, assignments=[], unassigned=[link])
    return show(request, "key_person_assign.html", "key_persons", status=status, form=form,
                person=shown["unassigned"][0], current=current)
