"""Good-people board pages: the public board, the notices with the objection form and a person's history
(no login); a resident's nominate and my-nominations pages (phone first); the community's and the
civilisation office's worklist and a nomination's page. Adapters only: parse, call one action or query,
render; a refused action changes nothing and its Chinese message comes back on the page."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from civicgrid.core import errors
from civicgrid.core.masking import mask_phone
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.recognition import actions, flow, queries
from civicgrid.recognition import forms as rforms
from civicgrid.recognition.choices import Period, State
from civicgrid.recognition.models import Material

VIEW, NOMINATE = actions.VIEW, actions.NOMINATE
EVENT_LABELS = {"submit": gettext_lazy("提交推荐"), "verify": gettext_lazy("社区核实通过"),
                "approve": gettext_lazy("文明办审核通过,开始公示"), "list": gettext_lazy("上榜"),
                "reject": gettext_lazy("未通过"), "withdraw": gettext_lazy("撤回")}
PROGRESS = [(State.SUBMITTED, gettext_lazy("已提交")), (State.VERIFIED, gettext_lazy("社区已核实")),
            (State.NOTICE, gettext_lazy("公示中")), (State.LISTED, gettext_lazy("已上榜"))]


def _parse_month(value: str) -> date | None:
    try:
        year, month = (int(x) for x in value.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2099 else None
    except ValueError:
        return None


# ---- public ------------------------------------------------------------------------------------------

def board(request):
    """The public board (善行义举榜): a month's listing (the latest by default) or a year's."""
    year = request.GET.get("year", "")
    months = queries.listing_periods(Period.MONTH)
    years = queries.listing_periods(Period.YEAR)
    if year.isdigit() and 2000 <= int(year) <= 2099:
        period, start = Period.YEAR, date(int(year), 1, 1)
        heading = gettext("%(year)s年度好人榜") % {"year": year}
    else:
        period = Period.MONTH
        start = _parse_month(request.GET.get("month", "")) or (months[0] if months else None)
        heading = gettext("%(y)s年%(m)s月好人榜") % {"y": start.year, "m": start.month} if start else gettext("好人榜")
    items = queries.listing(period, start) if start else []
    return render(request, "recognition/board.html", {
        "items": items, "heading": heading, "months": months[:12], "years": years, "period": period,
        "start": start, "notice_count": len(queries.notices())})


def notices(request):
    return render(request, "recognition/notices.html", {"items": queries.notices(), "form": rforms.ObjectionForm()})


def object_to(request, pk: int):
    """Lodge an objection to a nomination in public notice (anyone, with a contact)."""
    if request.method != "POST":
        return redirect("recognition:notices")
    try:
        nomination = queries.public_notice(pk)
    except errors.NotFound:
        raise Http404 from None
    form = rforms.ObjectionForm(request.POST)
    if form.is_valid():
        try:
            actions.lodge_objection(actor=request.user, nomination_id=nomination.pk, **form.cleaned_data)
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("异议已受理。文明办核实后将与您联系,答复前不会上榜。"))
            return redirect("recognition:notices")
    return render(request, "recognition/notices.html", {
        "items": queries.notices(), "form": rforms.ObjectionForm(), "failed": nomination.pk, "failed_form": form},
        status=422)


def person(request, public_id: str):
    try:
        history = queries.person_history(public_id[:20])
    except errors.NotFound:
        raise Http404 from None
    return render(request, "recognition/person.html", {"history": history})


def photo(request, pk: int):
    """A portrait the nominee agreed to publish, of a nomination listed or in notice."""
    try:
        nomination = queries.public_photo(pk)
    except errors.NotFound:
        raise Http404 from None
    response = FileResponse(nomination.photo.open("rb"), content_type=nomination.photo_type or "image/jpeg")
    response["Cache-Control"] = "no-cache"  # a withdrawn consent takes effect at once
    return response


# ---- resident ----------------------------------------------------------------------------------------

@permission_page(NOMINATE)
def nominate(request):
    form = rforms.NominateForm(request.POST or None, request.FILES or None,
                               initial={"nominee_name": request.user.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            nomination = actions.submit_nomination(actor=request.user, data=form.nomination_input(),
                                                   idempotency_key=form.cleaned_data["idempotency_key"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("推荐已提交,社区核实后会通知您。"))
            return redirect(f"{reverse('recognition:mine')}#n-{nomination.pk}")
    return render(request, "recognition/nominate.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


def _progress(nomination) -> list[dict]:
    order = [s for s, _label in PROGRESS]
    at = order.index(nomination.state) if nomination.state in order else -1
    return [{"label": label, "done": i <= at, "current": i == at} for i, (_s, label) in enumerate(PROGRESS)]


@permission_page(NOMINATE)
def mine(request):
    rows = [{"n": n, "progress": _progress(n), "own": n.honoree.user_id == request.user.pk,
             "state_label": queries.STATE_LABELS[n.state], "category_label": queries.CATEGORY_LABELS[n.category],
             "can_withdraw": bool(flow.available(n.state, {flow.NOMINATOR}))}
            for n in queries.mine(request.user)[:50]]
    return render(request, "recognition/mine.html", {"rows": rows})


@require_POST
@permission_page(VIEW)
def consent(request, pk: int):
    form = rforms.ConsentForm(request.POST)
    form.is_valid()
    try:
        actions.change_consent(actor=request.user, nomination_id=pk, consent=form.consent())
    except (errors.ValidationFailed, errors.Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("公开范围已更新,公开页面即时生效。"))
    if request.POST.get("next") == "detail":
        return redirect("recognition:detail", pk=pk)
    return redirect(f"{reverse('recognition:mine')}#n-{pk}")


# ---- staff -------------------------------------------------------------------------------------------

def _staff(user) -> bool:
    return has_perm_anywhere(user, actions.VERIFY) or has_perm_anywhere(user, actions.REVIEW)


@permission_page(VIEW)
def work(request):
    if not _staff(request.user):
        raise PermissionDenied
    lists = queries.worklist(request.user)
    return render(request, "recognition/work.html", {"lists": lists, "empty": not any(lists.values())})


@permission_page(VIEW)
def detail(request, pk: int, error: str = "", status: int = 200):
    nomination = queries.nomination_visible(request.user, pk)
    roles = actions.roles_of(request.user, nomination)
    steps = [t for t in flow.available(nomination.state, roles) if t.action != "withdraw"]
    objections = [{"o": o, "phone": mask_phone(o.contact_phone)} for o in queries.objections_of(request.user, nomination)]
    return render(request, "recognition/detail.html", {
        "n": nomination, "steps": steps, "objections": objections, "error": error,
        "is_office": flow.OFFICE in roles, "state_label": queries.STATE_LABELS[nomination.state],
        "category_label": queries.CATEGORY_LABELS[nomination.category], "phone": mask_phone(nomination.honoree.phone),
        "materials": nomination.materials.all(),
        "events": [{"e": e, "label": EVENT_LABELS.get(e.action, e.action)} for e in nomination.events.select_related("actor")],
        "answer_form": rforms.AnswerForm(), "public": queries.public_item(nomination),
        "needs_consent": nomination.state == State.SUBMITTED and flow.COMMUNITY in roles}, status=status)


@require_POST
@permission_page(VIEW)
def step(request, pk: int, action: str):
    form = rforms.StepForm(request.POST)
    form.is_valid()
    consent = None
    if action == "verify" and request.POST.get("confirm_consent"):
        consent_form = rforms.ConsentForm(request.POST)
        consent_form.is_valid()
        consent = consent_form.consent()
    try:
        actions.transition_nomination(actor=request.user, nomination_id=pk, action=action,
                                      comment=form.cleaned_data.get("comment", ""), consent=consent)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        return detail(request, pk, error=exc.message, status=exc.status)
    messages.success(request, gettext("已办理。"))
    if action == "withdraw":
        return redirect("recognition:mine")
    return redirect("recognition:detail", pk=pk)


@require_POST
@permission_page(VIEW)
def answer(request, pk: int, objection_id: int):
    form = rforms.AnswerForm(request.POST)
    if not form.is_valid():
        return detail(request, pk, error=gettext("请选择结论并填写答复"), status=422)
    try:
        actions.answer_objection(actor=request.user, objection_id=objection_id, **form.cleaned_data)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        return detail(request, pk, error=exc.message, status=exc.status)
    messages.success(request, gettext("异议已答复。"))
    return redirect("recognition:detail", pk=pk)


@permission_page(VIEW)
def material(request, pk: int, material_id: int):
    """A supporting material, only for those who may see the nomination (never public)."""
    nomination = queries.nomination_visible(request.user, pk)
    row = Material.objects.filter(nomination=nomination, pk=material_id).first()
    if row is None:
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Content-Disposition"] = f"inline; filename=material-{row.pk}.{row.file.name.rsplit('.', 1)[-1]}"
    return response
