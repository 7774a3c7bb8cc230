"""The catalogue: service items, offices, windows, and the slots opened on working days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.core import audit, clock, errors
from civicgrid.core.calendars import load_calendar
from civicgrid.core.scoping import require
from civicgrid.core.workcalendar import WorkingHours
from civicgrid.publicservice.models import Office, ServiceItem, Slot, Window

MANAGE = "publicservice.manage_catalogue"


@dataclass
class ItemInput:
    code: str
    name: str
    group: str = ""
    description: str = ""
    materials: list = field(default_factory=list)
    fields: list = field(default_factory=list)
    promised_days: int = 5
    is_online: bool = True
    is_bookable: bool = True
    approval_item_code: str = ""


def _entries(rows, what: str) -> list[dict]:
    out = []
    for row in rows or []:
        key, label = str(row.get("key", "")).strip(), str(row.get("label", "")).strip()
        if not key or not label:
            raise errors.ValidationFailed(f"{what}须有 key 和名称", code="item_entry_invalid")
        out.append({"key": key, "label": label, "required": bool(row.get("required", True))})
    return out


def save_item(*, actor, data: ItemInput) -> ServiceItem:
    """Create or update a service item (by code)."""
    require(actor, MANAGE)
    if not data.code.strip() or not data.name.strip():
        raise errors.ValidationFailed("事项编码和名称不能为空", code="item_invalid")
    if not 1 <= int(data.promised_days) <= 60:
        raise errors.ValidationFailed("承诺时限须为1–60个工作日", code="promised_days_invalid")
    approval = None
    if data.approval_item_code:
        from civicgrid.enterprises.models import ApprovalItem

        approval = ApprovalItem.objects.filter(code=data.approval_item_code).first()
    with transaction.atomic():
        item, created = ServiceItem.objects.update_or_create(code=data.code.strip(), defaults={
            "name": data.name.strip(), "group": data.group, "description": data.description,
            "materials": _entries(data.materials, "材料"), "fields": _entries(data.fields, "填写项"),
            "promised_days": int(data.promised_days), "is_online": data.is_online, "is_bookable": data.is_bookable,
            "approval_item": approval})
        audit.record(actor=actor, action="publicservice.save_item", obj=item, details={"created": created})
    return item


def create_office(*, actor, code: str, name: str, region, address: str = "", lead_minutes: int = 30,
                  cancel_minutes: int = 120, horizon_days: int = 14) -> Office:
    """An office and its department row (the unit its window staff are handlers of)."""
    require(actor, MANAGE)
    with transaction.atomic():
        department = Department.objects.create(code=f"PS-{code}", name=name, short_name=name[:30],
                                               kind=DepartmentKind.DISTRICT, region=region)
        office = Office.objects.create(code=code, name=name, region=region, address=address, department=department,
                                       lead_minutes=lead_minutes, cancel_minutes=cancel_minutes,
                                       horizon_days=horizon_days)
        audit.record(actor=actor, action="publicservice.create_office", obj=office)
    return office


def create_window(*, actor, office: Office, code: str, name: str, item_codes: list[str],
                  hours: str = "09:00-12:00,13:30-17:00", slot_minutes: int = 30, capacity: int = 3) -> Window:
    require(actor, MANAGE)
    try:
        WorkingHours.parse(hours)
    except ValueError:
        raise errors.ValidationFailed("开放时间格式应为 09:00-12:00,13:30-17:00", code="hours_invalid") from None
    if not 5 <= int(slot_minutes) <= 240 or not 1 <= int(capacity) <= 100:
        raise errors.ValidationFailed("时段长度须为5–240分钟,每时段人数1–100", code="slot_rule_invalid")
    items = list(ServiceItem.objects.filter(code__in=item_codes))
    if len(items) != len(set(item_codes)):
        raise errors.ValidationFailed("有事项编码不存在", code="item_unknown")
    with transaction.atomic():
        window = Window.objects.create(office=office, code=code, name=name, hours=hours,
                                       slot_minutes=slot_minutes, capacity=capacity)
        window.items.set(items)
        audit.record(actor=actor, action="publicservice.create_window", obj=window)
    return window


def slot_times(window: Window, day) -> list[tuple[datetime, datetime]]:
    """The slots of one window on one day (none on a day off of the working calendar)."""
    calendar = load_calendar()
    if not calendar.is_workday(day):
        return []
    tz = timezone.get_current_timezone()
    out = []
    step = timedelta(minutes=window.slot_minutes)
    for start, end in WorkingHours.parse(window.hours).periods:
        moment = datetime.combine(day, start, tzinfo=tz)
        stop = datetime.combine(day, end, tzinfo=tz)
        while moment + step <= stop:
            out.append((moment, moment + step))
            moment += step
    return out


def open_slots(*, windows=None, days: int | None = None, start=None) -> int:
    """Open the slots of the coming working days (idempotent: existing slots are kept as they are).
    Run daily by the `open_slots` task; returns how many were added."""
    start = start or timezone.localdate(clock.now())
    added = 0
    for window in (windows if windows is not None else Window.objects.filter(is_active=True, office__is_active=True)
                   .select_related("office")):
        horizon = days if days is not None else window.office.horizon_days
        rows = [Slot(window=window, starts_at=a, ends_at=b, capacity=window.capacity)
                for offset in range(horizon + 1) for a, b in slot_times(window, start + timedelta(days=offset))]
        before = Slot.objects.filter(window=window).count()
        Slot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        added += Slot.objects.filter(window=window).count() - before
    return added
