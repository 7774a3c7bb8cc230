"""The audit-log page: read-only, for holders of core.view_auditevent (the audit administrator); and the
working-day calendar page, for holders of core.change_calendar (the system administrator)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core import audit, audit_labels, calendars, errors
from civicgrid.core.inputs import DayField
from civicgrid.core.models import AuditEvent, AuditResult, CalendarDay, CalendarSource
from civicgrid.core.scoping import require, table_reach

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
    date_from = DayField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DayField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

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
    for e in page.object_list:  # codes in Chinese; the page keeps each code in a tooltip
        e.action_label = audit_labels.action_label(e.action)
        e.roles_label = audit_labels.roles_label(e.actor_roles)
        e.object_label = audit_labels.object_label(e.object_type) if e.object_type else ""
        e.fields_label = audit_labels.fields_label(e.fields)
        e.channel_label = audit_labels.channel_label(e.channel)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {
        "form": form,
        "page": page,
        "events": page.object_list,
        "query": query.urlencode(),
        "filtered": bool(form.active_filters()),
    })


# --- working-day calendar ---------------------------------------------------------------------------

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class CalendarDayForm(forms.Form):
    date = DayField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_workday = forms.TypedChoiceField(
        label=_("设为"), coerce=lambda value: value == "1", initial="0",
        choices=[("0", _("放假(休息日)")), ("1", _("上班(调休上班)"))])
    name = forms.CharField(label=_("名称"), required=False, max_length=50,
                           widget=forms.TextInput(attrs={"placeholder": _("如:国庆节、调休上班")}))


def _calendar_page_allowed(request) -> None:
    try:
        require(request.user, calendars.CHANGE_PERM)  # records the denial
    except errors.Forbidden:
        raise PermissionDenied from None


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 1900 <= year <= 2100 else default


def _calendar_url(year: int, district: str = "") -> str:
    return f"{reverse('core:calendar')}?year={year}" + (f"&district={district}" if district else "")


def _calendar_district(request, reach) -> str:
    """The district whose overrides the page shows and changes ("" the national rows): asked for, or the
    first the user reaches. One out of reach is 403 (districts are public; their settings are not theirs)."""
    source = request.POST if request.method == "POST" else request.GET
    district = (source.get("district") if "district" in source else reach.default()) or ""
    if not reach.allows(district.strip()):
        raise PermissionDenied
    return district.strip()


@require_http_methods(["GET", "POST"])
@login_required
def calendar_page(request):
    """A year's special days (holidays on weekdays, working weekends) and the form to change one."""
    _calendar_page_allowed(request)
    reach = table_reach(request.user, calendars.CHANGE_PERM)
    district = _calendar_district(request, reach)
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    form = CalendarDayForm(request.POST or None, initial={"date": today})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = calendars.set_day(actor=request.user, day=data["date"], is_workday=data["is_workday"],
                                        name=data["name"], region_code=district)
            except errors.ValidationFailed as exc:
                form.add_error("name", exc.message)
            else:
                kind = _("上班") if row.is_workday else _("放假")
                messages.success(request, _("已将 %(date)s 设为%(kind)s(%(name)s)") % {
                    "date": row.date.isoformat(), "kind": kind, "name": row.name})
                return redirect(_calendar_url(row.date.year, district))
        status = 422
    rows = list(CalendarDay.objects.filter(date__year=year, region_code=district).order_by("date"))
    days = [{"row": row, "weekday": WEEKDAYS[row.date.weekday()], "is_weekend": row.date.weekday() >= 5}
            for row in rows]
    known = calendars.known_years()
    return render(request, "core/calendar.html", {
        "form": form,
        "year": year,
        "days": days,
        "holiday_count": sum(1 for row in rows if not row.is_workday),
        "workday_count": sum(1 for row in rows if row.is_workday),
        "admin_source": CalendarSource.ADMIN,
        "work_hours": calendars.load_calendar().hours,
        "known_first": known[0],
        "known_last": known[-1],
        "year_known": year in known,
        "district": district,
        "district_name": dict(reach.districts).get(district, ""),
        # a chooser when the tree starts above a district and there is more than one table to choose from
        "district_choices": ([("", _("全国安排(各区县通用)"))] if reach.whole else []) + list(reach.districts)
        if reach.above_district and len(reach.districts) + reach.whole > 1 else [],
    }, status=status)


@require_POST
@login_required
def calendar_clear(request):
    """Undo an administrator's setting for one date (back to the seeded schedule or the weekday default)."""
    _calendar_page_allowed(request)
    district = _calendar_district(request, table_reach(request.user, calendars.CHANGE_PERM))
    field = DayField()
    try:
        day = field.clean(request.POST.get("date"))
    except forms.ValidationError:
        messages.error(request, _("日期格式不正确"))
        return redirect(_calendar_url(timezone.localdate().year, district))
    row = calendars.clear_day(actor=request.user, day=day, region_code=district)
    if district:
        messages.success(request, _("已取消 %(date)s 的本区县安排,按全国安排") % {"date": day.isoformat()})
    elif row is None:
        messages.success(request, _("已恢复 %(date)s 的默认安排(按星期)") % {"date": day.isoformat()})
    else:
        messages.success(request, _("已恢复 %(date)s 的节假日安排:%(name)s") % {
            "date": day.isoformat(), "name": row.name})
    return redirect(_calendar_url(day.year, district))
