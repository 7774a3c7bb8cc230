"""我的个人信息: see and copy it, ask for a correction; staff export on a resident's behalf; the inventory."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.models import User
from civicgrid.cases import actions as case_actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.core import errors
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.geo.models import Region
from civicgrid.privacy import actions, queries, subject
from civicgrid.privacy.forms import CorrectionForm, SubjectExportForm
from civicgrid.privacy.subject import SOURCES


def _download(data: dict, fmt: str, name: str) -> HttpResponse:
    if fmt == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1, default=str),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = HttpResponse(subject.as_pdf(data), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _my_data_page(request, form, status: int = 200):
    """The page, first shown or again with the correction form's errors: the same context either way."""
    return render(request, "privacy/my_data.html", {
        "form": form, "sources": SOURCES,
        "may_export_others": has_perm_anywhere(request.user, "privacy.export_subject_data")}, status=status)


@login_required
def my_data(request):
    return _my_data_page(request, CorrectionForm())


@login_required
def my_data_download(request, fmt: str):
    if fmt not in {"json", "pdf"}:
        raise Http404
    return _download(actions.export_own_data(actor=request.user), fmt, "my-data")


@login_required
@require_POST
def correction(request):
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return _my_data_page(request, form, status=422)
    title = dict((s.key, s.title) for s in SOURCES)[form.cleaned_data["section"]]
    root = Region.objects.filter(parent__isnull=True).order_by("code").first()
    data = IntakeInput(category_code="3090", region_code=root.code if root else "",
                       title=f"个人信息更正:{title}",
                       description=f"不对的内容:{form.cleaned_data['wrong']}\n应当为:{form.cleaned_data['wanted']}")
    try:
        case = case_actions.submit_case(actor=request.user, data=data,
                                        idempotency_key=request.POST.get("idempotency_key") or None).case
    except errors.DomainError as exc:
        form.add_error(None, exc.message)
        return _my_data_page(request, form, status=exc.status)
    messages.success(request, f"已受理,编号 {case.number}:办理进度在“我的诉求”中查看。")
    return redirect("cases:detail", pk=case.pk)


@permission_page("privacy.export_subject_data")
@require_http_methods(["GET", "POST"])
def subject_export(request):
    form = SubjectExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            form.add_error("username", "没有这个登录名")
        else:
            data = actions.export_subject_data(actor=request.user, subject_id=user.pk,
                                               reason=form.cleaned_data["reason"])
            return _download(data, form.cleaned_data["format"], f"subject-{user.pk}")
    return render(request, "privacy/subject_export.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def inventory(request):
    return render(request, "privacy/inventory.html", {"rows": queries.inventory_rows()})
