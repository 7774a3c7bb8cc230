"""24-hour appointments (24小时预约办): book, cancel, check in, no-shows, day-before reminders.

A slot's seats are taken by a conditional UPDATE (`booked < capacity`) inside the booking's transaction,
and the database's check constraint refuses an overfull slot: of 20 people racing for the last seat,
exactly one gets it and the others get 409 `slot_full`. One active booking per person and item is a
partial unique index, not only a look-up.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from civicgrid.cases import notify
from civicgrid.core import audit, clock, errors, sms
from civicgrid.core.idempotency import fingerprint, run_once
from civicgrid.core.scoping import fetch_visible, get_visible, require
from civicgrid.publicservice import sql
from civicgrid.publicservice.choices import BookingStatus
from civicgrid.publicservice.models import Booking, ServiceItem, Slot

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out at a counter


# a booking with its slot, window and office (whose department its reach follows) and its item
BOOKING_RELATED = (("slot", None), ("slot__window", None), ("slot__window__office", None), ("item", None))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def blocked_until(user, now=None):
    """When online booking is open again for a user with too many no-shows (None: not blocked).
    A no-show that makes the limit within the counting window blocks for the block period after it."""
    now = now or clock.now()
    limit = settings.PUBLICSERVICE_NO_SHOW_LIMIT
    window = timedelta(days=settings.PUBLICSERVICE_NO_SHOW_WINDOW_DAYS)
    block = timedelta(days=settings.PUBLICSERVICE_NO_SHOW_BLOCK_DAYS)
    times = sql.no_show_times(user.pk, now - window - block)
    until = None
    for i, moment in enumerate(times):
        if i + 1 >= limit and moment - times[i + 1 - limit] <= window and moment + block > now:
            until = moment + block
    return until


def _bookable(slot: Slot, item: ServiceItem, now) -> None:
    if not item.is_active or not item.is_bookable:
        raise errors.ValidationFailed("该事项不提供预约", code="item_not_bookable")
    if not sql.window_has_item(slot.window_id, item.pk):
        raise errors.ValidationFailed("该窗口不办理此事项", code="item_not_at_window")
    if slot.starts_at <= now:
        raise errors.ValidationFailed("该时段已过,请选择以后的时段", code="slot_in_past")
    if slot.starts_at - now < timedelta(minutes=slot.window.office.lead_minutes):
        raise errors.ValidationFailed(f"须至少提前 {slot.window.office.lead_minutes} 分钟预约", code="slot_too_soon")


def book(*, actor, slot_id: int, item_code: str, name: str = "", phone: str = "",
         idempotency_key: str | None = None) -> tuple[Booking, bool]:
    """A resident books a slot for an item at any hour. Returns (booking, created). 409 `slot_full` when
    no seat is left, 409 `booking_exists` for a second active booking of the same item, 403
    `booking_blocked` after too many no-shows."""
    require(actor, "publicservice.book")
    now = clock.now()
    slot = sql.open_slot(slot_id)
    item = sql.item_by_code(str(item_code))
    if slot is None or item is None:
        raise errors.NotFound("时段或事项不存在")
    _bookable(slot, item, now)
    until = blocked_until(actor, now)
    if until is not None:
        raise errors.Forbidden(f"因多次预约未到,网上预约暂停至 {timezone.localtime(until):%m月%d日}",
                               code="booking_blocked", details={"until": until.isoformat()})
    name = (name or str(actor)).strip()[:50]
    phone = (phone or getattr(actor, "phone", "") or "").strip()
    body = fingerprint({"slot": slot.pk, "item": item.code}) if idempotency_key else None

    def create() -> Booking:
        if sql.has_active_booking(actor.pk, item.pk):
            raise errors.Conflict("您已有该事项的有效预约,请先办理或取消", code="booking_exists")
        taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
        if not taken:
            raise errors.Conflict("该时段已约满,请选择其他时段", code="slot_full")
        booking = Booking.objects.create(code=new_code(), slot=slot, item=item, user=actor, name=name, phone=phone,
                                         created_at=now)
        audit.record(actor=actor, action="publicservice.book", obj=booking,
                     details={"slot": slot.pk, "item": item.code})
        return booking

    try:
        with transaction.atomic():
            booking, created = run_once(key=idempotency_key, actor=actor, action="publicservice.book",
                                        model=Booking, create=create, body=body)
    except IntegrityError as exc:
        text = str(exc).lower()
        if "slot_booked_within_capacity" in text or "check constraint" in text:
            raise errors.Conflict("该时段已约满,请选择其他时段", code="slot_full") from None
        if "publicservice_booking" in text or "uniq_active_booking" in text:
            raise errors.Conflict("您已有该事项的有效预约,请先办理或取消", code="booking_exists") from None
        raise
    return booking, created


def _own_booking(actor, booking_id: int) -> Booking:
    booking = get_visible(Booking.objects.select_related("slot__window__office", "item"), actor,
                          "publicservice.view_booking", pk=booking_id)
    if booking.user_id != actor.pk:
        raise errors.Forbidden("只能取消本人的预约", code="not_own_booking")
    return booking


def cancel(*, actor, booking_id: int) -> Booking:
    """The resident cancels before the office's cancellation deadline; the seat is free again."""
    booking = _own_booking(actor, booking_id)
    now = clock.now()
    deadline = booking.slot.starts_at - timedelta(minutes=booking.slot.window.office.cancel_minutes)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != BookingStatus.BOOKED:
            raise errors.Conflict("该预约已不能取消", code="booking_not_active")
        if now > deadline:
            raise errors.ValidationFailed(
                f"已过取消期限({timezone.localtime(deadline):%m月%d日 %H:%M}前可取消)", code="cancellation_closed",
                details={"deadline": deadline.isoformat()})
        locked.status, locked.cancelled_at = BookingStatus.CANCELLED, now
        locked.save(update_fields=["status", "cancelled_at"])
        Slot.objects.filter(pk=locked.slot_id).update(booked=F("booked") - 1)
        audit.record(actor=actor, action="publicservice.cancel_booking", obj=locked)
    return locked


def check_in(*, actor, code: str) -> Booking:
    """Window staff scan or type the booking code on the day: only their own office's bookings."""
    require(actor, "publicservice.check_in")
    booking = fetch_visible(Booking, actor, "publicservice.check_in", related=BOOKING_RELATED,
                            code=str(code or "").strip().upper())
    now = clock.now()
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != BookingStatus.BOOKED:
            raise errors.Conflict(f"该预约状态为“{locked.get_status_display()}”,不能签到", code="booking_not_active")
        if timezone.localdate(booking.slot.starts_at) != timezone.localdate(now):
            raise errors.ValidationFailed(
                f"预约日期为 {timezone.localtime(booking.slot.starts_at):%m月%d日},请当天签到", code="check_in_wrong_day")
        locked.status, locked.checked_in_at, locked.checked_in_by = BookingStatus.CHECKED_IN, now, actor
        locked.save(update_fields=["status", "checked_in_at", "checked_in_by"])
        audit.record(actor=actor, action="publicservice.check_in", obj=locked)
    locked.slot, locked.item = booking.slot, booking.item
    return locked


def mark_no_shows(*, now=None) -> int:
    """Bookings whose slot ended without a check-in become no-shows (once each; the task may run often)."""
    now = now or clock.now()
    count = 0
    for booking in Booking.objects.filter(status=BookingStatus.BOOKED, slot__ends_at__lt=now).select_related("item"):
        with transaction.atomic():
            if Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
                    status=BookingStatus.NO_SHOW, no_show_at=now):
                count += 1
                audit.record(actor=None, action="publicservice.no_show", obj=booking)
                notify.notify_ids([booking.user_id], None, "booking_no_show",
                                  f"您预约的“{booking.item.name}”({booking.code})未按时到场,已记爽约一次")
    return count


def send_reminders(*, now=None) -> int:
    """The day-before reminder: in-app and SMS for every booking of tomorrow, exactly once each — the
    booking's `reminded_at` is claimed by a conditional UPDATE before anything is sent, so a second run
    (or two workers at once) sends nothing again."""
    now = now or clock.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    sent = 0
    rows = (Booking.objects.filter(status=BookingStatus.BOOKED, reminded_at__isnull=True,
                                   slot__starts_at__date=tomorrow)
            .select_related("slot__window__office", "item"))
    for booking in rows:
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            start = timezone.localtime(booking.slot.starts_at)
            text = (f"提醒:您预约了明天 {start:%H:%M} 在{booking.slot.window.office.name}{booking.slot.window.name}"
                    f"办理“{booking.item.name}”,预约码 {booking.code}。")
            notify.notify_ids([booking.user_id], None, "booking_reminder", text)
            if booking.phone:
                phone = booking.phone
                transaction.on_commit(lambda p=phone, t=text: sms.send(p, f"【政务服务】{t}"))
            audit.record(actor=None, action="publicservice.remind_booking", obj=booking)
            sent += 1
    return sent
