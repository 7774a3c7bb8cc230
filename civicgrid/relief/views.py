"""Relief and blocker pages: the list with the engine's KPIs for these case types, the intake (phone-first
for the enterprise contact; officers and the 12345 desk enter for an enterprise), one case with each
agency's task and deadline in plain words, its outcomes, and the workflow actions.

Adapters only: every step posts to `cases.actions.transition_case` — the same action behind
`POST /api/v1/cases/{id}/transitions` — and outcomes to `relief.actions.record_outcome`. Out of reach is
404; a refused step changes nothing and comes back with its Chinese message (422/403/409).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.models import DepartmentKind
from civicgrid.cases import actions as case_actions
from civicgrid.cases import queries as case_queries
from civicgrid.cases.choices import Channel
from civicgrid.cases.forms import TransitionForm
from civicgrid.cases.intake import channels_for
from civicgrid.cases.models import Case, CaseDepartment
from civicgrid.cases.workflow import engine
from civicgrid.cases.workflows import spec_for
from civicgrid.core import errors
from civicgrid.core.scoping import can, has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.enterprises import queries as enterprise_queries
from civicgrid.relief import actions, forms, queries
from civicgrid.relief.models import VIEW

INTAKE_CHANNELS = (Channel.ENTERPRISE, Channel.OFFICER, Channel.HOTLINE)
EXTERNAL_ROLES = {"lead": {"lead_unit", "department_handler"}, "co": {"co_unit", "department_handler"}}


def _is_contact_only(user) -> bool:
    return not has_perm_anywhere(user, "cases.view_kpis") and bool(enterprise_queries.own_enterprises(user))


# ---- lists -------------------------------------------------------------------------------------------

@permission_page(VIEW)
def index(request):
    user = request.user
    if _is_contact_only(user):
        return redirect("relief:mine")
    kind = "blocker" if request.GET.get("kind") == "blocker" else "relief"
    tab = request.GET.get("tab") or "open"
    if tab not in ("open", "overdue", "closed", "all"):
        raise Http404
    worklist = "" if tab == "all" else tab
    if kind == "blocker":
        rows = _rows(queries.blockers_visible(user, worklist=worklist)[:200], "blocker")
    else:
        rows = _rows(queries.reliefs_visible(user, worklist=worklist)[:200], "relief")
    return render(request, "relief/list.html", {
        "kind": kind, "tab": tab, "rows": rows, "counts": queries.counts(user),
        "kpis": queries.relief_kpis(user, case_type="enterprise_relief" if kind == "relief" else "project_blocker"),
        "can_submit": has_perm_anywhere(user, "cases.create_case")})


def _rows(links, kind: str) -> list[dict]:
    links = list(links)
    events = queries.case_events([link.case_id for link in links])  # one query for the whole list
    return [_row(link, kind, events[link.case_id]) for link in links]


def _row(link, kind: str, events: list[tuple]) -> dict:
    case = link.case
    deadlines = queries.lead_deadlines(case, events=events)
    current = next((d for d in deadlines if d["status"] in ("pending", "overdue")), None)
    return {"link": link, "kind": kind, "case": case_queries.present_row(case), "next": current,
            "subject": link.project.name if kind == "blocker" else link.enterprise.name,
            "tailored": getattr(link, "is_tailored", False)}


@permission_page(VIEW)
def mine(request):
    """The enterprise contact's own enterprises' relief cases and blockers (phone)."""
    user = request.user
    rows = _rows(queries.reliefs_visible(user)[:100], "relief")
    rows += _rows(queries.blockers_visible(user)[:100], "blocker")
    rows.sort(key=lambda r: r["case"]["created_at"], reverse=True)
    return render(request, "relief/mine.html", {"rows": rows,
                                                "can_submit": has_perm_anywhere(user, "cases.create_case")})


# ---- intake ------------------------------------------------------------------------------------------

def _channel(user) -> str:
    allowed = channels_for(user)
    channel = next((c for c in INTAKE_CHANNELS if c in allowed), None)
    if channel is None:
        raise errors.Forbidden("您的岗位不能登记企业诉求", code="channel_not_allowed")
    return channel


@require_http_methods(["GET", "POST"])
@permission_page("cases.create_case")
def new(request):
    user = request.user
    if request.GET.get("kind") == "blocker":
        return _new_blocker(request)
    channel = _channel(user)
    enterprises = (enterprise_queries.own_enterprises(user) if channel == Channel.ENTERPRISE
                   else list(enterprise_queries.enterprises_visible(user)[:1000]))
    form = forms.IntakeForm(request.POST or None, enterprises=enterprises, categories=queries.relief_categories(),
                            channel=channel)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            relief, created = actions.submit_relief(actor=user, idempotency_key=data["idempotency_key"],
                                                    data=actions.ReliefInput(
                enterprise_id=int(data["enterprise"]), category_code=data["category"],
                description=data["description"], channel=channel, reporter_name=data.get("reporter_name") or "",
                reporter_phone=data.get("reporter_phone") or "", is_tailored=bool(data.get("is_tailored"))))
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            text = gettext("已提交") if created else gettext("此前已提交")
            messages.success(request, gettext("%(text)s,编号 %(number)s。承办部门将在1个工作时内与您联系。") % {
                "text": text, "number": relief.case.number})
            return redirect("relief:detail", pk=relief.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "relief/new.html", {"form": form, "channel": channel, "kind": "relief"}, status=status)


def _new_blocker(request):
    from civicgrid.investment.models import Project

    user = request.user
    projects = list(Project.objects.visible_to(user, "investment.view_project").select_related("enterprise")
                    .order_by("name")[:500])
    form = forms.BlockerForm(request.POST or None, projects=projects, categories=queries.blocker_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            blocker, _ = actions.raise_blocker(actor=user, idempotency_key=data["idempotency_key"],
                                               data=actions.BlockerInput(project_id=int(data["project"]),
                                                                         category_code=data["category"],
                                                                         description=data["description"]))
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已提出堵点,编号 %(number)s") % {"number": blocker.case.number})
            return redirect("relief:blocker", pk=blocker.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "relief/new.html", {"form": form, "kind": "blocker"}, status=status)


# ---- one case ----------------------------------------------------------------------------------------

def _link(request, kind: str, pk: int):
    return queries.blocker_visible(request.user, pk) if kind == "blocker" else queries.relief_visible(request.user, pk)


def _externals(case: Case) -> dict[str, list]:
    """External departments on the case by the part they play: {"lead": [...], "co": [...]}."""
    rows = CaseDepartment.objects.filter(case=case, department__kind=DepartmentKind.EXTERNAL).select_related(
        "department")
    out = {"lead": [], "co": []}
    for row in rows:
        out["lead" if row.department_id == case.department_id else "co"].append(row.department)
    return out


def _action_forms(user, case: Case, *, failed: str = "", failed_form=None) -> list[dict]:
    """The actions this user may take now: their own, and — for an officer who may record for external
    departments — the external departments' (with the department to record for)."""
    spec = spec_for(case.workflow)
    own = case_queries.allowed_actions(user, case)
    externals = _externals(case) if can(user, "cases.record_external", case) else {"lead": [], "co": []}
    extra = {}
    for part, departments in externals.items():
        if departments:
            for t in engine.allowed(spec, case.state, EXTERNAL_ROLES[part], case_queries.case_conditions(case)):
                extra.setdefault(t.action, []).extend(departments)
    moves = list(own) + [t for t in spec.transitions if t.action in extra and t not in own]
    out = []
    for t in moves:
        if t.action == failed and failed_form is not None:
            form = failed_form
        else:
            form = _form_for(t, case, initial={"expected_event_count": case.event_count}, externals=extra.get(t.action),
                             external_only=t not in own)
        out.append({"transition": t, "form": form, "open": t.action == failed, "primary": t.target not in t.sources})
    return out


def _form_for(t, case: Case, *, data=None, initial=None, externals=None, external_only=False):
    if "assign_tasks" in t.effects:
        return forms.AssignForm(data, initial=initial, action=t.action, with_lead="department" in t.requires)
    form = TransitionForm(data, initial=initial, transition=t, case_type=case.case_type)
    if externals:
        form.fields["on_behalf_of"] = forms.external_choice(externals)
        form.fields["on_behalf_of"].required = external_only
    return form


def _page(request, link, kind: str, *, failed: str = "", failed_form=None, error: str = "", status: int = 200):
    user = request.user
    case = Case.objects.select_related("workflow", "category", "region", "department").get(pk=link.case_id)
    present = case_queries.present_case(case, user)
    context = {
        "kind": kind, "link": link, "case": present, "error": error,
        # staff who reach the case through its enterprise (the zone's desk) are staff all the same
        "staff": present["staff"] or not _is_contact_only(user),
        "may_flag": kind == "relief" and can(user, actions.RECORD, link),
        "actions": _action_forms(user, case, failed=failed, failed_form=failed_form),
        "deadlines": queries.lead_deadlines(case), "tasks": queries.tasks_of(case),
    }
    if kind == "relief":
        context["outcomes"] = [{"o": o, "text": queries.outcome_words(o)} for o in queries.outcomes_of(link)]
        if can(user, actions.RECORD, link) and case.state in actions.OUTCOME_STATES:
            departments = [cd.department for cd in CaseDepartment.objects.filter(case=case).select_related("department")]
            context["outcome_form"] = failed_form if failed == "outcome" else forms.OutcomeForm(departments=departments)
    return render(request, "relief/detail.html", context, status=status)


@permission_page(VIEW)
def detail(request, pk: int):
    return _page(request, _link(request, "relief", pk), "relief")


@permission_page(VIEW)
def blocker(request, pk: int):
    return _page(request, _link(request, "blocker", pk), "blocker")


@require_POST
@permission_page(VIEW)
def act(request, pk: int, action: str, kind: str = "relief"):
    """One workflow step, through the case engine's action (the same as the transitions API)."""
    link = _link(request, kind, pk)
    case = link.case
    spec = spec_for(case.workflow)
    try:
        transition = spec.transition(action)
    except KeyError:
        raise Http404 from None
    externals = [d for ds in _externals(case).values() for d in ds] if "on_behalf_of" in request.POST else None
    form = _form_for(transition, case, data=request.POST, externals=externals)
    if not form.is_valid():
        return _page(request, link, kind, failed=action, failed_form=form, status=422,
                     error=gettext("「%(a)s」未提交:请检查填写的内容") % {"a": transition.label})
    comment, facts = form.facts()
    try:
        case_actions.transition_case(actor=request.user, case_id=case.pk, action=action, comment=comment, facts=facts,
                                     expected_event_count=form.cleaned_data["expected_event_count"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        if isinstance(exc, errors.ValidationFailed):
            form.add_domain_error(exc)
        return _page(request, link, kind, failed=action, failed_form=form, error=exc.message, status=exc.status)
    messages.success(request, gettext("已%(a)s") % {"a": transition.label})
    return redirect("relief:blocker" if kind == "blocker" else "relief:detail", pk=pk)


@require_POST
@permission_page(VIEW)
def outcome(request, pk: int):
    link = _link(request, "relief", pk)
    departments = [cd.department for cd in CaseDepartment.objects.filter(case=link.case).select_related("department")]
    form = forms.OutcomeForm(request.POST, departments=departments)
    if not form.is_valid():
        return _page(request, link, "relief", failed="outcome", failed_form=form, status=422,
                     error=gettext("成效未登记:请检查填写的内容"))
    data = form.cleaned_data
    try:
        actions.record_outcome(actor=request.user, relief_id=link.pk, data=actions.OutcomeInput(
            kind=data["kind"], amount=data.get("amount"), currency=data.get("currency") or "", jobs=data.get("jobs"),
            note=data.get("note") or "", department=data.get("department") or ""))
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        if isinstance(exc, errors.ValidationFailed):
            form.add_domain_error(exc)
        return _page(request, link, "relief", failed="outcome", failed_form=form, error=exc.message,
                     status=exc.status)
    messages.success(request, gettext("成效已登记"))
    return redirect("relief:detail", pk=pk)


@require_POST
@permission_page(VIEW)
def tailored(request, pk: int):
    """一企一策: the desk flags (or unflags) a relief case as a multi-agency package."""
    link = _link(request, "relief", pk)
    flag = request.POST.get("tailored") == "1"
    actions.set_tailored(actor=request.user, relief_id=link.pk, tailored=flag)
    messages.success(request, gettext("已标记为一企一策") if flag else gettext("已取消一企一策标记"))
    return redirect("relief:detail", pk=pk)
