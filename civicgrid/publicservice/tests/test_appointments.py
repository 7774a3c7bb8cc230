"""Booking, cancelling, check-in, no-shows and reminders at the action level."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.models import Notification
from civicgrid.core import clock, errors
from civicgrid.core.sms import LogBackend
from civicgrid.publicservice.actions import appointments
from civicgrid.publicservice.choices import BookingStatus
from civicgrid.publicservice.models import Booking, Slot
from civicgrid.publicservice.tests.conftest import slot_at, ten_today
from civicgrid.testing import make_user


def test_booking_takes_a_seat_and_gives_a_code(ps):
    slot = slot_at(ps.window, ps.day)
    booking, created = appointments.book(actor=ps.resident, slot_id=slot.pk, item_code="HK01")
    slot.refresh_from_db()
    assert created and slot.booked == 1 and len(booking.code) == 8
    assert booking.status == BookingStatus.BOOKED and booking.name == "张三"


def test_full_slot_is_409_slot_full_and_nothing_written(ps):
    slot = slot_at(ps.window, ps.day)
    appointments.book(actor=ps.resident, slot_id=slot.pk, item_code="HK01")
    appointments.book(actor=ps.resident_b, slot_id=slot.pk, item_code="HK01")
    third = make_user("third", "resident")
    with pytest.raises(errors.Conflict) as exc:
        appointments.book(actor=third, slot_id=slot.pk, item_code="HK01")
    assert exc.value.code == "slot_full"
    slot.refresh_from_db()
    assert slot.booked == 2 and Booking.objects.filter(user=third).count() == 0


def test_second_active_booking_for_the_same_item_is_refused(ps):
    appointments.book(actor=ps.resident, slot_id=slot_at(ps.window, ps.day).pk, item_code="HK01")
    later = slot_at(ps.window, ps.day, 10)
    with pytest.raises(errors.Conflict) as exc:
        appointments.book(actor=ps.resident, slot_id=later.pk, item_code="HK01")
    assert exc.value.code == "booking_exists"
    later.refresh_from_db()
    assert later.booked == 0
    # another item is fine
    appointments.book(actor=ps.resident, slot_id=later.pk, item_code="HK02")


def test_past_slot_and_item_not_at_window_are_refused(ps):
    past = Slot.objects.create(window=ps.window, starts_at=timezone.now() - timedelta(hours=1),
                               ends_at=timezone.now() - timedelta(minutes=30), capacity=2)
    with pytest.raises(errors.ValidationFailed) as exc:
        appointments.book(actor=ps.resident, slot_id=past.pk, item_code="HK01")
    assert exc.value.code == "slot_in_past"
    with pytest.raises(errors.ValidationFailed) as exc:
        appointments.book(actor=ps.resident, slot_id=slot_at(ps.window, ps.day).pk, item_code="SB01")
    assert exc.value.code == "item_not_at_window"


def test_cancel_frees_the_seat_and_late_cancel_is_refused(ps):
    slot = slot_at(ps.window, ps.day)
    booking, _ = appointments.book(actor=ps.resident, slot_id=slot.pk, item_code="HK01")
    appointments.cancel(actor=ps.resident, booking_id=booking.pk)
    slot.refresh_from_db()
    assert slot.booked == 0 and Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    soon = Slot.objects.create(window=ps.window, starts_at=timezone.now() + timedelta(minutes=60),
                               ends_at=timezone.now() + timedelta(minutes=90), capacity=2)
    late, _ = appointments.book(actor=ps.resident, slot_id=soon.pk, item_code="HK01")
    with pytest.raises(errors.ValidationFailed) as exc:
        appointments.cancel(actor=ps.resident, booking_id=late.pk)
    assert exc.value.code == "cancellation_closed"
    assert Booking.objects.get(pk=late.pk).status == BookingStatus.BOOKED


def test_check_in_only_on_the_day_and_only_own_office(ps):
    ten = ten_today()  # a slot 45 minutes ahead is today's
    with clock.at(ten):
        today = Slot.objects.create(window=ps.window, starts_at=ten + timedelta(minutes=45),
                                    ends_at=ten + timedelta(minutes=75), capacity=2)
        booking, _ = appointments.book(actor=ps.resident, slot_id=today.pk, item_code="HK01")
        with pytest.raises(errors.NotFound):
            appointments.check_in(actor=ps.clerk_b, code=booking.code)
        done = appointments.check_in(actor=ps.clerk, code=booking.code.lower())
        assert done.status == BookingStatus.CHECKED_IN and done.checked_in_by == ps.clerk
        other, _ = appointments.book(actor=ps.resident, slot_id=slot_at(ps.window, ps.day).pk, item_code="HK02")
        with pytest.raises(errors.ValidationFailed) as exc:
            appointments.check_in(actor=ps.clerk, code=other.code)
    assert exc.value.code == "check_in_wrong_day"


def test_three_no_shows_block_online_booking(ps, settings):
    for i in range(3):
        slot = Slot.objects.create(window=ps.window, starts_at=timezone.now() + timedelta(hours=2 + i),
                                   ends_at=timezone.now() + timedelta(hours=2 + i, minutes=30), capacity=2)
        appointments.book(actor=ps.resident, slot_id=slot.pk, item_code="HK01")
        assert appointments.mark_no_shows(now=slot.ends_at + timedelta(minutes=1)) == 1
    assert appointments.mark_no_shows(now=timezone.now() + timedelta(hours=6)) == 0
    with pytest.raises(errors.Forbidden) as exc:
        appointments.book(actor=ps.resident, slot_id=slot_at(ps.window, ps.day).pk, item_code="HK01")
    assert exc.value.code == "booking_blocked"
    settings.PUBLICSERVICE_NO_SHOW_LIMIT = 4
    appointments.book(actor=ps.resident, slot_id=slot_at(ps.window, ps.day).pk, item_code="HK01")


def test_reminder_is_sent_once_even_when_the_task_runs_twice(ps, django_capture_on_commit_callbacks):
    from civicgrid.publicservice import tasks

    LogBackend.outbox.clear()
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = timezone.make_aware(timezone.datetime.combine(tomorrow, timezone.datetime.min.time())) + timedelta(hours=7)
    slot = Slot.objects.create(window=ps.window, starts_at=start, ends_at=start + timedelta(minutes=30), capacity=2)
    booking, _ = appointments.book(actor=ps.resident, slot_id=slot.pk, item_code="HK01")
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.send_booking_reminders.call()
        second = tasks.send_booking_reminders.call()
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(user=ps.resident, kind="booking_reminder").count() == 1
    assert [phone for phone, _ in LogBackend.outbox] == ["13800000001"]
    assert Booking.objects.get(pk=booking.pk).reminded_at is not None
