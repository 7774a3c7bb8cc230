"""The raw statements of public services, built once per process with core.sql: the reads of an online
booking (the slot with its window and office, the item by code, whether the window handles the item, the
user's recent no-shows, an active booking of the same item), which the ORM compiled on each of the thousands
of bookings a month (tests/test_sql.py compares each answer with the ORM's on both databases)."""

from __future__ import annotations

from datetime import datetime

from civicgrid.core import sql
from civicgrid.publicservice.choices import BookingStatus
from civicgrid.publicservice.models import Booking, ServiceItem, Slot, Window

SLOT_RELATED = (("window", None), ("window__office", None))


def open_slot(slot_id) -> Slot | None:
    """The slot with its window and office, None when absent or its window is closed: `Slot.objects
    .select_related("window__office").filter(pk=slot_id, window__is_active=True).first()`."""
    slot = sql.get(Slot, slot_id, related=SLOT_RELATED)
    return slot if slot is not None and slot.window.is_active else None


def item_by_code(code: str) -> ServiceItem | None:
    return sql.get(ServiceItem, code, by="code")


def window_has_item(window_id: int, item_id: int) -> bool:
    through = Window._meta.get_field("items").remote_field.through
    statement = sql.statement("publicservice.window_has_item", lambda: (
        f"SELECT 1 FROM {sql.table(through)} WHERE {sql.column(through, 'window')} = %s "
        f"AND {sql.column(through, 'serviceitem')} = %s"))
    return sql.fetchone(statement, [window_id, item_id]) is not None


NO_SHOW_FIELDS = ("id", "no_show_at")


def no_show_times(user_id: int, since: datetime) -> list[datetime]:
    """When the user's bookings since `since` were marked no-shows, oldest first."""
    statement = sql.statement("publicservice.no_show_times", lambda: (
        f"SELECT {sql.columns(Booking, NO_SHOW_FIELDS)} FROM {sql.table(Booking)} WHERE {sql.column(Booking, 'user')} = %s "
        f"AND {sql.column(Booking, 'status')} = %s AND {sql.column(Booking, 'no_show_at')} >= %s"))
    rows = sql.fetchall(statement, [user_id, sql.param(Booking, "status", BookingStatus.NO_SHOW),
                                     sql.param(Booking, "no_show_at", since)])
    return sorted(sql.load(Booking, row, NO_SHOW_FIELDS).no_show_at for row in rows)


def has_active_booking(user_id: int, item_id: int) -> bool:
    statement = sql.statement("publicservice.active_booking", lambda: (
        f"SELECT 1 FROM {sql.table(Booking)} WHERE {sql.column(Booking, 'user')} = %s AND {sql.column(Booking, 'item')} = %s "
        f"AND {sql.column(Booking, 'status')} = %s"))
    return sql.fetchone(statement, [user_id, item_id, sql.param(Booking, "status", BookingStatus.BOOKED)]) is not None
