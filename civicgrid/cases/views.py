"""Case pages (mobile first: residents and grid workers use a phone, dispatchers a desk). Adapters only:
parse, call one action or query, render. Out-of-scope cases are 404; a refused action changes nothing and
shows the action's Chinese message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.cases import actions, merging, queries
from civicgrid.cases.forms import CaseFilterForm, ReportForm, TransitionForm
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Attachment, Case, Notification
from civicgrid.cases.uploads import evidence
from civicgrid.cases.workflows import spec_for
from civicgrid.core import errors
from civicgrid.core.scoping import get_visible
from civicgrid.core.web import permission_page

PAGE_SIZE = 20
RELATED = ("workflow", "category", "region", "department", "merged_into")


def case_page(perm: str | None = queries.VIEW):
    return permission_page(perm)


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without(request, *keys) -> str:
    query = request.GET.copy()
    for key in ("page", *keys):
        query.pop(key, None)
    return query.urlencode()


# ---- worklists ---------------------------------------------------------------------------------------

@case_page()
def case_list(request):
    user = request.user
    if queries.is_self_scoped(user):
        return redirect("cases:mine")  # a resident's cases are their own requests
    tabs = queries.worklist_tabs(user)
    keys = {t["key"] for t in tabs}
    tab = request.GET.get("tab") or ("todo" if tabs[0]["count"] else "open")
    if tab not in keys:
        tab = "open"
    form = CaseFilterForm(request.GET or None)
    filters = form.filters()
    qs = queries.list_cases(user, worklist="" if tab == "all" else tab, **filters)
    page = _page(request, qs)
    return render(request, "cases/list.html", {
        "tabs": tabs, "tab": tab, "form": form, "page": page,
        "rows": [queries.present_row(c) for c in page.object_list],
        "query": _query_without(request), "filter_query": _query_without(request, "tab"),
        "filtered": bool(filters), "unread": queries.unread_count(user),
    })


# ---- one case ----------------------------------------------------------------------------------------

def _case(request, pk: int) -> Case:
    return get_visible(Case.objects.select_related(*RELATED), request.user, queries.VIEW, pk=pk)


def _detail(request, case: Case, *, failed: str = "", failed_form=None, error: str = "", status: int = 200):
    """Render the detail page; `failed` names the action whose form comes back with its errors."""
    managed_url = actions.MANAGED_BY_APP.get(case.case_type)
    allowed = [] if managed_url else queries.allowed_actions(request.user, case)
    spec = spec_for(case.workflow)
    forms = []
    for t in allowed:
        if t.action == failed and failed_form is not None:
            form = failed_form
        else:
            form = TransitionForm(transition=t, case_type=case.case_type, closes=spec.state(t.target).terminal,
                                  initial=queries.action_initial(case, t))
        forms.append({"transition": t, "form": form, "open": t.action == failed,
                      "primary": t.target not in t.sources})  # moves the case on (not 催办/督办/延期 loops)
    shown = queries.present_case(case, request.user)
    sides = queries.evidence_sides(case)
    return render(request, "cases/detail.html", {
        "case": shown, "actions": forms, "error": error, "failed": failed, "sides": sides,
        "evidence_columns": [("before", gettext("处置前"), sides["before"]), ("after", gettext("处置后"), sides["after"])],
        "managed_url": managed_url,
        "duplicates": merging.candidates(request.user, case) if shown["staff"] else [],
        "can_unmerge": merging.can_unmerge(request.user, case),
    }, status=status)


@case_page()
def case_photo(request, pk: int, photo_id: int):
    """A case photo (the metadata-free copy), only for those who may see the case."""
    case = _case(request, pk)
    photo = get_object_or_404(Attachment, case=case, pk=photo_id)
    if photo.pending and photo.uploaded_by_id != request.user.pk:
        raise Http404  # a step's upload is its uploader's until the step is taken
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@case_page()
def case_detail(request, pk: int):
    return _detail(request, _case(request, pk))


@require_POST
@case_page()
def case_act(request, pk: int, action: str):
    """Post one workflow action: the form asks exactly the facts it requires; the action decides."""
    case = _case(request, pk)
    try:
        transition = spec_for(case.workflow).transition(action)
    except KeyError:
        raise Http404 from None
    form = TransitionForm(request.POST, request.FILES, transition=transition, case_type=case.case_type,
                          closes=spec_for(case.workflow).state(transition.target).terminal)
    if not form.is_valid():
        return _detail(request, case, failed=action, failed_form=form, status=422,
                       error=gettext("「%(action)s」未提交:请检查填写的内容") % {
                           "action": queries.transition_label(transition)})
    comment, facts = form.facts()
    try:
        result = evidence.transition_with_files(
            actor=request.user, case_id=case.pk, action=action, uploads=form.uploads(), comment=comment,
            facts=facts, expected_event_count=form.cleaned_data["expected_event_count"])
    except errors.NotFound:
        raise  # 404 via case_page
    except errors.DomainError as exc:
        case = _case(request, pk)  # show what is there now
        if isinstance(exc, errors.Conflict):
            message = f"{exc.message}。" if exc.code == "case_changed" else f"{exc.message}(案件可能已被他人处理,请刷新)"
            return _detail(request, case, error=message, status=409)
        if exc.code == "missing_fields" or isinstance(exc, errors.ValidationFailed):
            form.add_domain_error(exc)
        return _detail(request, case, failed=action, failed_form=form, error=exc.message, status=exc.status)
    spec = spec_for(result.case.workflow)
    messages.success(request, gettext("已%(action)s。案件当前状态:%(state)s") % {
        "action": queries.transition_label(transition),
        "state": queries.state_label(result.case.case_type, result.case.state, spec)})
    return redirect("cases:detail", pk=pk)


def _merge_step(request, back: int, run, done: str):
    """Run one merge or unmerge; a refusal shows its message on the page the user came from."""
    try:
        run()
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        return _detail(request, _case(request, back), error=exc.message, status=exc.status)
    messages.success(request, done)
    return redirect("cases:detail", pk=back)


@require_POST
@case_page()
def case_merge(request, pk: int):
    """合并重复件: this case into the one named by `into` (one action with a reason), back to `back`."""
    back, into, count = (request.POST.get(k, "") for k in ("back", "into", "expected_event_count"))

    def run():
        if not into.isdigit():
            raise errors.ValidationFailed("请选择合并到的案件", code="merge_target_invalid")
        merging.merge(actor=request.user, case_id=pk, into_id=int(into), reason=request.POST.get("reason", ""),
                      expected_event_count=int(count) if count.isdigit() else None)

    return _merge_step(request, int(back) if back.isdigit() else pk, run,
                       gettext("已合并,并已告知被合并案件的反映人"))


@require_POST
@case_page()
def case_unmerge(request, pk: int):
    """撤销合并 (the same day only)."""
    return _merge_step(request, pk,
                       lambda: merging.unmerge(actor=request.user, case_id=pk, reason=request.POST.get("reason", "")),
                       gettext("已撤销合并,案件回到合并前的环节"))


# ---- report a problem --------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@case_page("cases.create_case")
def report(request):
    user = request.user
    channels = queries.intake_channels(user)  # the default first; field workers choose among several
    channel = channels[0]
    form = ReportForm(request.POST or None, request.FILES or None, channel=channel, channels=channels,
                      category_code=request.GET.get("category", ""))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = form.chosen_channel()
        name = data.get("reporter_name") or ("" if chosen != "resident" else (user.display_name or ""))
        intake = IntakeInput(
            description=data["description"], channel=chosen, category_code=data["category"], title=data["title"],
            lat=data["lat"], lng=data["lng"], address=data["address"],
            region_code="" if data["lat"] is not None else data["region"], answers=form.answers(),
            reporter_name=name, **form.contact(), photos=[f.read() for f in data["photos"]],
        )
        try:
            result = actions.submit_case(actor=user, data=intake, idempotency_key=data["idempotency_key"])
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            case = result.case
            text = "已提交" if result.created else "此前已提交"
            messages.success(request, f"{text},案件编号 {case.number}。处理进展会通知您。")
            return redirect("cases:detail", pk=case.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "cases/report.html", {"form": form, "channel": channel}, status=status)


@case_page("cases.create_case")
def report_questions(request):
    """The chosen category's extra questions (htmx fragment of the report form)."""
    form = ReportForm(channel=queries.intake_channel(request.user), category_code=request.GET.get("category", ""))
    return render(request, "cases/_questions.html", {"form": form})


# ---- my requests, board, inbox -----------------------------------------------------------------------

@case_page()
def mine(request):
    page = _page(request, queries.my_requests(request.user))
    last = queries.last_events(c.pk for c in page.object_list)
    rows = []
    for case in page.object_list:
        spec = spec_for(case.workflow)
        event = last.get(case.pk)
        moves = queries.allowed_actions(request.user, case)
        rows.append({**queries.present_row(case),
                     "last_action": queries.action_label(spec, event.action) if event else "",
                     "last_at": event.created_at if event else None,
                     "rate": next((t for t in moves if t.requires & {"satisfaction"}), None)})
    return render(request, "cases/mine.html", {"page": page, "rows": rows, "query": "",
                                               "unread": queries.unread_count(request.user)})


@case_page("cases.view_kpis")
def board(request):
    return render(request, "cases/board.html", {"board": queries.board_summary(request.user)})


@case_page()
def inbox(request):
    page = _page(request, queries.notifications_for(request.user))
    return render(request, "cases/inbox.html", {"page": page, "unread": queries.unread_count(request.user),
                                                "query": ""})


@require_POST
@case_page()
def inbox_read_all(request):
    count = actions.mark_notifications_read(user=request.user)
    messages.success(request, f"已将 {count} 条消息标为已读")
    return redirect("cases:inbox")


@case_page()
def inbox_open(request, pk: int):
    """Open one message: mark it read and go to its case (or back to the inbox)."""
    note = Notification.objects.filter(user=request.user, pk=pk).first()
    if note is None:
        raise Http404
    actions.mark_notifications_read(user=request.user, pk=pk)
    return redirect("cases:detail", pk=note.case_id) if note.case_id else redirect("cases:inbox")
