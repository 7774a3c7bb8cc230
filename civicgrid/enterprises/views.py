"""High-tech zone and enterprise pages: the zone overview with its parks map, the enterprise list with
import and export, the enterprise 360° page, the officer's worklist, the pre-check ranking, the enterprise
contact's portal (phone first) and the public approvals catalogue.

Adapters only: parse, call one action or query, render. Reads start scoped, so an enterprise out of reach
is 404; a refused action changes nothing and its Chinese message comes back on the page (422 for bad
input, 403 for a reader such as the leader). Data for charts and maps goes into the page as JSON text
(`json_script`) read by static scripts; no inline script.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import can, has_perm_anywhere, require
from civicgrid.core.web import XLSX, permission_page
from civicgrid.enterprises import actions, excel, queries
from civicgrid.enterprises import forms as eforms
from civicgrid.enterprises.choices import ApprovalMode, ParkTheme, SizeClass

PAGE_SIZE = 30
ZONE = "enterprises.view_zone"


def _figures():
    from civicgrid.figures import registry

    return {item["key"]: item["values"] for item in registry.compute(queries.today(), keys=[
        "high_tech_enterprises", "innovation_qualifications", "patents", "main_board_listed", "delegated_approvals",
        "zone_area"])}


def _investment_board(user, on):
    """The investment board and the funds-in-place chart of the zone overview (civicgrid.investment)."""
    if not has_perm_anywhere(user, "investment.view_attraction"):
        return None
    from civicgrid.investment import queries as investment

    return investment.board_summary(user, on)


def _domain_panels(user, enterprise) -> dict:
    """The 360° page's sections from the later domains, each from its app's own query when the app is
    installed (None otherwise): projects, relief cases and blockers, subsidies, innovation."""
    from importlib import import_module

    sources = {"projects": ("civicgrid.investment", "enterprise_projects"),
               "relief_panel": ("civicgrid.relief", "enterprise_panel"),
               "subsidies_panel": ("civicgrid.subsidies", "enterprise_subsidies"),
               "innovation_panel": ("civicgrid.innovation", "for_enterprise")}
    return {key: getattr(import_module(f"{app}.queries"), function)(user, enterprise)
            if apps.is_installed(app) else None for key, (app, function) in sources.items()}


# ---- hub ---------------------------------------------------------------------------------------------

@login_required
def hub(request):
    """Officers and leaders land on the zone overview, enterprise contacts on their portal."""
    if has_perm_anywhere(request.user, ZONE):
        return redirect("enterprises:zone")
    if queries.own_enterprises(request.user):
        return redirect("enterprises:portal")
    raise PermissionDenied


@permission_page(ZONE)
def zone(request):
    on = queries.today()
    counts = queries.zone_counts(request.user, on)
    show_figures = has_perm_anywhere(request.user, "figures.view_figures")
    charts = {"by_park": counts["by_park"], "by_qualification": counts["by_qualification"],
              "by_size": [{"name": str(dict(SizeClass.choices).get(k, gettext("未测算"))), "count": v}
                          for k, v in sorted(counts["by_size"].items())],
              "by_section": [{"name": k, "count": v} for k, v in counts["by_section"].items()]}
    return render(request, "enterprises/zone.html", {
        "on": on, "counts": counts, "figures": _figures() if show_figures else None, "charts": charts,
        "area": queries.zone_area(), "zone": queries.the_zone(), "parks": queries.parks(),
        "can_change": has_perm_anywhere(request.user, "enterprises.change_enterprise"),
        "investment": _investment_board(request.user, on), "relief_kpis": _relief_kpis(request.user)})


def _relief_kpis(user) -> dict | None:
    """The relief cases' 响应率/按期结案率/满意率 this year, from the case engine's KPIs (relief app)."""
    if not apps.is_installed("civicgrid.relief"):
        return None
    from civicgrid.relief import queries as relief

    on = queries.today()
    return relief.relief_kpis(user, since=on.replace(month=1, day=1), until=on)


@permission_page(ZONE)
def parks_geojson(request):
    return JsonResponse(queries.parks_geojson(request.user))


# ---- list, import, export ----------------------------------------------------------------------------

@permission_page(ZONE)
def enterprise_list(request):
    form = eforms.filter_form(request.GET)
    qs = queries.enterprises_visible(request.user, **eforms.list_filters(form, request.GET))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_import": has_perm_anywhere(request.user, excel.IMPORT),
        "can_export": has_perm_anywhere(request.user, excel.EXPORT)})


@permission_page(excel.IMPORT)
def import_template(request):
    response = HttpResponse(excel.template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="enterprises-template.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
@permission_page(excel.IMPORT)
def import_(request):
    form = eforms.ImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.import_enterprises_xlsx(actor=request.user, file=form.cleaned_data["file"],
                                                   dry_run=form.cleaned_data["dry_run"])
        except errors.ValidationFailed as exc:
            form.add_error(None, exc.message)
            report, status = exc.details if isinstance(exc.details, list) else None, 422
        except errors.Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            verb = gettext("检查通过") if result.dry_run else gettext("已导入")
            messages.success(request, gettext("%(verb)s:共 %(rows)s 行,新增 %(created)s 家,更新 %(updated)s 家。") % {
                "verb": verb, "rows": result.rows, "created": result.created, "updated": result.updated})
            if not result.dry_run:
                return redirect("enterprises:list")
    return render(request, "enterprises/import.html", {"form": form, "report": report, "columns": excel.COLUMNS},
                  status=status)


# ---- register and change -----------------------------------------------------------------------------

def _parks_for(user) -> list:
    """The parks the user may register enterprises in."""
    from civicgrid.enterprises.models import Enterprise

    return [p for p in queries.parks() if can(user, "enterprises.change_enterprise", Enterprise(park=p))]


@require_http_methods(["GET", "POST"])
@permission_page("enterprises.change_enterprise")
def register(request):
    parks = _parks_for(request.user)
    form = eforms.EnterpriseForm(request.POST or None, parks=parks)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = actions.register_enterprise(actor=request.user, data=form.enterprise_input(),
                                                     idempotency_key=form.cleaned_data["idempotency_key"] or None)
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已登记 %(name)s。") % {"name": enterprise.name})
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/edit.html", {"form": form, "enterprise": None},
                  status=422 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@permission_page(None)
def edit(request, pk: int):
    enterprise = queries.enterprise_visible(request.user, pk)
    require(request.user, "enterprises.change_enterprise", enterprise)
    parks = _parks_for(request.user)
    form = eforms.EnterpriseForm(request.POST or None, parks=parks,
                                 initial=eforms.EnterpriseForm.initial_for(enterprise))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_enterprise(actor=request.user, enterprise_id=enterprise.pk, data=form.enterprise_input())
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/edit.html", {"form": form, "enterprise": enterprise},
                  status=422 if request.method == "POST" else 200)


# ---- the 360° page -----------------------------------------------------------------------------------

def _detail_context(request, enterprise, **extra) -> dict:
    user = request.user
    on = queries.today()
    metrics = queries.read_metrics(user, enterprise) if queries.may_read_metrics(user, enterprise) else None
    qualifications = [{"q": q, "badge": queries.expiry_badge(q, on), "days_left": q.days_left(on)}
                      for q in queries.qualifications_of(enterprise)]
    rows = metrics["metrics"] if metrics else []
    trend = {"years": [m.year for m in rows],
             "revenue": [float(m.revenue) / 10000 if m.revenue is not None else None for m in rows],
             "rd_expense": [float(m.rd_expense) / 10000 if m.rd_expense is not None else None for m in rows],
             "staff": [m.staff for m in rows]}
    can_change = can(user, "enterprises.change_enterprise", enterprise)
    can_report = can(user, "enterprises.report_metrics", enterprise)
    kinds = list(queries.qualification_kinds())
    return {
        "e": enterprise, "on": on, "metrics": metrics, "trend": trend, "qualifications": qualifications,
        "patents": list(queries.patents_of(enterprise)[:50]), "patent_summary": queries.patent_summary(enterprise, on),
        "contacts": list(queries.contacts_of(enterprise)), "reports": queries.latest_reports_of(enterprise),
        "can_change": can_change, "can_report": can_report,
        "can_precheck": can(user, "enterprises.run_precheck", enterprise),
        "metrics_form": extra.pop("metrics_form", None) or (eforms.MetricsForm(initial={"year": on.year - 1})
                                                            if can_report else None),
        "qualification_form": extra.pop("qualification_form", None) or (eforms.QualificationForm(kinds=kinds)
                                                                        if can_change else None),
        **_domain_panels(user, enterprise),
        **extra,
    }


@permission_page(None)  # out of reach (a resident too) is 404, as in the API
def detail(request, pk: int):
    enterprise = queries.enterprise_visible(request.user, pk)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise))


@require_POST
@permission_page(None)  # the action checks the permission: 404 out of reach, 403 for a reader
def submit_metrics(request, pk: int):
    """Yearly metrics from the 360° page or the contact portal (`next=portal` returns there)."""
    enterprise = queries.enterprise_visible(request.user, pk)
    require(request.user, "enterprises.report_metrics", enterprise)
    form = eforms.MetricsForm(request.POST)
    back_to_portal = request.POST.get("next") == "portal"
    if form.is_valid():
        try:
            actions.report_metrics(actor=request.user, enterprise_id=enterprise.pk, year=form.cleaned_data["year"],
                                   values=form.values())
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已提交 %(year)s 年度经营数据。") % {"year": form.cleaned_data["year"]})
            return redirect("enterprises:portal" if back_to_portal else reverse("enterprises:detail", args=[pk]))
    if back_to_portal:
        return render(request, "enterprises/portal.html", _portal_context(request, metrics_form=form,
                                                                          selected=enterprise), status=422)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise, metrics_form=form),
                  status=422)


@require_POST
@permission_page(None)
def add_qualification(request, pk: int):
    enterprise = queries.enterprise_visible(request.user, pk)
    require(request.user, "enterprises.change_enterprise", enterprise)
    form = eforms.QualificationForm(request.POST, kinds=queries.qualification_kinds())
    if form.is_valid():
        data = actions.QualificationInput(**{k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"})
        try:
            actions.record_qualification(actor=request.user, enterprise_id=enterprise.pk, data=data,
                                         idempotency_key=form.cleaned_data["idempotency_key"] or None)
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, gettext("已登记资质。"))
            return redirect("enterprises:detail", pk=pk)
    return render(request, "enterprises/detail.html", _detail_context(request, enterprise, qualification_form=form),
                  status=422)


@require_POST
@permission_page(None)
def run_precheck(request, pk: int):
    enterprise = queries.enterprise_visible(request.user, pk)
    require(request.user, "enterprises.run_precheck", enterprise)
    try:
        actions.run_precheck(actor=request.user, enterprise_id=enterprise.pk)
    except errors.ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已按现行规则重新预审。"))
    return redirect(f"{reverse('enterprises:detail', args=[pk])}#precheck")


# ---- worklist and ranking ----------------------------------------------------------------------------

@permission_page("enterprises.change_enterprise")
def worklist(request):
    on = queries.today()
    expiring = list(queries.expiring_qualifications(request.user, on=on)[:100])
    missing = queries.missing_metrics(request.user)
    tiers = [(v, queries.candidates(request.user, v.tier, limit=5)) for v in queries.current_rulesets()]
    return render(request, "enterprises/worklist.html", {
        "on": on, "expiring": [{"q": q, "days_left": q.days_left(on)} for q in expiring],
        "missing": missing[:50], "missing_count": missing.count(), "missing_year": on.year - 1, "tiers": tiers})


@permission_page(ZONE)
def ranking(request):
    versions = queries.current_rulesets()
    tier = request.GET.get("tier") or (versions[0].tier if versions else "")
    return render(request, "enterprises/ranking.html", {
        "versions": versions, "tier": tier, "rows": queries.candidates(request.user, tier, limit=50) if tier else []})


# ---- the contact portal (phone first) ----------------------------------------------------------------

def _portal_context(request, *, metrics_form=None, selected=None) -> dict:
    mine = queries.own_enterprises(request.user)
    on = queries.today()
    cards = []
    for enterprise in mine:
        cards.append({
            "e": enterprise,
            "qualifications": [{"q": q, "badge": queries.expiry_badge(q, on), "days_left": q.days_left(on)}
                               for q in queries.qualifications_of(enterprise)],
            "patents": queries.patent_summary(enterprise, on),
            "reported_years": list(enterprise.metrics.order_by("-year").values_list("year", flat=True)[:5]),
            "form": metrics_form if selected is not None and selected.pk == enterprise.pk else eforms.MetricsForm(
                initial={"year": on.year - 1}),
        })
    return {"cards": cards, "on": on}


@permission_page("enterprises.use_portal")
def portal(request):
    context = _portal_context(request)
    if not context["cards"]:
        raise PermissionDenied
    return render(request, "enterprises/portal.html", context)


# ---- public ------------------------------------------------------------------------------------------

def approvals(request):
    """The public catalogue of approval items delegated to the zone (项目审批不出高新区)."""
    q = request.GET.get("q", "")
    department = request.GET.get("department", "")
    mode = request.GET.get("mode", "")
    items = queries.approval_items(q=q, department=department, mode=mode if mode in ApprovalMode.values else "")
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/approvals.html", {
        "page": page, "q": q, "department": department, "mode": mode, "modes": ApprovalMode.choices,
        "departments": queries.approval_departments(), "total": items.count(), "query": query.urlencode(),
        "themes": ParkTheme.choices})
