"""Reads of the public-service app. Every read of bookings and requests starts scoped (the chokepoint);
the 办不成事 statistics are public and hold counts only, never a person."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from civicgrid.cases import queries as case_queries
from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.core.scoping import Scope, filter_for
from civicgrid.publicservice.choices import BookingStatus, DocumentStatus
from civicgrid.publicservice.models import (
    Booking,
    DocumentRequest,
    Office,
    ServiceItem,
    ServiceRequest,
    Slot,
    Window,
)

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def plain_day(moment) -> str:
    """A date as people say it: 12月10日(周四)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if isinstance(moment, datetime) else moment
    return f"{local.month}月{local.day}日({WEEKDAYS[local.weekday()]})"


def plain_deadline(moment, verb: str = "办结") -> str:
    return f"预计 {plain_day(moment)}前{verb}" if moment else ""


# ---- catalogue and slots -------------------------------------------------------------------------------

def items(*, online: bool | None = None, bookable: bool | None = None):
    qs = ServiceItem.objects.filter(is_active=True)
    if online is not None:
        qs = qs.filter(is_online=online)
    if bookable is not None:
        qs = qs.filter(is_bookable=bookable)
    return qs.order_by("group", "code")


def offices_for(item: ServiceItem):
    return Office.objects.filter(is_active=True, windows__items=item, windows__is_active=True).distinct()


def free_slots(item: ServiceItem, *, office: Office | None = None, day=None, now=None):
    """The slots of windows serving the item that can still be booked (future, after the lead time, a
    seat free), soonest first."""
    now = now or clock.now()
    qs = (Slot.objects.filter(window__items=item, window__is_active=True, window__office__is_active=True,
                              starts_at__gt=now)
          .select_related("window__office").order_by("starts_at", "window__office__code", "window__code"))
    if office is not None:
        qs = qs.filter(window__office=office)
    if day is not None:
        qs = qs.filter(starts_at__date=day)
    return [s for s in qs.filter(booked__lt=F("capacity"))
            if s.starts_at - now >= timedelta(minutes=s.window.office.lead_minutes)]


def slot_days(item: ServiceItem, office: Office | None = None, now=None, limit: int = 14) -> list:
    """The days with a bookable slot for the item (the date picker)."""
    return sorted({timezone.localdate(s.starts_at) for s in free_slots(item, office=office, now=now)})[:limit]


# ---- bookings ------------------------------------------------------------------------------------------

def bookings_visible(user, perm: str = "publicservice.view_booking"):
    return Booking.objects.visible_to(user, perm).select_related("slot__window__office", "item")


def my_bookings(user):
    return bookings_visible(user).filter(user=user).order_by("-slot__starts_at")


def staff_windows(user):
    """The windows of the offices the user works at (check-in permission's departments)."""
    at_offices = filter_for(user, "publicservice.check_in", Scope(department="office__department_id"))
    return Window.objects.filter(at_offices).select_related("office")


def day_view(user, window: Window, day) -> list[dict]:
    """One window's day: every slot with its bookings (names masked to the surname)."""
    from civicgrid.core.masking import mask_name

    slots = list(Slot.objects.filter(window=window, starts_at__date=day).order_by("starts_at"))
    by_slot = defaultdict(list)
    for b in bookings_visible(user, "publicservice.check_in").filter(slot__in=slots).exclude(
            status=BookingStatus.CANCELLED).order_by("created_at"):
        by_slot[b.slot_id].append({"booking": b, "name": mask_name(b.name)})
    return [{"slot": s, "bookings": by_slot.get(s.pk, [])} for s in slots]


# ---- requests ------------------------------------------------------------------------------------------

def requests_visible(user, perm: str = "publicservice.view_request"):
    """The requests in reach, each with its 公对公 documents and its materials (two queries for any number
    of requests: the lists show both)."""
    return (ServiceRequest.objects.visible_to(user, perm)
            .select_related("case", "item", "office")
            .prefetch_related(Prefetch("documents", queryset=DocumentRequest.objects.select_related("to_department")),
                              "materials"))


def my_requests(user):
    return requests_visible(user).filter(applicant=user).order_by("-id")


QUEUES = {
    # key: (label, case states)
    "received": ("待受理", ("received",)),
    "reviewing": ("待审核", ("reviewing",)),
    "correction": ("待补正", ("correction",)),
    "processing": ("办理中", ("processing",)),
    "delivering": ("待送达", ("delivering",)),
    "rated": ("差评回访/整改", ("rated", "rectifying")),
    "done": ("已办结", ("closed", "completed", "rejected", "lapsed", "withdrawn")),
}


HANDLE = "publicservice.handle_request"


def _own_offices(user):
    """The requests of the offices of the user's own departments (a region grant alone reaches none)."""
    return filter_for(user, HANDLE, Scope(department="office__department_id"))


def request_queue(user, queue: str = "received"):
    """The office's worklist (its own requests; 公对公 requests come in `documents_for`)."""
    states = QUEUES.get(queue, QUEUES["received"])[1]
    qs = requests_visible(user, HANDLE).filter(_own_offices(user), case__state__in=states)
    return qs.order_by("case__due_at", "id")


def queue_counts(user) -> dict[str, int]:
    qs = requests_visible(user, HANDLE).filter(_own_offices(user))
    by_state = dict(qs.values_list("case__state").annotate(n=Count("id")))
    return {key: sum(by_state.get(s, 0) for s in states) for key, (_, states) in QUEUES.items()}


def documents_for(user):
    """公对公 requests addressed to the user's offices and still open."""
    to_offices = filter_for(user, HANDLE, Scope(department="to_department_id"))
    return (DocumentRequest.objects.filter(to_offices, status=DocumentStatus.REQUESTED)
            .select_related("request__case", "request__item", "request__office").order_by("due_at"))


def progress(sr: ServiceRequest) -> list[dict]:
    """The applicant's view of the steps: 受理 → 审核 → 办理 → 送达 → 评价."""
    order = ["received", "reviewing", "processing", "delivering", "completed", "closed"]
    labels = ["提交", "受理审核", "办理", "送达", "评价", "办结"]
    state = {"correction": "reviewing", "rated": "completed", "rectifying": "completed"}.get(sr.case.state,
                                                                                            sr.case.state)
    index = order.index(state) if state in order else len(order)
    return [{"label": label, "done": i < index, "current": i == index} for i, label in enumerate(labels)]


def state_label(state: str) -> str:
    return case_queries.state_label("service_request", state)


# ---- 办不成事 statistics (public) ----------------------------------------------------------------------

def hard_case_stats(*, months: int = 12, now=None) -> dict:
    """Public monthly statistics of the 办不成事 window: received, solved, average days to solve, and the
    problem types. Counts only — no name, phone, address or description leaves here."""
    now = now or clock.now()
    today = timezone.localdate(now)
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows = (Case.objects.filter(case_type="hard_case")
            .filter(Q(created_at__gte=start) | Q(closed_at__gte=start))
            .values_list("created_at", "closed_at", "state", "category__name"))
    keys = []
    month = first
    while month <= today:
        keys.append(f"{month:%Y-%m}")
        month = (month + timedelta(days=32)).replace(day=1)
    table = {k: {"month": k, "received": 0, "solved": 0, "days": 0.0} for k in keys}
    types: dict[str, int] = defaultdict(int)
    for created, closed, state, category in rows:
        created_key = f"{timezone.localtime(created):%Y-%m}"
        if created_key in table:
            table[created_key]["received"] += 1
            types[category or "其他"] += 1
        if closed is not None and state == "closed":
            closed_key = f"{timezone.localtime(closed):%Y-%m}"
            if closed_key in table:
                table[closed_key]["solved"] += 1
                table[closed_key]["days"] += (closed - created).total_seconds() / 86400
    out = []
    for k in keys:
        row = table[k]
        out.append({"month": k, "received": row["received"], "solved": row["solved"],
                    "average_days": round(row["days"] / row["solved"], 1) if row["solved"] else None})
    received, solved = sum(r["received"] for r in out), sum(r["solved"] for r in out)
    total_days = sum(table[k]["days"] for k in keys)
    return {"months": out, "received": received, "solved": solved,
            "average_days": round(total_days / solved, 1) if solved else None,
            "by_type": [{"type": t, "count": n} for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))]}


def hard_cases_visible(user):
    return (Case.objects.visible_to(user, "cases.view_case").filter(case_type="hard_case")
            .select_related("category", "hard_case_file").order_by("-created_at"))
