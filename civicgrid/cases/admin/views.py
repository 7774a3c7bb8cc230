"""Admin pages for the routing table and the category catalogue (`cases.manage_routing`, the system admin).
Adapters only: parse a form, call one admin action or read, render. Anonymous -> login, others -> 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.cases import queries
from civicgrid.cases.admin import actions as admin_actions
from civicgrid.cases.admin.actions import PERM, UNIT_LABELS
from civicgrid.cases.admin.forms import (
    CategoryForm,
    QuestionFormSet,
    RouteTestForm,
    RoutingRuleForm,
    questions_initial,
    region_options,
)
from civicgrid.cases.choices import QuestionType, Urgency
from civicgrid.cases.models import Category, RoutingRule
from civicgrid.cases.workflow import registry
from civicgrid.core import errors
from civicgrid.core.scoping import table_reach
from civicgrid.core.web import permission_page

routing_admin = permission_page(PERM)


# ---- routing rules -----------------------------------------------------------------------------------

def _rules():
    return (RoutingRule.objects.select_related("region", "category", "department").prefetch_related("co_departments")
            .order_by("category__code", "region__code", "pk"))


def _table_rules(district: str):
    """One routing table: a district's rules (placed on it or below), or ("") those with no region."""
    rules = _rules()
    return rules.filter(region__code__startswith=district) if district else rules.filter(region__isnull=True)


def _sorted_rules(reach, district: str):
    # blank (全部类别 / 全区) first, then by code: the table reads from general to specific
    rules = _table_rules(district) if reach.above_district else _rules()
    return sorted(rules, key=lambda r: (r.category.code if r.category_id else "", r.region.code if r.region_id else ""))


def _reach(request):
    return table_reach(request.user, PERM)


def _district(request, reach) -> str:
    """The routing table the page shows under a city root ("" the rules for every district): asked for, or
    the first the user reaches; one out of reach is 403. Under a district root there is one table: ""."""
    if not reach.above_district:
        return ""
    source = request.POST if request.method == "POST" else request.GET
    district = (source.get("district") if "district" in source else reach.default()) or ""
    if not reach.allows(district.strip()):
        raise PermissionDenied
    return district.strip()


def _choices(reach) -> list[tuple[str, str]]:
    if not reach.above_district or len(reach.districts) + reach.whole < 2:
        return []
    return ([("", "各区县通用的规则")] if reach.whole else []) + list(reach.districts)


def _list_url(district: str) -> str:
    return reverse("cases:admin_routing") + (f"?district={district}" if district else "")


@require_GET
@routing_admin
def routing_list(request):
    reach = _reach(request)
    district = _district(request, reach)
    return render(request, "cases/admin/routing_list.html", {
        "rules": _sorted_rules(reach, district), "test_form": RouteTestForm(), "region_options": region_options(),
        "district": district, "district_name": dict(reach.districts).get(district, ""),
        "district_choices": _choices(reach), "above_district": reach.above_district,
    })


@require_GET
@routing_admin
def routing_test(request):
    form = RouteTestForm(request.GET or None)
    result, status = None, 200
    if form.is_bound and form.is_valid():
        try:
            result = admin_actions.explain_route(form.cleaned_data["region"], form.cleaned_data["category"])
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
            status = 422
    elif form.is_bound:
        status = 422
    workers = queries.labelled_workers(queries.worker_names(result.explanation.get("workers") or {})) if result else []
    return render(request, "cases/admin/routing_test.html", {
        "form": form, "result": result, "workers": workers, "region_options": region_options(),
    }, status=status)


@require_http_methods(["GET", "POST"])
@routing_admin
def routing_edit(request, pk: int | None = None):
    reach = _reach(request)
    rule = None
    if pk is not None:
        rule = _rules().filter(pk=pk).first()
        if rule is None or not reach.allows(admin_actions.table_of(rule.region.code if rule.region_id else "")):
            raise Http404  # another district's rule: out of reach, not revealed
    if rule is not None:
        district = admin_actions.table_of(rule.region.code if rule.region_id else "") if reach.above_district else ""
    else:
        district = _district(request, reach)
    if request.method == "POST":
        form = RoutingRuleForm(request.POST)
        if form.is_valid():
            kwargs = form.action_kwargs()
            if district and not kwargs["region_code"]:
                kwargs["region_code"] = district  # under a city root, blank is the whole chosen district
            try:
                if district and not kwargs["region_code"].startswith(district):
                    raise errors.ValidationFailed(f"区域不在{dict(reach.districts).get(district, district)}内",
                                                  code="region_outside_district", details={"field": "region"})
                saved = admin_actions.save_routing_rule(actor=request.user, rule_id=pk, **kwargs)
            except (errors.ValidationFailed, errors.Conflict, errors.Forbidden) as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, f"已保存派遣规则 #{saved.pk}")
                return redirect(_list_url(district if _reach(request).above_district else ""))
        status = 422
    else:
        form = RoutingRuleForm(initial=RoutingRuleForm.initial_for(rule) if rule else None)
        status = 200
    return render(request, "cases/admin/routing_form.html", {
        "form": form, "rule": rule, "region_options": region_options(), "district": district,
        "district_name": dict(reach.districts).get(district, "") if reach.above_district else "",
        "above_district": reach.above_district,
    }, status=status)


@require_POST
@routing_admin
def routing_delete(request, pk: int):
    rule = _rules().filter(pk=pk).first()
    district = admin_actions.table_of(rule.region.code if rule and rule.region_id else "")
    if rule is None or not _reach(request).allows(district):
        raise Http404
    admin_actions.delete_routing_rule(actor=request.user, rule_id=pk)
    messages.success(request, f"已删除派遣规则 #{pk}")
    return redirect(_list_url(district if _reach(request).above_district else ""))


# ---- categories --------------------------------------------------------------------------------------

def _limit_text(limit: dict) -> str:
    value = limit.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value} {UNIT_LABELS.get(limit.get('unit'), limit.get('unit'))}"


def present_category(c: Category) -> dict:
    spec = registry.SPECS.get(c.case_type)
    labels = {st.key: st.label for st in spec.states} if spec else {}
    limits = [{"state": labels.get(state, state), "text": _limit_text(limit)}
              for state, limit in (c.limits or {}).items()]
    type_labels = dict(QuestionType.choices)
    return {
        "category": c, "depth": len(c.code) // 2 - 1, "type_label": spec.label if spec else c.case_type,
        "limits": limits, "urgency": Urgency(c.urgency).label if c.urgency in Urgency.values else c.urgency,
        "questions": [{**q, "type_label": type_labels.get(q.get("type"), q.get("type"))} for q in c.questions or []],
    }


@require_GET
@routing_admin
def category_list(request):
    rows = [present_category(c) for c in Category.objects.select_related("default_department").order_by("code")]
    return render(request, "cases/admin/category_list.html", {"rows": rows})


def _question_errors(formset, exc: errors.DomainError) -> None:
    index = exc.details.get("index") if isinstance(exc.details, dict) else None
    filled = [f for f in formset.forms if f.question()]
    if isinstance(index, int) and index < len(filled):
        filled[index].add_error(None, exc.message)


@require_http_methods(["GET", "POST"])
@routing_admin
def category_edit(request, code: str | None = None):
    category = None
    if code is not None:
        category = Category.objects.select_related("default_department").filter(code=code).first()
        if category is None:
            raise Http404
    initial = CategoryForm.initial_for(category) if category else {"code": request.GET.get("parent", "")}
    if request.method == "POST":
        form = CategoryForm(request.POST, initial=initial, editing=category is not None)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            questions = [q for q in (f.question() for f in formset.forms) if q]
            try:
                saved = admin_actions.save_category(actor=request.user, is_new=category is None,
                                                    **form.action_kwargs(questions))
            except (errors.ValidationFailed, errors.Conflict) as exc:
                form.add_domain_error(exc)
                if isinstance(exc.details, dict) and exc.details.get("field") == "questions":
                    _question_errors(formset, exc)
            else:
                messages.success(request, f"已保存类别 {saved.code} {saved.name}")
                return redirect("cases:admin_categories")
        status = 422
    else:
        form = CategoryForm(initial=initial, editing=category is not None)
        formset = QuestionFormSet(prefix="q", initial=questions_initial(category.questions) if category else None)
        status = 200
    return render(request, "cases/admin/category_form.html", {
        "form": form, "formset": formset, "category": category, "limit_rows": form.bound_limit_rows(),
        "parent": _parent_of(category.code if category else (form["code"].value() or "")),
    }, status=status)


def _parent_of(code: str) -> Category | None:
    return Category.objects.filter(code=code[:-2]).first() if len(code or "") > 2 else None


@require_GET
@routing_admin
def category_limits(request):
    """The limits section for the chosen case type (htmx fragment of the category form)."""
    form = CategoryForm(case_type=request.GET.get("case_type", ""))
    return render(request, "cases/admin/_limits.html", {"limit_rows": form.bound_limit_rows(),
                                                        "case_type": request.GET.get("case_type", "")})
