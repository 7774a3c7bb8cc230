"""Project and investment pages: the project list and page (milestones, approvals, monthly reports, open
blockers), the phone page where an enterprise contact reports a month, the departments' review queue, the
leads board, funds in place with the year-on-year summary and chart, and the investment board.

Adapters only: parse, call one action or query, render. Reads start scoped, so a project out of reach is
404; a refused action changes nothing and its Chinese message comes back on the page (422 for bad input,
403 for a reader such as the leader). Chart data goes into the page as JSON text (`json_script`) read by
a static script; no inline script.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.core import errors
from civicgrid.core.scoping import can, has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.enterprises import queries as zone_queries
from civicgrid.enterprises.models import ApprovalItem
from civicgrid.investment import actions, growth, queries
from civicgrid.investment import forms as iforms
from civicgrid.investment.choices import LEAD_STAGE_ORDER, LeadStage, ReportStatus
from civicgrid.investment.models import VIEW_ATTRACTION, VIEW_PROJECT

PAGE_SIZE = 30
CHANGE = "investment.change_project"
REPORT = "investment.report_investment"
REVIEW = "investment.review_report"
MANAGE = "investment.manage_attraction"


@login_required
def hub(request):
    """Officers and leaders land on the project list, enterprise contacts on their reporting page."""
    if has_perm_anywhere(request.user, VIEW_ATTRACTION):
        return redirect("investment:projects")
    if has_perm_anywhere(request.user, REPORT):
        return redirect("investment:mine")
    raise PermissionDenied


# ---- projects ----------------------------------------------------------------------------------------

@permission_page(VIEW_PROJECT)
def project_list(request):
    form = iforms.ProjectFilterForm(request.GET or None, parks=zone_queries.parks())
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.projects_visible(request.user, q=filters.get("q", ""), stage=filters.get("stage", ""),
                                  park=filters.get("park", ""), key=bool(filters.get("key")),
                                  started_year=filters.get("started"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "investment/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "stages": queries.stage_counts(request.user),
        "can_register": has_perm_anywhere(request.user, CHANGE),
        "can_attraction": has_perm_anywhere(request.user, VIEW_ATTRACTION)})


def _review_departments():
    return Department.objects.filter(kind=DepartmentKind.ZONE, is_active=True).order_by("code")


@require_http_methods(["GET", "POST"])
@permission_page(CHANGE)
def project_new(request):
    enterprises = zone_queries.enterprises_visible(request.user)
    form = iforms.ProjectForm(request.POST or None, enterprises=enterprises, departments=_review_departments(),
                              initial={"signed_on": queries.today()})
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.register_project(actor=request.user, data=form.project_input(),
                                               idempotency_key=form.cleaned_data["idempotency_key"] or None)
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已登记项目 %(name)s。") % {"name": project.name})
            return redirect("investment:project", pk=project.pk)
    return render(request, "investment/new.html", {"form": form},
                  status=422 if request.method == "POST" else 200)


def _blockers(user, project):
    """The relief app's open blockers of the project (civicgrid.relief.queries.open_blockers), when the app
    is installed."""
    if not apps.is_installed("civicgrid.relief"):
        return None
    from civicgrid.relief import queries as relief

    return relief.open_blockers(user, project)


def _project_context(request, project, **extra) -> dict:
    user = request.user
    on = queries.today()
    can_change = can(user, CHANGE, project)
    can_report = can(user, REPORT, project)
    reports = list(queries.reports_of(project))
    next_stage = project.next_stage
    return {
        "p": project, "on": on, "milestones": list(queries.milestones_of(project)), "reports": reports,
        "accepted_total": sum((r.amount for r in reports if r.status == ReportStatus.ACCEPTED), 0),
        "approvals": list(queries.approvals_of(project)), "blockers": _blockers(user, project),
        "can_change": can_change, "can_report": can_report,
        "stage_form": extra.pop("stage_form", None) or (iforms.StageForm(initial={
            "stage": next_stage, "happened_on": on}) if can_change and next_stage else None),
        "approval_form": extra.pop("approval_form", None) or (iforms.ApprovalForm(
            items=ApprovalItem.objects.filter(is_active=True).select_related("department"))
            if can_change else None),
        "report_form": extra.pop("report_form", None) or (iforms.ReportForm(initial={"month": on.replace(day=1)})
                                                          if can_report else None),
        **extra,
    }


@permission_page(None)  # out of reach (a resident too) is 404, as in the API
def project_detail(request, pk: int):
    project = queries.project_visible(request.user, pk)
    return render(request, "investment/detail.html", _project_context(request, project))


@require_POST
@permission_page(None)
def advance(request, pk: int):
    project = queries.project_visible(request.user, pk)
    form = iforms.StageForm(request.POST)
    if form.is_valid():
        try:
            actions.advance_stage(actor=request.user, project_id=project.pk, **form.cleaned_data)
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("项目阶段已更新。"))
            return redirect("investment:project", pk=pk)
    return render(request, "investment/detail.html", _project_context(request, project, stage_form=form), status=422)


@require_POST
@permission_page(None)
def record_approval(request, pk: int):
    project = queries.project_visible(request.user, pk)
    form = iforms.ApprovalForm(request.POST, items=ApprovalItem.objects.filter(is_active=True)
                               .select_related("department"))
    if form.is_valid():
        try:
            actions.record_approval(actor=request.user, project_id=project.pk, **form.cleaned_data)
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已登记审批事项。"))
            return redirect(f"{reverse('investment:project', args=[pk])}#approvals")
    return render(request, "investment/detail.html", _project_context(request, project, approval_form=form),
                  status=422)


# ---- monthly reports ---------------------------------------------------------------------------------

def _submit(request, project, form) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        actions.submit_report(actor=request.user, project_id=project.pk, month=data["month"],
                              amount_yuan=data["amount_yuan"], cumulative=data["cumulative"], note=data["note"],
                              idempotency_key=data["idempotency_key"] or None)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        form.add_domain_error(exc)
        return False
    messages.success(request, gettext("已提交 %(m)s 的投资月报,等待审核。") % {"m": data["month"].strftime("%Y-%m")})
    return True


@require_POST
@permission_page(None)
def submit_report(request, pk: int):
    """A month's report from the project page or the contact's phone page (`next=mine` returns there)."""
    project = queries.project_visible(request.user, pk)
    form = iforms.ReportForm(request.POST)
    back_to_mine = request.POST.get("next") == "mine"
    if _submit(request, project, form):
        return redirect("investment:mine" if back_to_mine else reverse("investment:project", args=[pk]))
    if back_to_mine:
        return render(request, "investment/mine.html", _mine_context(request, form=form, selected=project),
                      status=422)
    return render(request, "investment/detail.html", _project_context(request, project, report_form=form),
                  status=422)


def _mine_context(request, *, form=None, selected=None) -> dict:
    on = queries.today()
    cards = []
    for project in queries.projects_to_report(request.user):
        latest = project.by_month[0] if project.by_month else None
        cards.append({"p": project, "latest": latest,
                      "form": form if selected is not None and selected.pk == project.pk else iforms.ReportForm(
                          initial={"month": on.replace(day=1)})})
    return {"cards": cards, "on": on}


@permission_page(REPORT)
def mine(request):
    """The enterprise contact's phone page: their projects, the last report and a form for this month."""
    return render(request, "investment/mine.html", _mine_context(request))


@permission_page(REVIEW)
def review_queue(request):
    rows = list(queries.reports_to_review(request.user)[:200])
    return render(request, "investment/review.html", {"rows": rows})


@require_POST
@permission_page(REVIEW)
def review(request, report_pk: int):
    form = iforms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择通过或退回。"))
        return redirect("investment:review")
    try:
        report = actions.review_report(actor=request.user, report_id=report_pk,
                                       accept=form.cleaned_data["decision"] == "accept",
                                       note=form.cleaned_data["note"])
    except (errors.ValidationFailed, errors.Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("%(p)s %(m)s 月报:%(s)s。") % {
            "p": report.project.name, "m": report.month.strftime("%Y-%m"), "s": report.get_status_display()})
    return redirect("investment:review")


# ---- leads, funds, board -----------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@permission_page(VIEW_ATTRACTION)
def leads(request):
    can_manage = has_perm_anywhere(request.user, MANAGE)
    form = iforms.LeadForm(request.POST or None, parks=zone_queries.parks(), initial={"found_on": queries.today()})
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
            try:
                lead = actions.create_lead(actor=request.user, data=actions.LeadInput(**data),
                                           idempotency_key=form.cleaned_data["idempotency_key"] or None)
            except errors.ValidationFailed as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, gettext("已登记线索 %(name)s。") % {"name": lead.name})
                return redirect("investment:leads")
        status = 422
    columns = queries.pipeline(request.user)
    for column in columns:
        index = LEAD_STAGE_ORDER.index(column["stage"])
        column["next"] = LEAD_STAGE_ORDER[index + 1] if index + 1 < len(LEAD_STAGE_ORDER) else None
        column["next_name"] = LeadStage(column["next"]).label if column["next"] else ""
    return render(request, "investment/leads.html", {"columns": columns, "form": form if can_manage else None,
                                                     "on": queries.today()}, status=status)


@require_POST
@permission_page(MANAGE)
def advance_lead(request, pk: int):
    form = iforms.LeadStageForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("日期无效。"))
        return redirect("investment:leads")
    try:
        lead = actions.advance_lead(actor=request.user, lead_id=pk, **form.cleaned_data)
    except errors.ValidationFailed as exc:
        messages.error(request, f"{exc.message}({exc.code})")
    else:
        messages.success(request, gettext("%(name)s 已推进到“%(stage)s”。") % {
            "name": lead.name, "stage": lead.get_stage_display()})
    return redirect("investment:leads")


def _year(request, on: date) -> int:
    try:
        year = int(request.GET.get("year") or on.year)
    except ValueError:
        year = on.year
    return year if 2000 <= year <= 2099 else on.year


@require_http_methods(["GET", "POST"])
@permission_page(VIEW_ATTRACTION)
def funds(request):
    on = queries.today()
    year = _year(request, on)
    can_manage = has_perm_anywhere(request.user, MANAGE)
    form = iforms.FundsForm(request.POST or None, initial={"received_on": on})
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
            try:
                actions.record_funds(actor=request.user, data=actions.FundsInput(**data),
                                     idempotency_key=form.cleaned_data["idempotency_key"] or None)
            except errors.ValidationFailed as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, gettext("已登记到位资金。"))
                return redirect("investment:funds")
        status = 422
    since, until = growth.first_half(on if year == on.year else date(year, 12, 31))
    page = Paginator(queries.funds_visible(request.user, since=date(year, 1, 1), until=date(year, 12, 31)),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "investment/funds.html", {
        "year": year, "on": on, "h1": queries.funds_growth(request.user, since, until), "since": since, "until": until,
        "chart": queries.funds_chart(request.user, year), "page": page, "form": form if can_manage else None},
        status=status)


@permission_page(VIEW_ATTRACTION)
def board(request):
    """The investment board: key projects over 27 亿元, the year's investment by month and the funds chart."""
    on = queries.today()
    since, until = growth.first_half(on)
    return render(request, "investment/board.html", queries.board_summary(request.user, on) | {
        "h1": queries.funds_growth(request.user, since, until), "since": since, "until": until})

