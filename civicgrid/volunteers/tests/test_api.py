"""The volunteer API (/api/v1/volunteers): the order lifecycle over HTTP, bad input with its codes and
nothing written, the permission matrix, masked and audited volunteer reads, statistics, certificates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.core.models import AuditEvent
from civicgrid.volunteers import actions
from civicgrid.volunteers.models import Order, ServiceCertificate, ServiceRecord
from civicgrid.volunteers.tests.conftest import POINT_A, POINT_B, after_service, order_input, tomorrow_at

pytestmark = pytest.mark.django_db

API = "/api/v1/volunteers"


def post(client, user, path, body=None, **headers):
    if user is not None:
        client.force_login(user)
    return client.post(API + path, body or {}, content_type="application/json", headers=headers)


def get(client, user, path, **params):
    if user is not None:
        client.force_login(user)
    return client.get(API + path, params)


def order_body(point=POINT_A, **extra) -> dict:
    start, end = tomorrow_at(9)
    return {"category": "700101", "description": "独居老人近来情绪低落,希望有人聊聊", "channel": "resident",
            "window_start": start.isoformat(), "window_end": end.isoformat(), "contact_preference": "phone",
            **point, **extra}


def to_station(w, **kw) -> Order:
    """Given: an order accepted by station A (through the actions)."""
    order, _ = actions.place_order(actor=w.resident, data=order_input(**kw))
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=w.centre_admin, order_id=order.pk, station_code=w.station_a.code)
    actions.accept_order(actor=w.station_admin, order_id=order.pk)
    return order


def served(w, hours: float = 1.5) -> Order:
    """Given: an order the counsellor served for `hours`, not yet rated."""
    order = to_station(w)
    actions.assign_team(actor=w.station_admin, order_id=order.pk, team_code="T1", volunteer_ids=[w.counsellor.pk])
    actions.log_contact(actor=w.counsellor.user, order_id=order.pk, comment="已联系")
    start = order.window_start
    with after_service(order):
        actions.complete_order(actor=w.counsellor.user, order_id=order.pk, report="上门疏导", records=[
            actions.RecordInput(w.counsellor.pk, start, start + timedelta(hours=hours), "心理疏导")])
    return order


def step(client, user, case_id: int, action: str, comment: str = "", key: str | None = None,
         expected_event_count: int | None = None, **facts):
    """One step of an order through the house route, POST /api/v1/cases/{case_id}/transitions."""
    if user is not None:
        client.force_login(user)
    body = {"action": action, "comment": comment, "facts": facts, "expected_event_count": expected_event_count}
    return client.post(f"/api/v1/cases/{case_id}/transitions", body, content_type="application/json",
                       headers={"Idempotency-Key": key} if key else {})


def actions_of(response) -> list[str]:
    return [a["action"] for a in response.json()["allowed_actions"]]


def order_of(client, user, oid: int) -> dict:
    return get(client, user, f"/orders/{oid}").json()


# --- the lifecycle -----------------------------------------------------------------------------------------

def test_an_order_runs_through_the_api_from_ordering_to_a_single_rating(client, vworld):
    w = vworld
    created = post(client, w.resident, "/orders", order_body(), **{"Idempotency-Key": "phone-1"})
    retries = [post(client, w.resident, "/orders", order_body(), **{"Idempotency-Key": "phone-1"})
               for _ in range(3)]
    assert created.status_code == 201, created.content
    assert [r.status_code for r in retries] == [200, 200, 200]
    oid, case_id = created.json()["id"], created.json()["case_id"]
    assert {r.json()["id"] for r in retries} == {oid} and Order.objects.count() == 1
    order = created.json()
    assert order["state"] == "ordered" and order["category"] == "700101" and order["category_name"] == "心理疏导"
    assert order["region_code"] == w.tree.micro_a.code and order["number"] == Case.objects.get().number
    assert actions_of(created) == ["cancel"]  # the resident may only cancel now

    centre = get(client, w.centre_admin, f"/orders/{oid}")
    assert actions_of(centre) == ["accept", "reject", "cancel"]
    assert actions_of(client.get(f"/api/v1/cases/{case_id}")) == actions_of(centre)
    reviewed = step(client, w.centre_admin, case_id, "accept")
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["case"]["state"] == "reviewed" and reviewed.json()["event"]["action"] == "accept"
    stations = get(client, w.centre_admin, f"/orders/{oid}/stations").json()
    assert stations[0]["code"] == "S1-1" and stations[0]["declined"] is False and stations[0]["reasons"]
    dispatched = step(client, w.centre_admin, case_id, "dispatch", station="S1-1")
    assert dispatched.json()["case"]["state"] == "dispatched" and order_of(client, None, oid)["station"] == "S1-1"

    client.force_login(w.station_admin)
    assert actions_of(get(client, None, f"/orders/{oid}")) == ["station_accept", "decline"]
    count = order_of(client, None, oid)["event_count"]
    accepted = step(client, None, case_id, "station_accept", expected_event_count=count)
    assert accepted.json()["case"]["state"] == "station_accepted"
    shortlist = get(client, None, f"/orders/{oid}/candidates", team="T1").json()
    assert [c["volunteer_id"] for c in shortlist["candidates"]] == [w.counsellor.pk]
    assert set(shortlist["candidates"][0]["parts"]) == {"skill", "distance", "reliability", "continuity", "load"}
    assert {e["volunteer_id"]: e["reasons"] for e in shortlist["excluded"]} == {
        w.expired.pk: ["certificate_expired:心理咨询师"], w.helper.pk: ["missing_capability:心理咨询师"]}
    assigned = step(client, None, case_id, "assign_team", team="T1", volunteer_ids=[w.counsellor.pk])
    assert assigned.status_code == 200, assigned.content
    order = order_of(client, None, oid)
    assert order["state"] == "assigned" and order["team"] == "T1"
    assert order["volunteers"] == [{"id": w.counsellor.pk, "name": "王心怡"}]

    volunteer = w.counsellor.user
    contacted = step(client, volunteer, case_id, "contact", "电话联系张大爷")
    assert contacted.json()["case"]["state"] == "in_service"
    with clock.at(tomorrow_at(9)[1] + timedelta(minutes=10)):  # the service is reported once it is over
        start = tomorrow_at(9)[0]
        completed = step(client, volunteer, case_id, "complete", "上门疏导1.5小时", records=[
            {"volunteer_id": w.counsellor.pk, "started_at": start.isoformat(),
             "ended_at": (start + timedelta(minutes=90)).isoformat(), "content": "心理疏导"}])
        assert completed.status_code == 200, completed.content
        assert completed.json()["case"]["state"] == "completed"
        assert [(r["volunteer"], r["hours"], r["status"]) for r in order_of(client, None, oid)["records"]] == [
            ("王心怡", "1.50", "recorded")]

        rated = step(client, w.resident, case_id, "rate", "很好", satisfaction=5)
        assert rated.json()["case"]["state"] == "archived" and rated.json()["case"]["satisfaction"] == 5
        again = step(client, w.resident, case_id, "rate", satisfaction=1)
        assert again.status_code == 409 and again.json()["code"] == "action_not_allowed_in_state"
        assert Case.objects.get().satisfaction == 5

        confirmed = post(client, w.station_admin, f"/orders/{oid}/confirm-records")
        assert [r["status"] for r in confirmed.json()["records"]] == ["confirmed"]
        assert [o["id"] for o in get(client, w.resident, "/orders").json()["items"]] == [oid]


def test_a_stale_event_count_is_a_conflict_and_changes_nothing(client, vworld):
    order, _ = actions.place_order(actor=vworld.resident, data=order_input())
    stale = order.case.event_count
    actions.review_order(actor=vworld.centre_admin, order_id=order.pk, approve=True)
    response = step(client, vworld.centre_admin, order.case_id, "dispatch", station="S1-1",
                    expected_event_count=stale)
    assert response.status_code == 409 and response.json()["code"] == "case_changed"
    order.refresh_from_db()
    assert order.case.state == "reviewed" and order.station is None


def test_orders_filter_by_state_category_station_and_date(client, vworld):
    w = vworld
    at_station = to_station(w)
    waiting, _ = actions.place_order(actor=w.resident, data=order_input(category="700301"))
    client.force_login(w.centre_admin)

    def ids(**params):
        return [o["id"] for o in get(client, None, "/orders", **params).json()["items"]]

    assert ids() == [waiting.pk, at_station.pk]
    assert ids(state="ordered") == [waiting.pk]
    assert ids(category="7003") == [waiting.pk]
    assert ids(station="S1-1") == [at_station.pk]
    tomorrow = (timezone.localdate(at_station.case.created_at) + timedelta(days=1)).isoformat()
    assert ids(since=tomorrow) == []
    page = get(client, None, "/orders", limit=1).json()
    assert page["count"] == 2 and len(page["items"]) == 1 and "offset=1" in page["next"]


# --- bad input: a specific code and nothing written ----------------------------------------------------

def test_ordering_outside_the_district_is_refused(client, vworld):
    response = post(client, vworld.resident, "/orders", order_body(point={"lat": 40.0, "lng": 120.0}))
    assert response.status_code == 422 and response.json()["code"] == "location_outside_district"
    assert response.json()["message"]  # Chinese text for people
    assert Order.objects.count() == 0 and Case.objects.count() == 0


def test_a_window_without_time_zone_or_a_bad_rating_is_refused(client, vworld):
    start, end = tomorrow_at(9)
    naive = order_body(window_start=start.replace(tzinfo=None).isoformat(), window_end=end.replace(tzinfo=None).isoformat())
    response = post(client, vworld.resident, "/orders", naive)
    assert response.status_code == 422 and response.json()["code"] == "window_naive"
    order = served(vworld)
    response = step(client, vworld.resident, order.case_id, "rate", satisfaction=6)
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert Order.objects.count() == 1 and Case.objects.get().state == "completed"


def test_an_expired_certificate_cannot_be_assigned(client, vworld):
    order = to_station(vworld)
    response = step(client, vworld.station_admin, order.case_id, "assign_team", team="T1",
                    volunteer_ids=[vworld.expired.pk])
    assert response.status_code == 422 and response.json()["code"] == "volunteer_certificate_expired"
    assert response.json()["details"] == {str(vworld.expired.pk): ["certificate_expired:心理咨询师"]}
    order.refresh_from_db()
    assert order.case.state == "station_accepted" and order.team is None and not order.volunteers.exists()


def test_a_volunteer_cannot_be_booked_twice_for_one_time(client, vworld):
    first = to_station(vworld)
    actions.assign_team(actor=vworld.station_admin, order_id=first.pk, team_code="T1",
                        volunteer_ids=[vworld.counsellor.pk])
    second = to_station(vworld)
    response = step(client, vworld.station_admin, second.case_id, "assign_team", team="T1",
                    volunteer_ids=[vworld.counsellor.pk])
    assert response.status_code == 422 and response.json()["code"] == "volunteer_conflict"
    second.refresh_from_db()
    assert second.case.state == "station_accepted" and second.team is None


def test_hours_outside_the_window_are_refused(client, vworld):
    order = to_station(vworld)
    actions.assign_team(actor=vworld.station_admin, order_id=order.pk, team_code="T1",
                        volunteer_ids=[vworld.counsellor.pk])
    actions.log_contact(actor=vworld.counsellor.user, order_id=order.pk, comment="已联系")
    late = order.window_end - timedelta(minutes=30)
    response = step(client, vworld.counsellor.user, order.case_id, "complete", "完成", records=[
        {"volunteer_id": vworld.counsellor.pk, "started_at": late.isoformat(),
         "ended_at": (late + timedelta(hours=1)).isoformat()}])
    assert response.status_code == 422 and response.json()["code"] == "outside_window"
    assert ServiceRecord.objects.count() == 0
    order.refresh_from_db()
    assert order.case.state == "in_service"


# --- who may do what ---------------------------------------------------------------------------------------

def test_a_resident_sees_only_their_own_orders(client, vworld):
    mine, _ = actions.place_order(actor=vworld.resident, data=order_input())
    theirs, _ = actions.place_order(actor=vworld.resident_b, data=order_input(point=POINT_B))
    client.force_login(vworld.resident)
    assert [o["id"] for o in get(client, None, "/orders").json()["items"]] == [mine.pk]
    assert get(client, None, f"/orders/{theirs.pk}").status_code == 404
    response = step(client, None, theirs.case_id, "cancel", reason="不需要了")
    assert response.status_code == 404
    assert Case.objects.get(pk=theirs.case_id).state == "ordered"


def test_the_other_station_cannot_see_or_act_on_an_order(client, vworld):
    order, _ = actions.place_order(actor=vworld.resident, data=order_input())
    actions.review_order(actor=vworld.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S1-1")
    client.force_login(vworld.station_admin_b)
    assert get(client, None, f"/orders/{order.pk}").status_code == 404
    response = step(client, None, order.case_id, "station_accept")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert get(client, None, f"/orders/{order.pk}/candidates", team="T1").status_code == 404
    assert Case.objects.get().state == "dispatched"


def test_a_volunteer_cannot_dispatch_or_confirm_their_own_hours(client, vworld):
    w = vworld
    volunteer = w.counsellor.user
    RoleAssignment.objects.create(user=volunteer, role="resident")  # volunteers order services too
    own, _ = actions.place_order(actor=volunteer, data=order_input())
    actions.review_order(actor=w.centre_admin, order_id=own.pk, approve=True)
    response = step(client, volunteer, own.case_id, "dispatch", station="S1-1")
    assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
    own.refresh_from_db()
    assert own.case.state == "reviewed" and own.station is None

    order = served(w)
    response = post(client, volunteer, f"/orders/{order.pk}/confirm-records")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert list(ServiceRecord.objects.values_list("status", flat=True)) == ["recorded"]
    assert get(client, volunteer, f"/orders/{order.pk}/stations").status_code == 403


def test_anonymous_callers_get_401_except_for_the_catalogue_and_verification(client, vworld):
    order, _ = actions.place_order(actor=vworld.resident, data=order_input())
    client.logout()
    for path in ["/orders", f"/orders/{order.pk}", f"/orders/{order.pk}/stations", "/volunteers",
                 "/volunteers/me", f"/volunteers/{vworld.counsellor.pk}", "/donations", "/stats",
                 "/certificates/ZYZM-C-20260101-000001/pdf"]:
        assert get(client, None, path).status_code == 401, path
    for path in ["/orders", f"/orders/{order.pk}/confirm-records", "/volunteers", "/records/1/correct",
                 "/donations"]:
        assert post(client, None, path).status_code == 401, path
    assert step(client, None, order.case_id, "cancel", reason="不需要了").status_code == 401
    catalogue = get(client, None, "/services")
    assert catalogue.status_code == 200
    services = catalogue.json()["services"]
    assert [s["code"] for s in services] == [f"700{i}" for i in range(1, 9)]
    assert services[0]["required_certificates"] == ["心理咨询师"]
    assert [i["code"] for i in services[1]["items"]] == ["700201", "700202"]
    assert services[1]["items"][1]["required_certificates"] == []  # 文书代写: any legal-aid volunteer
    assert services[7]["is_emergency"] is True and "120" in catalogue.json()["emergency_notice"]
    unknown = get(client, None, "/certificates/verify/no-such-token")
    assert unknown.status_code == 404 and unknown.json()["code"] == "certificate_unknown"
    assert Order.objects.count() == 1


# --- volunteers --------------------------------------------------------------------------------------------

def test_volunteer_details_are_masked_and_every_read_is_audited(client, vworld):
    w = vworld
    client.force_login(w.centre_admin)
    first = get(client, None, f"/volunteers/{w.counsellor.pk}")
    get(client, None, f"/volunteers/{w.counsellor.pk}")
    body = first.json()
    assert first.status_code == 200
    assert body["id_number"] == "2" + "*" * 16 + w.counsellor.id_number[-1]
    assert body["phone"] == "*******0000"
    assert body["teams"] == [{"team": "T1", "team_name": "暖心心理服务队", "is_leader": False, "is_active": True}]
    assert body["qualifications"][0]["kind"] == "心理咨询师" and body["confirmed_hours"] == "0.00"
    reads = AuditEvent.objects.filter(action="volunteers.view_volunteer", object_id=str(w.counsellor.pk))
    assert [(e.actor_id, e.fields) for e in reads] == [(w.centre_admin.pk, "id_number,phone")] * 2
    listed = get(client, None, "/volunteers", team="T1").json()
    assert [v["name"] for v in listed["items"]] == ["王心怡", "李安", "赵敬"]
    assert {v["phone"] for v in listed["items"]} == {"*******0000", "*******0001", "*******0002"}
    assert get(client, w.station_admin_b, f"/volunteers/{w.counsellor.pk}").status_code == 404
    assert reads.count() == 2  # a refused read leaves no read record


def test_registering_a_volunteer_is_idempotent_and_answers_masked(client, vworld):
    from civicgrid.volunteers.tests.conftest import id_number

    body = {"name": "孙悦", "id_number": id_number(77), "phone": "13700001234", "region": vworld.tree.micro_a.code,
            "skills": ["7003"], "availability": [{"weekday": 2, "start": "08:00", "end": "12:00"}]}
    first = post(client, vworld.centre_admin, "/volunteers", body, **{"Idempotency-Key": "reg-1"})
    again = post(client, vworld.centre_admin, "/volunteers", body, **{"Idempotency-Key": "reg-1"})
    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"] and first.json()["phone"] == "*******1234"
    assert first.json()["availability"] == [{"weekday": 2, "start": "08:00:00", "end": "12:00:00"}]
    twin = post(client, vworld.centre_admin, "/volunteers", body)
    assert twin.status_code == 409 and twin.json()["code"] == "volunteer_exists"
    bad = post(client, vworld.centre_admin, "/volunteers", {**body, "id_number": id_number(78)[:-1] + "0"})
    assert bad.status_code == 422 and bad.json()["code"] == "id_number_checksum"


def test_a_volunteer_sees_their_own_hours_and_stars(client, vworld):
    w = vworld
    order = served(w, hours=2)
    with after_service(order):
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)
    me = get(client, w.counsellor.user, "/volunteers/me")
    assert me.status_code == 200
    assert (me.json()["name"], me.json()["confirmed_hours"], me.json()["stars"]) == ("王心怡", "2.00", 0)
    assert [(r["order_number"], r["hours"], r["status"]) for r in me.json()["records"]] == [
        (order.case.number, "2.00", "confirmed")]
    assert AuditEvent.objects.filter(action="volunteers.view_volunteer", actor=w.counsellor.user).count() == 1
    nobody = get(client, w.resident, "/volunteers/me")
    assert nobody.status_code == 404 and nobody.json()["code"] == "not_a_volunteer"


def test_a_correction_keeps_the_record_for_confirmation_again(client, vworld):
    w = vworld
    order = served(w)
    with after_service(order):
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)
        record = ServiceRecord.objects.get()
        start = order.window_start
        response = post(client, w.station_admin, f"/records/{record.pk}/correct", {
            "started_at": start.isoformat(), "ended_at": (start + timedelta(hours=1)).isoformat(),
            "content": "心理疏导", "reason": "结束时间填错"})
        assert response.status_code == 200, response.content
        assert (response.json()["hours"], response.json()["status"]) == ("1.00", "recorded")
        assert record.corrections.get().before["hours"] == "1.50"
        outside = post(client, w.station_admin, f"/records/{record.pk}/correct", {
            "started_at": (start - timedelta(hours=2)).isoformat(), "ended_at": start.isoformat(),
            "content": "x", "reason": "y"})
        assert outside.status_code == 422 and outside.json()["code"] == "outside_window"
        assert post(client, w.station_admin_b, f"/records/{record.pk}/correct", {
            "started_at": start.isoformat(), "ended_at": (start + timedelta(hours=1)).isoformat(),
            "content": "x", "reason": "y"}).status_code == 404


# --- certificates ------------------------------------------------------------------------------------------

def test_a_certificate_is_issued_downloaded_as_pdf_and_verified_publicly(client, vworld):
    w = vworld
    order = served(w)
    with after_service(order):
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)
    issued = post(client, w.station_admin, f"/volunteers/{w.counsellor.pk}/certificates", {"site": "S1-1"})
    assert issued.status_code == 201, issued.content
    cert = ServiceCertificate.objects.get()
    body = issued.json()
    assert body["number"] == cert.number
    assert cert.number == f"ZYZM-S11-{timezone.localdate(cert.issued_at):%Y%m%d}-000001"  # code letters and digits
    assert body["verify_url"] == f"http://testserver/volunteers/certificates/{cert.token}/"
    assert (body["total_hours"], body["record_count"], body["issuer_name"]) == ("1.50", 1, "社区A文明实践站")

    pdf = get(client, w.counsellor.user, body["pdf_url"].removeprefix("http://testserver" + API))  # their own
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert get(client, w.resident_b, f"/certificates/{cert.number}/pdf").status_code == 404

    client.logout()
    verified = get(client, None, f"/certificates/verify/{cert.token}")
    assert verified.status_code == 200
    assert verified.json() == {
        "number": cert.number, "volunteer": {"name": "王**", "id_number": "2" + "*" * 16 + w.counsellor.id_number[-1]},
        "total_hours": "1.50", "record_count": 1, "first_date": cert.first_date.isoformat(),
        "last_date": cert.last_date.isoformat(), "issuer": "社区A文明实践站",
        "issued_on": timezone.localdate(cert.issued_at).isoformat(), "valid": True}


def test_no_certificate_without_confirmed_hours(client, vworld):
    served(vworld)  # recorded, not yet confirmed
    response = post(client, vworld.centre_admin, f"/volunteers/{vworld.counsellor.pk}/certificates", {"site": "C"})
    assert response.status_code == 422 and response.json()["code"] == "no_confirmed_hours"
    assert ServiceCertificate.objects.count() == 0


# --- donations and statistics --------------------------------------------------------------------------

def test_donations_are_recorded_once_and_distributed_within_what_is_left(client, vworld):
    from civicgrid.people.models import Household

    w = vworld
    body = {"site": "S1-1", "donor": "爱心企业", "kind": "money", "amount": "500.00"}
    first = post(client, w.station_admin, "/donations", body, **{"Idempotency-Key": "d-1"})
    again = post(client, w.station_admin, "/donations", body, **{"Idempotency-Key": "d-1"})
    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"] and first.json()["remaining"] == "500.00"
    did = first.json()["id"]
    household = Household.objects.create(region=w.tree.micro_a, number="H-001")
    given = post(client, None, f"/donations/{did}/distributions", {"household_id": household.pk, "amount": "300"})
    assert given.status_code == 201 and given.json()["amount"] == "300.00"
    too_much = post(client, None, f"/donations/{did}/distributions", {"household_id": household.pk, "amount": "201"})
    assert too_much.status_code == 422 and too_much.json()["code"] == "distribution_exceeds_donation"
    listed = get(client, None, "/donations").json()
    assert [(d["id"], d["distributed"], d["remaining"]) for d in listed["items"]] == [(did, "300.00", "200.00")]
    assert post(client, w.station_admin_b, "/donations", {**body, "site": "S1-1"}).status_code == 404
    assert get(client, None, "/donations").json()["count"] == 0


def test_stats_count_exactly_what_the_stats_page_counts(client, vworld):
    w = vworld
    served(w, hours=1.5)  # matched and completed
    to_station(w)  # at the station, not matched
    actions.place_order(actor=w.resident, data=order_input(category="700301"))  # waiting for review
    response = get(client, w.centre_admin, "/stats")
    assert response.status_code == 200
    assert response.json() == {
        "orders": 3, "matched": 1, "completed": 1, "matching_rate": 0.3333, "median_hours_to_match": 0.0,
        "by_category": {"心理援助": 2, "敬老服务": 1},
        "by_status": {"completed": 1, "station_accepted": 1, "ordered": 1}, "hours": "1.50"}
    later = (timezone.localdate(Order.objects.first().case.created_at) + timedelta(days=1)).isoformat()
    assert get(client, None, "/stats", since=later).json()["orders"] == 0
    refused = get(client, w.resident, "/stats")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_an_order_by_id_is_reached_through_its_case_not_a_subquery_of_all_cases(vworld):
    """Whoever sees the case sees the order; the filter joins the order's own case (a subquery of every
    case the grant reaches was computed in full on PostgreSQL for each order fetched)."""
    from civicgrid.core.scoping import get_visible
    from civicgrid.volunteers.models import Order

    order, _ = actions.place_order(actor=vworld.resident, data=order_input())
    actions.review_order(actor=vworld.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S1-1")
    for user in (vworld.centre_admin, vworld.station_admin, vworld.resident):
        sql = str(Order.objects.visible_to(user).filter(pk=order.pk).query).upper()
        assert 'FROM "CASES_CASE" U' not in sql, sql  # the old subquery: SELECT U0."ID" FROM "CASES_CASE" U0 …
        assert get_visible(Order.objects, user, pk=order.pk) == order


def test_teams_over_the_api_join_again_leave_and_out_of_scope(client, vworld):
    w = vworld
    other = actions.create_team(actor=w.centre_admin, code="T2", name="法律服务队", site=w.station_b,
                                capabilities=["7002"], service_region=w.tree.district)
    path = f"/volunteers/{w.counsellor.pk}/teams"
    first = post(client, w.centre_admin, path, {"team": other.code})
    assert first.status_code == 201 and first.json() == {"team": "T2", "team_name": "法律服务队", "is_leader": False,
                                                         "is_active": True}
    again = post(client, None, path, {"team": other.code, "is_leader": True})
    assert again.status_code == 200 and again.json()["is_leader"] is True
    assert post(client, None, path, {"team": "NOPE"}).json()["code"] == "not_found"
    # station B reaches the counsellor through T2 now, but not station A's team T1 to take them out of it
    client.force_login(w.station_admin_b)
    assert client.delete(f"{API}{path}/T1").status_code == 404
    left = client.delete(f"{API}{path}/T2")
    assert left.status_code == 200 and left.json()["is_active"] is False
    again = client.delete(f"{API}{path}/T2")
    assert again.status_code == 404  # no longer a member of station B's teams: not station B's to manage
    client.force_login(w.centre_admin)
    response = client.delete(f"{API}{path}/T2")
    assert response.status_code == 422 and response.json()["code"] == "not_a_member"
