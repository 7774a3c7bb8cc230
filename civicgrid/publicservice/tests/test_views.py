"""The pages: the resident's phone journey, the window, the queue, and who may see what."""

from civicgrid.publicservice.actions import appointments, requests
from civicgrid.publicservice.models import Booking
from civicgrid.publicservice.tests.conftest import slot_at, ten_today
from civicgrid.publicservice.tests.test_requests import apply


def page(client, user, url, **params):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


def test_resident_books_on_the_page_and_gets_a_qr(client, ps):
    client.force_login(ps.resident)
    listing = client.get("/publicservice/book/", {"item": "HK01", "office": "PCS1", "day": ps.day.isoformat()})
    assert listing.status_code == 200 and "09:00" in listing.content.decode()
    slot = slot_at(ps.window, ps.day)
    done = client.post(f"/publicservice/book/?item=HK01&day={ps.day.isoformat()}", {"slot": slot.pk, "item": "HK01"})
    booking = Booking.objects.get(user=ps.resident)
    assert done.status_code == 302 and done["Location"] == f"/publicservice/bookings/{booking.pk}/"
    shown = client.get(done["Location"]).content.decode()
    assert booking.code in shown and "<svg" in shown and "<script>" not in shown
    assert page(client, ps.resident_b, f"/publicservice/bookings/{booking.pk}/").status_code == 404


def test_window_day_view_checks_in_only_own_office(client, ps):
    from datetime import timedelta

    from civicgrid.core import clock
    from civicgrid.publicservice.models import Slot

    ten = ten_today()  # a slot 40 minutes ahead is today's
    with clock.at(ten):
        soon = Slot.objects.create(window=ps.window, starts_at=ten + timedelta(minutes=40),
                                   ends_at=ten + timedelta(minutes=70), capacity=2)
        booking, _ = appointments.book(actor=ps.resident, slot_id=soon.pk, item_code="HK01")
        client.force_login(ps.clerk_b)
        client.post("/publicservice/window/", {"code": booking.code})
        assert Booking.objects.get(pk=booking.pk).status == "booked"
        client.force_login(ps.clerk)
        day = client.get("/publicservice/window/").content.decode()
        assert "张*" in day and "张三" not in day
        client.post("/publicservice/window/", {"code": booking.code})
        assert Booking.objects.get(pk=booking.pk).status == "checked_in"
    assert page(client, ps.resident, "/publicservice/window/").status_code == 403


def test_request_pages_scope_and_plain_deadline(client, ps):
    sr = apply(ps)
    requests.accept(actor=ps.clerk, request_id=sr.pk)
    mine = page(client, ps.resident, "/publicservice/requests/").content.decode()
    assert sr.case.number in mine and "预计 " in mine and "前办结" in mine
    assert sr.case.number not in page(client, ps.resident_b, "/publicservice/requests/").content.decode()
    assert sr.case.number in page(client, ps.clerk, "/publicservice/queue/", q="reviewing").content.decode()
    assert sr.case.number not in page(client, ps.clerk_b, "/publicservice/queue/", q="reviewing").content.decode()
    client.force_login(ps.clerk_b)
    client.post(f"/publicservice/queue/{sr.pk}/approve/")
    sr.refresh_from_db()
    assert sr.case.state == "reviewing"
    assert page(client, ps.resident, "/publicservice/queue/").status_code == 403
    assert page(client, None, "/publicservice/requests/").status_code == 302


def test_mail_address_is_shown_to_the_office_only_when_posting_and_audited(client, ps):
    from civicgrid.core.models import AuditEvent

    sr = apply(ps)
    for step in (requests.accept, requests.approve):
        step(actor=ps.clerk, request_id=sr.pk)
    assert "世纪大道" not in page(client, ps.clerk, "/publicservice/queue/", q="processing").content.decode()
    requests.conclude(actor=ps.clerk, request_id=sr.pk, result="已补办")
    shown = page(client, ps.clerk, "/publicservice/queue/", q="delivering").content.decode()
    assert "上海市 浦东新区世纪大道100号" in shown
    assert AuditEvent.objects.filter(action="publicservice.view_mail_address", actor=ps.clerk).count() == 1
