"""The public-service API: status codes, scoping (404 out of reach) and the public statistics."""

import base64

from civicgrid.cases.actions import sync_categories
from civicgrid.publicservice.actions import appointments, hardcases
from civicgrid.publicservice.models import Booking, ServiceRequest
from civicgrid.publicservice.tests.conftest import slot_at
from civicgrid.testing import make_user

API = "/api/v1/publicservice"


def post(client, user, path, body=None, **headers):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(API + path, body or {}, content_type="application/json", headers=headers)


def get(client, user, path, **params):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(API + path, params)


def test_booking_over_the_api_and_the_last_place(client, ps):
    slot = slot_at(ps.window, ps.day)
    first = post(client, ps.resident, "/bookings", {"slot_id": slot.pk, "item": "HK01"}, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201 and first.json()["status"] == "booked" and first.json()["name"] == "张*"
    replay = post(client, ps.resident, "/bookings", {"slot_id": slot.pk, "item": "HK01"}, **{"Idempotency-Key": "k1"})
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    assert post(client, ps.resident_b, "/bookings", {"slot_id": slot.pk, "item": "HK01"}).status_code == 201
    full = post(client, make_user("late", "resident"), "/bookings", {"slot_id": slot.pk, "item": "HK01"})
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    assert Booking.objects.filter(slot=slot).count() == 2


def test_bookings_are_scoped_to_owner_and_office(client, ps):
    booking, _ = appointments.book(actor=ps.resident, slot_id=slot_at(ps.window, ps.day).pk, item_code="HK01")
    assert get(client, ps.resident_b, f"/bookings/{booking.pk}").status_code == 404
    assert get(client, ps.clerk_b, f"/bookings/{booking.pk}").status_code == 404
    assert get(client, ps.clerk, f"/bookings/{booking.pk}").status_code == 200
    assert get(client, ps.resident_b, "/bookings").json()["count"] == 0
    denied = post(client, ps.resident_b, f"/bookings/{booking.pk}/transitions", {"action": "cancel"})
    assert denied.status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "booked"
    assert post(client, ps.clerk_b, "/check-ins", {"code": booking.code}).status_code == 404
    assert post(client, ps.resident, "/check-ins", {"code": booking.code}).status_code == 403
    assert post(client, None, "/bookings", {"slot_id": 1, "item": "HK01"}).status_code == 401


def test_public_catalogue_and_slots_need_no_login(client, ps):
    items = get(client, None, "/items")
    assert items.status_code == 200 and [i["code"] for i in items.json()] == ["HK01", "HK02", "SB01"]
    slots = get(client, None, "/slots", item="HK01", day=ps.day.isoformat())
    assert slots.status_code == 200 and len(slots.json()) == 13 and slots.json()[0]["free"] == 2
    assert get(client, None, "/slots", item="NOPE").status_code == 404


def test_apply_and_bad_material_over_the_api(client, ps):
    body = {"item": "HK01", "office": "PCS1", "applicant_name": "张三", "answers": {"reason": "遗失"},
            "materials": {"id_card": base64.b64encode(b"not a picture").decode()}}
    bad = post(client, ps.resident, "/requests", body)
    assert bad.status_code == 422 and bad.json()["code"] == "material_type_unsupported"
    assert ServiceRequest.objects.count() == 0
    body["materials"] = {"id_card": base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()}
    made = post(client, ps.resident, "/requests", body)
    assert made.status_code == 201 and made.json()["state"] == "received"
    rid = made.json()["id"]
    assert get(client, ps.clerk_b, f"/requests/{rid}").status_code == 404
    assert post(client, ps.clerk_b, f"/requests/{rid}/transitions", {"action": "accept"}).status_code == 404
    accepted = post(client, ps.clerk, f"/requests/{rid}/transitions", {"action": "accept"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "reviewing"
    assert accepted.json()["promised_text"].startswith("预计 ") and accepted.json()["promised_text"].endswith("前办结")
    assert post(client, ps.resident, f"/requests/{rid}/transitions", {"action": "approve"}).status_code == 403


def test_hard_case_statistics_are_public_and_hold_no_personal_data(client, ps):
    sync_categories()
    hardcases.register(actor=ps.dispatcher, intake="counter", data=hardcases.HardCaseInput(
        category_code="9001", description="户口迁移在两个部门之间来回跑了三次", name="李四", phone="13900000002"))
    online, _ = hardcases.register(actor=ps.resident, intake="online", data=hardcases.HardCaseInput(
        category_code="9002", description="老小区房产证办不下来"))
    assert online.reporter == ps.resident
    stats = get(client, None, "/hard-cases/stats")
    assert stats.status_code == 200
    data = stats.json()
    assert data["received"] == 2 and data["solved"] == 0 and len(data["months"]) == 12
    assert sorted((t["type"], t["count"]) for t in data["by_type"]) == [("历史遗留问题", 1), ("政务服务办不成", 1)]
    assert "李四" not in stats.content.decode() and "139" not in stats.content.decode()
    page = client.get("/publicservice/hard-cases/stats/")
    assert page.status_code == 200 and "李四" not in page.content.decode()
