"""Subsidy pages: the officer's worklist (programmes with pending candidates), a programme's 免申即享
candidate list with the compute button, one candidate's criteria and the review form, payment batches with
the import and its row report, disbursements (persons masked, the audited reveal), totals by programme and
period, and the enterprise contact's phone page 我的补贴.

Adapters only: parse, call one action or query, render. Reads start scoped: out of reach is 404; a refused
action changes nothing and its Chinese message comes back on the page (422 for bad input, 403 for a reader).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import can, has_perm_anywhere
from civicgrid.core.web import XLSX, permission_page
from civicgrid.subsidies import actions, excel, queries
from civicgrid.subsidies import forms as sforms
from civicgrid.subsidies import formula as formulas
from civicgrid.subsidies.actions.candidates import REVIEW, candidate_for, today
from civicgrid.subsidies.actions.payments import PAY, disbursement_for
from civicgrid.subsidies.choices import Mode
from civicgrid.subsidies.models import VIEW_CANDIDATE, VIEW_DISBURSEMENT

PAGE_SIZE = 50


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def hub(request):
    if has_perm_anywhere(request.user, VIEW_CANDIDATE):
        return redirect("subsidies:worklist")
    if has_perm_anywhere(request.user, VIEW_DISBURSEMENT):
        return redirect("subsidies:my")
    raise PermissionDenied


@permission_page(VIEW_CANDIDATE)
def worklist(request):
    pending = queries.pending_counts(request.user)
    rows = [{"p": p, "pending": pending.get(p.code, 0), "formula": _formula_text(p),
             "can_review": can(request.user, REVIEW, p), "can_pay": can(request.user, PAY, p)}
            for p in queries.programmes_with_versions(request.user)]
    since, until = queries.first_half(today())
    return render(request, "subsidies/worklist.html", {
        "rows": rows, "on": today(), "totals": queries.totals(request.user, since=since, until=until),
        "since": since, "until": until})


def _formula_text(programme) -> str:
    version = programme.current_version()
    return formulas.describe(version.formula) if version and version.formula else ""


@permission_page(VIEW_CANDIDATE)
def candidates(request, code: str):
    programme = queries.programme_visible(request.user, code)
    if programme.mode != Mode.AUTOMATIC:
        raise errors.NotFound()
    year = _year(request.GET.get("year"), today().year - 1)
    status = request.GET.get("status", "pending")
    status = status if status in ("pending", "approved", "rejected", "") else "pending"
    qs = queries.candidates_visible(request.user, programme=code, year=year, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "subsidies/candidates.html", {
        "programme": programme, "year": year, "status": status, "page": page,
        "counts": queries.candidate_counts(request.user, code, year), "formula": _formula_text(programme),
        "compute_form": sforms.ComputeForm(initial={"year": year}), "can_review": can(request.user, REVIEW, programme)})


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


@require_POST
@permission_page(VIEW_CANDIDATE)
def compute(request, code: str):
    programme = actions.programme_by_code(code)
    form = sforms.ComputeForm(request.POST)
    year = _year(request.POST.get("year"), today().year - 1)
    if form.is_valid():
        try:
            counts = actions.compute_candidates(actor=request.user, programme=programme, year=year)
        except errors.ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("测算完成:候选 %(candidates)s 家,新增 %(added)s,更新 %(updated)s,"
                                              "移除 %(removed)s。") % counts)
    return redirect(f"{request.path.rsplit('/compute/', 1)[0]}/?year={year}")


@permission_page(None)  # out of reach (a contact too) is 404, as in the API
def candidate(request, pk: int):
    c = candidate_for(request.user, pk)
    return render(request, "subsidies/candidate.html", _candidate_context(request, c, sforms.ReviewForm()))


def _candidate_context(request, c, form) -> dict:
    disbursement = getattr(c, "disbursement", None) if c.status == "approved" else None
    return {"c": c, "form": form, "can_review": can(request.user, REVIEW, c), "disbursement": disbursement,
            "criteria": queries.criteria_rows(c.report), "today": today()}


@require_POST
@permission_page(None)  # 404 out of reach, 403 for a reader (the leader), as in the API
def review(request, pk: int):
    c = candidate_for(request.user, pk)
    form = sforms.ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "approve":
                d, created = actions.approve_candidate(actor=request.user, candidate_id=c.pk, paid_on=data["paid_on"],
                                                       reference=data["reference"])
                messages.success(request, gettext("已核准,发放 %(amount)s 元。") % {"amount": f"{d.amount:,.2f}"}
                                 if created else gettext("该候选此前已核准,未重复发放。"))
            else:
                actions.reject_candidate(actor=request.user, candidate_id=c.pk, reason=data["reason"])
                messages.success(request, gettext("已标记为不予发放。"))
            return redirect("subsidies:candidate", pk=c.pk)
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_domain_error(exc)
    c = candidate_for(request.user, pk)
    return render(request, "subsidies/candidate.html", _candidate_context(request, c, form), status=422)


@require_http_methods(["GET", "POST"])
@permission_page(VIEW_DISBURSEMENT)
def batches(request):
    payable = [p for p in queries.programmes(request.user) if can(request.user, PAY, p)]
    form = sforms.BatchForm(request.POST or None, request.FILES or None, programmes=payable)
    report, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                programme = actions.programme_by_code(form.cleaned_data["programme"])
                upload = form.cleaned_data["file"]
                result = excel.import_batch(actor=request.user, programme=programme, file=upload,
                                            file_name=upload.name)
            except (errors.ValidationFailed, errors.Conflict) as exc:
                form.add_domain_error(exc)
                report = exc.details if exc.code == "import_rows_invalid" else None
            else:
                messages.success(request, gettext("已导入 %(rows)s 笔,收款人 %(recipients)s 个,合计 %(total)s 元。") % {
                    "rows": result.rows, "recipients": result.recipients, "total": result.total})
                return redirect("subsidies:batches")
        status = 422
    page = Paginator(queries.batches_visible(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "subsidies/batches.html", {
        "form": form if payable else None, "report": report, "page": page, "programmes": payable,
        "columns": excel.PERSON + excel.ENTERPRISE + excel.COMMON}, status=status)


@permission_page(PAY)
def batch_template(request, code: str):
    programme = queries.programme_visible(request.user, code)
    return _xlsx(excel.template_xlsx(programme), f"{programme.name}发放批次模板.xlsx")


def _positive(value) -> int | None:
    return int(value) if value and str(value).isdigit() and 0 < int(value) < 2**31 else None


def _period(request) -> dict:
    return sforms.period_filters(request.GET)


@permission_page(VIEW_DISBURSEMENT)
def disbursements(request):
    period = _period(request)
    batch = _positive(request.GET.get("batch"))
    qs = queries.search(queries.disbursements_visible(request.user, batch_id=batch, **period), request.GET.get("q", ""))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [queries.present(d, request.user) for d in page.object_list]
    return render(request, "subsidies/disbursements.html", {
        "page": page, "rows": rows, "period": period, "q": request.GET.get("q", ""),
        "programmes": queries.programmes(request.user), "can_export": has_perm_anywhere(request.user, excel.EXPORT),
        "query": request.GET.urlencode()})


@require_http_methods(["GET", "POST"])
@permission_page(VIEW_DISBURSEMENT)
def disbursement(request, pk: int):
    d = disbursement_for(request.user, pk)
    form = sforms.RevealForm(request.POST or None)
    revealed = None
    if request.method == "POST" and form.is_valid():
        try:
            revealed = actions.reveal_recipient(actor=request.user, disbursement_id=d.pk,
                                                reason=form.cleaned_data["reason"])
        except errors.ValidationFailed as exc:
            form.add_domain_error(exc)
    return render(request, "subsidies/disbursement.html", {
        "d": d, "row": queries.present(d, request.user), "form": form, "revealed": revealed})


@permission_page(VIEW_DISBURSEMENT)
def totals(request):
    period = _period(request)
    if not period:
        period["since"], period["until"] = queries.first_half(today())
    return render(request, "subsidies/totals.html", {"rows": queries.totals(request.user, **period),
                                                     "period": period})


@permission_page(VIEW_DISBURSEMENT)
def my_subsidies(request):
    """The enterprise contact's phone page: what was paid to their enterprises."""
    return render(request, "subsidies/my.html", {"cards": queries.own_subsidies(request.user)})
