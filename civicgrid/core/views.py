"""The audit-log page: read-only, for holders of core.view_auditevent (the audit administrator)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from civicgrid.core import audit, errors
from civicgrid.core.models import AuditEvent, AuditResult
from civicgrid.core.scoping import require

PAGE_SIZE = 50
VIEW_PERM = "core.view_auditevent"


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.CharField(label=_("操作"), required=False, max_length=100,  # a prefix is enough: "people."
                             widget=forms.TextInput(attrs={"placeholder": "people."}))
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=100)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    result = forms.ChoiceField(label=_("结果"), required=False,
                               choices=[("", _("全部"))] + list(AuditResult.choices))
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def filter(self, queryset):
        """Apply the fields that validated; an invalid field is reported and ignored."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        if data.get("actor"):
            queryset = queryset.filter(actor_username__iexact=data["actor"].strip())
        if data.get("action"):
            queryset = queryset.filter(action__startswith=data["action"].strip())
        if data.get("object_type"):
            queryset = queryset.filter(object_type=data["object_type"].strip())
        if data.get("object_id"):
            queryset = queryset.filter(object_id=data["object_id"].strip())
        if data.get("result"):
            queryset = queryset.filter(result=data["result"])
        if data.get("date_from"):
            queryset = queryset.filter(ts__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(ts__date__lte=data["date_to"])
        return queryset

    def active_filters(self) -> dict[str, str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {k: str(v) for k, v in data.items() if v not in (None, "")}


@require_GET
@login_required
def audit_list(request):
    try:
        require(request.user, VIEW_PERM)  # records the denial
    except errors.Forbidden:
        raise PermissionDenied from None
    form = AuditFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # errors are shown next to their fields; the valid fields still filter
    # Reading the audit log is itself audited (等保: the audit administrator's actions are recorded too).
    audit.record(actor=request.user, action=VIEW_PERM, object_type="core.auditevent",
                 details={"filters": form.active_filters(), "page": request.GET.get("page", "1")[:10]})
    events = form.filter(AuditEvent.objects.order_by("-id"))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {
        "form": form,
        "page": page,
        "events": page.object_list,
        "query": query.urlencode(),
        "filtered": bool(form.active_filters()),
    })
