"""Public-service pages: the resident's phone pages (book, my bookings with the QR code, apply online, my
applications, report a 办不成事), the window's day view with check-in, the request queue, the 办不成事
window's list and meetings, and the public 办不成事 statistics.

Adapters only: parse, call one action or query, render. A refused action changes nothing and its Chinese
message comes back on the page.
"""

from __future__ import annotations

from datetime import date, timedelta

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.models import Department
from civicgrid.cases.models import Category
from civicgrid.core import audit, clock, errors
from civicgrid.core.scoping import get_visible, grant_for, has_perm_anywhere
from civicgrid.core.web import permission_page
from civicgrid.publicservice import forms as psforms
from civicgrid.publicservice import queries
from civicgrid.publicservice.actions import appointments, hardcases, requests
from civicgrid.publicservice.choices import HardCaseIntake
from civicgrid.publicservice.models import ServiceItem

HANDLE = "publicservice.handle_request"


def _failed(request, exc: errors.DomainError) -> None:
    messages.error(request, exc.message)


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


# ---- hub ---------------------------------------------------------------------------------------------

@login_required
def hub(request):
    user = request.user
    can = {key: has_perm_anywhere(user, perm) for key, perm in (
        ("book", "publicservice.book"), ("apply", "publicservice.apply"), ("check_in", "publicservice.check_in"),
        ("handle", HANDLE), ("hard_case", "publicservice.register_hard_case"), ("report", "cases.create_case"))}
    return render(request, "publicservice/hub.html", {"can": can})


# ---- appointments (resident) ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@permission_page("publicservice.book")
def book(request):
    """Choose an item, then an office and a day, then a slot; booking is one tap."""
    if request.method == "POST":
        try:
            booking, _ = appointments.book(actor=request.user, slot_id=int(request.POST.get("slot") or 0),
                                           item_code=request.POST.get("item", ""),
                                           idempotency_key=request.POST.get("key") or None)
        except (errors.ValidationFailed, errors.Conflict, errors.Forbidden, errors.NotFound) as exc:
            _failed(request, exc)
            return redirect(request.get_full_path())
        messages.success(request, "预约成功")
        return redirect("publicservice:booking", pk=booking.pk)
    item = ServiceItem.objects.filter(code=request.GET.get("item", ""), is_active=True, is_bookable=True).first()
    if item is None:
        return render(request, "publicservice/book_items.html", {"items": queries.items(bookable=True)})
    offices = list(queries.offices_for(item))
    office = next((o for o in offices if o.code == request.GET.get("office")), offices[0] if offices else None)
    days = queries.slot_days(item, office) if office else []
    day = _day(request.GET.get("day"), days[0] if days else timezone.localdate())
    slots = queries.free_slots(item, office=office, day=day) if office else []
    until = appointments.blocked_until(request.user)
    return render(request, "publicservice/book.html", {
        "item": item, "offices": offices, "office": office, "days": [(d, queries.plain_day(d)) for d in days],
        "day": day, "day_text": queries.plain_day(day), "slots": slots, "blocked_until": until,
        "key": f"book-{request.user.pk}-{clock.now().timestamp():.0f}"})


def _qr_svg(code: str) -> str:
    """The booking code as an inline SVG QR (no script; segno draws paths only)."""
    import io

    out = io.BytesIO()
    segno.make(code, error="m", micro=False).save(out, kind="svg", scale=6, border=2, xmldecl=False, omitsize=True,
                                                  svgns=True, title="预约码 " + code)
    return out.getvalue().decode()


@permission_page("publicservice.view_booking")
def booking(request, pk: int):
    b = get_visible(queries.bookings_visible(request.user), request.user, "publicservice.view_booking", pk=pk)
    if b.user_id != request.user.pk:
        raise PermissionDenied
    deadline = b.slot.starts_at - timedelta(minutes=b.slot.window.office.cancel_minutes)
    return render(request, "publicservice/booking.html", {
        "b": b, "qr": mark_safe(_qr_svg(b.code)),  # generated SVG markup from the code's letters and digits
        "day_text": queries.plain_day(b.slot.starts_at), "cancel_until": deadline,
        "can_cancel": b.status == "booked" and clock.now() <= deadline})


@permission_page("publicservice.view_booking")
def my_bookings(request):
    rows = [{"b": b, "day_text": queries.plain_day(b.slot.starts_at)} for b in queries.my_bookings(request.user)[:50]]
    return render(request, "publicservice/my_bookings.html", {"rows": rows})


@require_POST
@permission_page("publicservice.view_booking")
def cancel_booking(request, pk: int):
    try:
        appointments.cancel(actor=request.user, booking_id=pk)
        messages.success(request, "已取消预约")
    except (errors.ValidationFailed, errors.Conflict) as exc:
        _failed(request, exc)
    return redirect("publicservice:booking", pk=pk)


# ---- appointments (window staff) -----------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@permission_page("publicservice.check_in")
def window_day(request):
    """A window's day: each slot with its bookings; check-in by scanning or typing the booking code."""
    windows = list(queries.staff_windows(request.user))
    if request.method == "POST":
        try:
            done = appointments.check_in(actor=request.user, code=request.POST.get("code", ""))
            messages.success(request, f"已签到:{done.code} {done.item.name} {timezone.localtime(done.slot.starts_at):%H:%M}")
        except (errors.ValidationFailed, errors.Conflict, errors.NotFound) as exc:
            messages.error(request, exc.message if not isinstance(exc, errors.NotFound) else "预约码不存在或不属于本机构")
        return redirect(request.get_full_path())
    window = next((w for w in windows if str(w.pk) == request.GET.get("window")), windows[0] if windows else None)
    day = _day(request.GET.get("day"), timezone.localdate())
    rows = queries.day_view(request.user, window, day) if window else []
    totals = {"booked": sum(len(r["bookings"]) for r in rows),
              "checked_in": sum(1 for r in rows for b in r["bookings"] if b["booking"].status == "checked_in"),
              "no_show": sum(1 for r in rows for b in r["bookings"] if b["booking"].status == "no_show")}
    return render(request, "publicservice/window_day.html", {
        "windows": windows, "window": window, "day": day, "day_text": queries.plain_day(day), "rows": rows,
        "totals": totals, "prev": day - timedelta(days=1), "next": day + timedelta(days=1)})


# ---- online requests (resident) ------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@permission_page("publicservice.apply")
def apply(request):
    item = ServiceItem.objects.filter(code=request.GET.get("item", ""), is_active=True, is_online=True).first()
    if item is None:
        return render(request, "publicservice/apply_items.html", {"items": queries.items(online=True)})
    offices = list(queries.offices_for(item))
    initial = {"applicant_name": getattr(request.user, "display_name", ""), "phone": getattr(request.user, "phone", "")}
    form = psforms.ApplyForm(request.POST or None, request.FILES or None, item=item, offices=offices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = requests.RequestInput(
            item_code=item.code, office_code=form.cleaned_data["office"],
            applicant_name=form.cleaned_data["applicant_name"], phone=form.cleaned_data["phone"],
            answers=form.answers(), uploads=form.uploads(), delivery=form.cleaned_data["delivery"],
            mail_address=form.cleaned_data["mail_address"], mail_city=form.cleaned_data["mail_city"])
        try:
            sr, _ = requests.apply(actor=request.user, data=data, idempotency_key=request.POST.get("key") or None)
        except (errors.ValidationFailed, errors.Conflict) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已提交,办件编号 {sr.case.number}")
            return redirect("publicservice:my_requests")
    return render(request, "publicservice/apply.html", {
        "item": item, "form": form, "key": f"apply-{request.user.pk}-{clock.now().timestamp():.0f}"})


def _request_row(sr) -> dict:
    case = sr.case
    labels = {m["key"]: m["label"] for m in sr.item.materials}
    due = sr.correction_due_at if case.state == "correction" else sr.promised_at
    return {"sr": sr, "case": case, "state_label": queries.state_label(case.state), "progress": queries.progress(sr),
            "promised": queries.plain_deadline(sr.promised_at) if case.is_open and sr.promised_at else "",
            "correction_due": queries.plain_deadline(sr.correction_due_at, "补正") if case.state == "correction" else "",
            "due": due, "documents": list(sr.documents.all()),
            "materials": [{"label": labels.get(m.key, m.key), "file": m} for m in sr.materials.all()]}


@permission_page("publicservice.view_request")
def my_requests(request):
    rows = [_request_row(sr) for sr in queries.my_requests(request.user)[:50]]
    return render(request, "publicservice/my_requests.html", {"rows": rows, "satisfaction": psforms.SATISFACTION})


@require_POST
@permission_page("publicservice.view_request")
def resident_step(request, pk: int, step: str):
    try:
        if step == "supplement":
            uploads = {key[len("material_"):]: f.read() for key, f in request.FILES.items() if key.startswith("material_")}
            requests.supplement(actor=request.user, request_id=pk, uploads=uploads, comment=request.POST.get("comment", ""))
            messages.success(request, "补正材料已提交")
        elif step == "rate":
            requests.rate(actor=request.user, request_id=pk, satisfaction=int(request.POST.get("satisfaction") or 0),
                          comment=request.POST.get("comment", ""))
            messages.success(request, "感谢您的评价")
        elif step == "withdraw":
            requests.withdraw(actor=request.user, request_id=pk, reason=request.POST.get("reason", "") or "本人撤回")
            messages.success(request, "已撤回")
        else:
            raise errors.NotFound()
    except (errors.ValidationFailed, errors.Conflict) as exc:
        _failed(request, exc)
    return redirect("publicservice:my_requests")


# ---- online requests (office) --------------------------------------------------------------------------

@permission_page(HANDLE)
def queue(request):
    key = request.GET.get("q", "received")
    key = key if key in queries.QUEUES else "received"
    rows = [_request_row(sr) for sr in queries.request_queue(request.user, key)[:100]]
    if key == "delivering":  # the address is needed to post the result: shown here only, each read audited
        for row in rows:
            if row["sr"].delivery == "mail":
                row["mail_address"] = row["sr"].mail_address
                audit.record(actor=request.user, action="publicservice.view_mail_address", obj=row["sr"])
    own = grant_for(request.user, HANDLE).department_ids
    departments = Department.objects.filter(is_active=True, office__isnull=False).exclude(id__in=own).order_by("code")
    counts = queries.queue_counts(request.user)
    return render(request, "publicservice/queue.html", {
        "rows": rows, "queue": key, "tabs": [(k, label, counts.get(k, 0)) for k, (label, _) in queries.QUEUES.items()],
        "documents": queries.documents_for(request.user), "departments": departments,
        "methods": psforms.METHODS})


STAFF_STEPS = {
    "accept": lambda u, pk, p: requests.accept(actor=u, request_id=pk),
    "reject": lambda u, pk, p: requests.reject(actor=u, request_id=pk, reason=p.get("reason", "")),
    "request_correction": lambda u, pk, p: requests.request_correction(actor=u, request_id=pk, note=p.get("note", "")),
    "approve": lambda u, pk, p: requests.approve(actor=u, request_id=pk),
    "request_document": lambda u, pk, p: requests.request_document(
        actor=u, request_id=pk, department_code=p.get("department", ""), document=p.get("document", "")),
    "conclude": lambda u, pk, p: requests.conclude(actor=u, request_id=pk, result=p.get("result", "")),
    "deliver": lambda u, pk, p: requests.deliver(actor=u, request_id=pk, tracking_number=p.get("tracking_number", "")),
    "call_back": lambda u, pk, p: requests.call_back(actor=u, request_id=pk, method=p.get("method", ""),
                                                     comment=p.get("comment", "")),
    "rectified": lambda u, pk, p: requests.finish_rectification(actor=u, request_id=pk, comment=p.get("comment", "")),
    "close": lambda u, pk, p: requests.archive(actor=u, request_id=pk),
}


@require_POST
@permission_page(HANDLE)
def staff_step(request, pk: int, step: str):
    if step not in STAFF_STEPS:
        raise errors.NotFound()
    try:
        STAFF_STEPS[step](request.user, pk, request.POST)
        messages.success(request, "已办理")
    except (errors.ValidationFailed, errors.Conflict) as exc:
        _failed(request, exc)
    return redirect(request.POST.get("next") or "publicservice:queue")


@require_POST
@permission_page(HANDLE)
def provide_document(request, pk: int):
    try:
        requests.provide_document(actor=request.user, document_id=pk, reply=request.POST.get("reply", ""))
        messages.success(request, "协查证明已出具")
    except (errors.ValidationFailed, errors.Conflict) as exc:
        _failed(request, exc)
    return redirect("publicservice:queue")


# ---- 办不成事 ------------------------------------------------------------------------------------------

def _hard_categories():
    return [(c.code, c.name) for c in Category.objects.filter(case_type="hard_case", is_active=True)
            if len(c.code) > 2]


@require_http_methods(["GET", "POST"])
@login_required
def hard_case_new(request):
    """Online (resident) or at the counter (window staff, for a walk-in)."""
    counter = has_perm_anywhere(request.user, "publicservice.register_hard_case")
    if not counter and not has_perm_anywhere(request.user, "cases.create_case"):
        raise PermissionDenied
    form = psforms.HardCaseForm(request.POST or None, categories=_hard_categories(), counter=counter)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case, _ = hardcases.register(actor=request.user, intake=HardCaseIntake.COUNTER if counter else HardCaseIntake.ONLINE,
                                         data=hardcases.HardCaseInput(
                                             category_code=d["category"], description=d["description"],
                                             tried_before=d["tried_before"], name=d.get("name", ""),
                                             phone=d.get("phone", "")),
                                         idempotency_key=request.POST.get("key") or None)
        except (errors.ValidationFailed, errors.Conflict, errors.Forbidden) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已登记,编号 {case.number}。我们将首问负责、限时办结。")
            return redirect("publicservice:hard_cases" if counter else "cases:mine")
    return render(request, "publicservice/hard_case_new.html", {
        "form": form, "counter": counter, "key": f"hc-{request.user.pk}-{clock.now().timestamp():.0f}"})


@require_http_methods(["GET", "POST"])
@permission_page("publicservice.record_meeting")
def hard_cases(request):
    """The window's list: leader in charge, meetings, deadline, supervision; meetings recorded here, the
    case's steps on its case page."""
    departments = [(d.code, d.name) for d in Department.objects.filter(is_active=True).order_by("code")]
    if request.method == "POST":
        form = psforms.MeetingForm(request.POST, departments=departments)
        if form.is_valid():
            d = form.cleaned_data
            try:
                hardcases.record_meeting(actor=request.user, case_id=int(request.POST.get("case") or 0),
                                         held_at=d["held_at"], attendees=d["attendees"],
                                         department_codes=d["departments"], decisions=d["decisions"])
                messages.success(request, "会商记录已保存")
            except (errors.ValidationFailed, errors.Conflict) as exc:
                _failed(request, exc)
        else:
            messages.error(request, "会商记录填写不完整:" + "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("publicservice:hard_cases")
    cases = list(queries.hard_cases_visible(request.user).prefetch_related("meetings__departments")[:100])
    rows = [{"case": c, "leader": (c.routing or {}).get("leader", {}).get("name", ""),
             "state_label": queries.case_queries.state_label("hard_case", c.state),
             "due": queries.plain_deadline(c.due_at) if c.is_open and c.due_at else "",
             "meetings": list(c.meetings.all()), "file": getattr(c, "hard_case_file", None)} for c in cases]
    return render(request, "publicservice/hard_cases.html", {
        "rows": rows, "meeting_form": psforms.MeetingForm(departments=departments)})


def hard_case_stats(request):
    """Public, no login: monthly 办不成事 figures, counts only."""
    stats = queries.hard_case_stats()
    top = max([m["received"] for m in stats["months"]] + [1])
    for m in stats["months"]:
        m["width"] = round(100 * m["received"] / top)
        m["solved_width"] = round(100 * m["solved"] / top)
    return render(request, "publicservice/hard_case_stats.html", {"stats": stats})


