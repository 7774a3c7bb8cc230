"""Campaign pages. Workers (on a phone) open a campaign's household list and fill one form per household;
the list works offline (static/campaigns/campaigns.js queues answers in IndexedDB and syncs them through
the API; the service worker at /gridops/campaigns/sw.js keeps the pages). Admins create campaigns, design
or import the form, publish and close, and follow progress, results and conflicts. Adapters only: parse,
call one action or query, render; out-of-scope objects are 404."""

from __future__ import annotations

import hashlib
import json
import uuid
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import can, has_perm_anywhere
from civicgrid.core.web import XLSX, permission_page
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.campaigns import actions, examples, forms, queries, schema
from civicgrid.gridops.campaigns.choices import CampaignStatus
from civicgrid.gridops.campaigns.excel import export_campaign_xlsx
from civicgrid.gridops.campaigns.models import CampaignAnswer, CampaignPhoto

VIEW, ANSWER, MANAGE = actions.VIEW, actions.ANSWER, actions.MANAGE
SCOPE = "/gridops/campaigns/"
OFFLINE_ASSETS = ("css/app.css", "js/app.js", "js/safe.js", "vendor/htmx/htmx.min.js", "campaigns/campaigns.css",
                  "campaigns/campaigns.js")


def _campaign(request, pk):
    return queries.get_campaign(request.user, pk)


def _questions(campaign, values: dict | None = None, errors_by_field: dict | None = None) -> list[dict]:
    """What the answer form renders for each field (the same partial online, offline and without script)."""
    values, errors_by_field = values or {}, errors_by_field or {}
    fields = schema.field_map(campaign.form) if campaign.form.get("fields") else {}
    out = []
    for field in campaign.fields():
        value = values.get(field["name"])
        chosen = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        out.append({
            **field, "value": "" if value is None else value, "error": errors_by_field.get(field["name"], ""),
            "options": [{**c, "checked": c["value"] in chosen} for c in schema.choices_of(field)],
            "when_json": json.dumps(field.get("when")) if field.get("when") else "",
            "condition": schema.condition_label(field.get("when"), fields),
            "photo_url": reverse("campaigns:photo", args=[campaign.pk, value])
            if field["type"] == "photo" and isinstance(value, int) else "",
        })
    return out


@permission_page(VIEW)
def campaign_list(request):
    rows = []
    campaigns = list(queries.campaigns_visible(request.user))
    progress = queries.list_progress([c for c in campaigns if c.status != CampaignStatus.DRAFT], request.user)
    for campaign in campaigns:
        info = queries.present_campaign(campaign, request.user)
        if campaign.pk in progress:
            info["progress"] = progress[campaign.pk]
        info["can_answer"] = info["is_open"] and has_perm_anywhere(request.user, ANSWER)
        rows.append(info)
    return render(request, "gridops/campaigns/list.html", {
        "rows": rows, "can_create": has_perm_anywhere(request.user, MANAGE)})


def _target_regions(user):
    return (Region.objects.visible_to(user, MANAGE).filter(
        level__in=[RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.MICRO_GRID], is_active=True)
        .order_by("code")[:400])


@require_http_methods(["GET", "POST"])
@permission_page(MANAGE)
def campaign_create(request):
    regions = list(_target_regions(request.user))
    form = forms.CampaignForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_code = {r.code: r for r in regions}
        try:
            campaign = actions.create_campaign(
                actor=request.user, title=data["title"], kind=data["kind"], description=data["description"],
                targets=[by_code[c] for c in data["targets"]], start_date=data["start_date"],
                end_date=data["end_date"], form=examples.TEMPLATES[data["template"]][1],
                idempotency_key=request.POST.get("idempotency_key") or None)
        except errors.ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "排查任务已创建(草稿),请检查表单后发布")
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "gridops/campaigns/create.html", {"form": form, "idempotency_key": uuid.uuid4().hex},
                  status=422 if request.method == "POST" else 200)


@permission_page(VIEW)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    info = queries.present_campaign(campaign, request.user)
    return render(request, "gridops/campaigns/detail.html", {
        "c": info, "questions": _questions(campaign), "type_labels": schema.TYPE_LABELS,
        "progress": queries.progress(campaign, request.user) if campaign.status != CampaignStatus.DRAFT else None,
        "can_answer": info["is_open"] and has_perm_anywhere(request.user, ANSWER)})


@require_http_methods(["GET", "POST"])
@permission_page(MANAGE)
def form_designer(request, pk: int):
    campaign = _campaign(request, pk)
    actions.require_manage(request.user, campaign)
    status, problems = 200, []
    if request.method == "POST":
        rows = forms.rows_from_post(request.POST)
        try:
            actions.update_form(actor=request.user, campaign=campaign, definition=forms.definition_from_rows(rows))
        except errors.ValidationFailed as exc:
            status = 422
            for problem in exc.details if isinstance(exc.details, list) else []:
                if problem.get("index") is not None and problem["index"] < len(rows):
                    rows[problem["index"]]["errors"].append(problem["message"])
                else:
                    problems.append(problem.get("message", exc.message))
            rows.append(forms.blank_row(max([r["index"] for r in rows], default=-1) + 1))
        except errors.Conflict as exc:
            messages.error(request, exc.message)
            return redirect("campaigns:detail", pk=campaign.pk)
        else:
            messages.success(request, "表单已保存")
            return redirect("campaigns:detail", pk=campaign.pk)
    else:
        if campaign.status != CampaignStatus.DRAFT:
            messages.error(request, "任务已发布,表单不能再修改")
            return redirect("campaigns:detail", pk=campaign.pk)
        rows = forms.designer_rows(campaign.form)
    return render(request, "gridops/campaigns/designer.html", {
        "c": queries.present_campaign(campaign, request.user), "rows": rows, "problems": problems,
        "types": schema.TYPE_LABELS, "next_index": max([r["index"] for r in rows], default=-1) + 1,
        "invalid": status == 422}, status=status)


@permission_page(MANAGE)
def designer_row(request, pk: int):
    _campaign(request, pk)
    try:
        index = int(request.GET.get("index", "0"))
    except ValueError:
        index = 0
    return render(request, "gridops/campaigns/_designer_row.html", {
        "row": forms.blank_row(index), "types": schema.TYPE_LABELS,
        "next_url": f"{reverse('campaigns:designer_row', args=[pk])}?index={index + 1}"})


@require_http_methods(["GET", "POST"])
@permission_page(MANAGE)
def xlsform_import(request, pk: int):
    campaign = _campaign(request, pk)
    actions.require_manage(request.user, campaign)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report, error, status = None, None, 200
    if request.method == "POST" and form.is_valid():
        try:
            campaign, imported = actions.import_xlsform(actor=request.user, campaign=campaign,
                                                        data=form.cleaned_data["file"].read())
        except errors.DomainError as exc:
            error, status = exc.message, exc.status
            report = exc.details if isinstance(exc.details, list) else None
        else:
            messages.success(request, f"已导入 {len(campaign.fields())} 道题目")
            for warning in imported.warnings:
                messages.warning(request, warning)
            return redirect("campaigns:detail", pk=campaign.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "gridops/campaigns/import.html", {
        "c": queries.present_campaign(campaign, request.user), "form": form, "report": report, "error": error},
        status=status)


@require_POST
@permission_page(MANAGE)
def transition(request, pk: int, action: str):
    campaign = _campaign(request, pk)
    try:
        actions.transition_campaign(actor=request.user, campaign=campaign, action=action)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, {"publish": "任务已发布,网格员可以开始入户", "close": "任务已结束"}[action])
    return redirect("campaigns:detail", pk=pk)


@permission_page(ANSWER)
def collect(request, pk: int):
    """The worker's household list with the answer form: works offline once loaded (campaigns.js)."""
    campaign = _campaign(request, pk)
    rows = queries.collect_rows(campaign, request.user)
    info = queries.present_campaign(campaign, request.user)
    data = {
        "campaign": campaign.pk, "user": request.user.pk, "open": info["is_open"],
        "api": f"/api/v1/gridops/campaigns/{campaign.pk}/answers", "fields": campaign.fields(),
        "households": [{k: r[k] for k in ("id", "number", "address", "room", "building", "region_name", "version",
                                          "answers", "has_conflict")} for r in rows],
        "household_url": reverse("campaigns:household", args=[campaign.pk, 0]).replace("/0/", "/{id}/"),
        "sw": reverse("campaigns:service_worker"), "scope": SCOPE,
    }
    return render(request, "gridops/campaigns/collect.html", {
        "c": info, "rows": rows, "data": data, "questions": _questions(campaign),
        "done": sum(1 for r in rows if r["version"]), "total": len(rows)})


def _household_context(request, campaign, household, values=None, errors_by_field=None, key=None):
    detail = queries.answer_detail(campaign, household)
    info = queries.present_campaign(campaign, request.user)
    may_answer = info["is_open"] and can(request.user, ANSWER, household)
    may_resolve = info["status"] == CampaignStatus.ACTIVE and (
        can(request.user, MANAGE, campaign) or can(request.user, ANSWER, household))
    current = detail["answers"] if detail else {}
    return {
        "c": info, "household": household, "detail": detail, "may_answer": may_answer, "may_resolve": may_resolve,
        "questions": _questions(campaign, current if values is None else values, errors_by_field),
        "base_version": detail["version"] if detail else 0, "idempotency_key": key or uuid.uuid4().hex,
    }


@require_http_methods(["GET", "POST"])
@permission_page(VIEW)
def household(request, pk: int, household_id: int):
    """One household: the answer form (also without script) and the answer's history with conflicts."""
    campaign = _campaign(request, pk)
    perm = ANSWER if request.method == "POST" else VIEW
    target = queries.get_household(campaign, request.user, household_id, perm)
    if request.method == "POST":
        answers, photos = forms.answers_from_post(campaign.form, request.POST, request.FILES)
        try:
            base = int(request.POST.get("base_version") or 0)
        except ValueError:
            base = 0
        try:
            submission = actions.submit_answer(
                actor=request.user, campaign=campaign, household=target, answers=answers, base_version=base,
                idempotency_key=request.POST.get("idempotency_key") or None, photos=photos)
        except errors.ValidationFailed as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            context = _household_context(request, campaign, target, answers, details, request.POST.get("idempotency_key"))
            context["error"] = exc.message
            return render(request, "gridops/campaigns/household.html", context, status=422)
        except errors.Conflict as exc:
            messages.error(request, exc.message)
            return redirect("campaigns:household", pk=pk, household_id=household_id)
        if submission.revision.is_conflict:
            messages.warning(request, f"{target.number}:{submission.revision.get_outcome_display()},请核对双方答案")
            return redirect("campaigns:household", pk=pk, household_id=household_id)
        messages.success(request, f"{target.number} 已保存")
        return redirect("campaigns:collect", pk=pk)
    return render(request, "gridops/campaigns/household.html", _household_context(request, campaign, target))


@require_POST
@permission_page(VIEW)
def resolve(request, pk: int, household_id: int):
    campaign = _campaign(request, pk)
    target = queries.get_household(campaign, request.user, household_id)
    answer = get_object_or_404(CampaignAnswer.objects.select_related("campaign", "household__region"),
                               campaign=campaign, household=target)
    revision = None
    if request.POST.get("revision"):
        revision = get_object_or_404(answer.revisions, pk=request.POST["revision"])
    try:
        actions.resolve_conflict(actor=request.user, answer=answer, revision=revision)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已恢复该次提交的答案" if revision else "已确认保留当前答卷")
    return redirect("campaigns:household", pk=pk, household_id=household_id)


@permission_page(VIEW)
def progress(request, pk: int):
    """Live progress by grid (htmx refreshes the table every 10 seconds) and the open conflicts."""
    campaign = _campaign(request, pk)
    level = request.GET.get("level") or RegionLevel.GRID
    if level not in queries.LEVELS:
        level = RegionLevel.GRID
    context = {"c": queries.present_campaign(campaign, request.user), "level": level,
               "progress": queries.progress(campaign, request.user, level),
               "conflicts": queries.conflicts(campaign, request.user),
               "levels": [(key, RegionLevel(key).label) for key in queries.LEVELS]}
    template = "gridops/campaigns/_progress.html" if request.htmx else "gridops/campaigns/progress.html"
    return render(request, template, context)


@permission_page(VIEW)
def results(request, pk: int):
    campaign = _campaign(request, pk)
    choice_fields = queries.choice_fields(campaign)
    names = [f["name"] for f in choice_fields]
    row = request.GET.get("row") or (names[0] if names else "")
    col = request.GET.get("col") or (names[1] if len(names) > 1 else row)
    table = queries.crosstab(campaign, request.user, row, col) if row in names and col in names else None
    return render(request, "gridops/campaigns/results.html", {
        "c": queries.present_campaign(campaign, request.user), "summary": queries.summary(campaign, request.user),
        "choice_fields": choice_fields, "row": row, "col": col, "table": table,
        "table_rows": list(zip(table["row_labels"], table["cells"], table["row_totals"], strict=True)) if table else []})


@permission_page(MANAGE)
def export(request, pk: int):
    campaign = _campaign(request, pk)
    response = HttpResponse(export_campaign_xlsx(actor=request.user, campaign=campaign), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(campaign.title + '.xlsx')}"
    return response


@permission_page(VIEW)
def photo(request, pk: int, photo_id: int):
    """A photo answer (the metadata-free copy), for those who see its household."""
    campaign = _campaign(request, pk)
    found = CampaignPhoto.objects.visible_to(request.user).filter(campaign=campaign, pk=photo_id).first()
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def service_worker(request):
    """The service worker, served from the campaigns path so that its scope covers the campaign pages.
    Its bytes change with the static files' (hashed) URLs, so a deploy updates it."""
    assets = [static(path) for path in OFFLINE_ASSETS]
    version = hashlib.sha256("|".join(assets).encode()).hexdigest()[:12]
    response = render(request, "gridops/campaigns/sw.js", {"assets": assets, "version": version, "scope": SCOPE},
                      content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache"
    return response
