"""publicservice.sql: each statement answers as the ORM query it replaces (SQLite and PostgreSQL in CI)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.publicservice import sql
from civicgrid.publicservice.choices import BookingStatus
from civicgrid.publicservice.models import Booking, ServiceItem, Slot, Window
from civicgrid.publicservice.tests.conftest import slot_at

pytestmark = pytest.mark.django_db


def test_the_booking_reads_answer_as_the_orm(ps):
    slots = [slot_at(ps.window, ps.day), slot_at(ps.window_b, ps.day, 10)]
    Window.objects.filter(pk=ps.window_b.pk).update(is_active=False)
    for slot in [*slots, Slot(pk=0)]:
        want = Slot.objects.select_related("window__office").filter(pk=slot.pk, window__is_active=True).first()
        got = sql.open_slot(slot.pk)
        assert (got is None) == (want is None)
        if want is not None:
            assert (got.pk, got.window, got.window.office, got.starts_at) == (
                want.pk, want.window, want.window.office, want.starts_at)
    for code in ("HK01", "SB01", "none"):
        assert sql.item_by_code(code) == ServiceItem.objects.filter(code=code).first()
    for window in (ps.window, ps.window_b):
        for item in ServiceItem.objects.all():
            assert sql.window_has_item(window.pk, item.pk) == window.items.filter(pk=item.pk).exists()


def test_no_shows_and_active_bookings_answer_as_the_orm(ps):
    now = timezone.now()
    item = ServiceItem.objects.get(code="HK01")
    slot = slot_at(ps.window, ps.day)
    rows = [Booking.objects.create(code=f"C{i}", slot=slot, item=item, user=ps.resident, name="张三", phone="",
                                   created_at=now, status=status, no_show_at=now - timedelta(days=days))
            for i, (status, days) in enumerate([(BookingStatus.NO_SHOW, 3), (BookingStatus.NO_SHOW, 40),
                                               (BookingStatus.NO_SHOW, 1), (BookingStatus.CANCELLED, 2)])]
    since = now - timedelta(days=30)
    assert sql.no_show_times(ps.resident.pk, since) == sorted(Booking.objects.filter(
        user=ps.resident, status=BookingStatus.NO_SHOW, no_show_at__gte=since).values_list("no_show_at", flat=True))
    assert len(sql.no_show_times(ps.resident.pk, since)) == 2 and sql.no_show_times(ps.resident_b.pk, since) == []
    assert not sql.has_active_booking(ps.resident.pk, item.pk)
    Booking.objects.filter(pk=rows[-1].pk).update(status=BookingStatus.BOOKED)
    assert sql.has_active_booking(ps.resident.pk, item.pk) and not sql.has_active_booking(ps.resident_b.pk, item.pk)


def test_the_fast_booking_look_up_agrees_with_the_scoped_query(ps):
    from civicgrid.core import errors
    from civicgrid.core.scoping import fetch_visible
    from civicgrid.publicservice.actions.appointments import BOOKING_RELATED
    from civicgrid.testing import fetch_disagreements, make_user

    item = ServiceItem.objects.get(code="HK01")
    bookings = [Booking.objects.create(code=f"B{i}", slot=slot_at(window, ps.day, 9 + i), item=item, user=user,
                                       name="张三", phone="", created_at=timezone.now())
                for i, (window, user) in enumerate([(ps.window, ps.resident), (ps.window_b, ps.resident_b)])]
    users = [ps.admin, ps.resident, ps.resident_b, ps.clerk, ps.clerk_b, ps.dispatcher, ps.leader, make_user("nobody")]
    ids = [b.pk for b in bookings] + [0]
    for perm in ("publicservice.check_in", "publicservice.view_booking"):
        assert fetch_disagreements(Booking, users, ids, BOOKING_RELATED, perm) == []
    found = fetch_visible(Booking, ps.clerk, "publicservice.check_in", related=BOOKING_RELATED, code="B0")
    assert found == bookings[0] and found.slot.window.office == ps.police  # by the unique code, as check-in asks
    with pytest.raises(errors.NotFound):
        fetch_visible(Booking, ps.clerk_b, "publicservice.check_in", related=BOOKING_RELATED, code="B0")
