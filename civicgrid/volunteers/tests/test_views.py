"""The volunteer pages: who may open which page (a small permission matrix: login, 403, 404 out of scope),
each form posting through its action (the state changes), and bad input answered with the action's Chinese
message, status 422 and nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from civicgrid.cases.models import CaseEvent
from civicgrid.testing import make_user
from civicgrid.volunteers import actions, catalogue
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import (
    Availability,
    Distribution,
    Donation,
    Order,
    ServiceCertificate,
    ServiceRecord,
    Volunteer,
)
from civicgrid.volunteers.tests.conftest import POINT_A, after_service, id_number, order_input, tomorrow_at

pytestmark = pytest.mark.django_db


# ---- helpers -----------------------------------------------------------------------------------------

def place(w, actor=None, **kw) -> Order:
    order, _ = actions.place_order(actor=actor or w.resident, data=order_input(**kw))
    return order


def advance(w, order: Order, until: str) -> Order:
    """Run the order through the actions up to `until` (a state of the happy path)."""
    steps = [
        ("reviewed", lambda: actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)),
        ("dispatched", lambda: actions.dispatch_order(actor=w.centre_admin, order_id=order.pk,
                                                      station_code=w.station_a.code)),
        ("station_accepted", lambda: actions.accept_order(actor=w.station_admin, order_id=order.pk)),
        ("assigned", lambda: actions.assign_team(actor=w.station_admin, order_id=order.pk, team_code=w.team.code,
                                                 volunteer_ids=[w.counsellor.pk])),
        ("in_service", lambda: actions.log_contact(actor=w.counsellor.user, order_id=order.pk, comment="已联系")),
        ("completed", lambda: actions.complete_order(
            actor=w.counsellor.user, order_id=order.pk, report="上门疏导", records=[actions.RecordInput(
                w.counsellor.pk, order.window_start, order.window_start + timedelta(minutes=90), "心理疏导")])),
    ]
    for state, run in steps:
        if state == "completed":
            with after_service(order):  # the service is reported once it is over
                run()
        else:
            run()
        if state == until:
            break
    order.refresh_from_db()
    order.case.refresh_from_db()
    return order


def step_url(order: Order, step: str) -> str:
    return reverse("volunteers:step", args=[order.pk, step])


def count(order: Order) -> int:
    order.case.refresh_from_db()
    return order.case.event_count


def state(order: Order) -> str:
    order.case.refresh_from_db()
    return order.case.state


def body(response) -> str:
    return response.content.decode()


def order_post(**changes) -> dict:
    start, _ = tomorrow_at(9)
    data = {"category": "700101", "description": "独居老人近来情绪低落,希望有人聊聊", "date": start.date().isoformat(),
            "start": "09:00", "end": "11:00", "lat": POINT_A["lat"], "lng": POINT_A["lng"], "region": "",
            "address": "幸福里3号楼2单元301", "contact_preference": "phone", "reporter_phone": "13900000001",
            "people_needed": "1", "idempotency_key": "k-1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ---- permission matrix -------------------------------------------------------------------------------

STAFF_PAGES = ["volunteers:centre", "volunteers:station", "volunteers:stats", "volunteers:donations",
               "volunteers:volunteers"]


def test_anonymous_gets_the_public_pages_and_is_sent_to_login_elsewhere(client, vworld):
    assert client.get(reverse("volunteers:services")).status_code == 200
    for name in ["volunteers:hub", "volunteers:order", "volunteers:mine", "volunteers:tasks", "volunteers:register",
                 *STAFF_PAGES]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    response = client.get(reverse("volunteers:certificate_pdf", args=["ZYZM-C-20260101-000001"]))
    assert response["Location"].startswith("/accounts/login/")


def test_an_account_without_volunteer_permissions_gets_403(client, vworld):
    client.force_login(make_user("auditor", "audit_admin", vworld.tree.district))
    for name in ["volunteers:order", "volunteers:mine", *STAFF_PAGES]:
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize("who, allowed, denied", [
    ("resident", ["volunteers:order", "volunteers:mine", "volunteers:hub", "volunteers:register"],
     ["volunteers:centre", "volunteers:station", "volunteers:stats", "volunteers:donations", "volunteers:volunteers"]),
    ("centre_admin", ["volunteers:centre", "volunteers:stats", "volunteers:donations", "volunteers:volunteers",
                      "volunteers:order"], ["volunteers:station"]),
    ("station_admin", ["volunteers:station", "volunteers:stats", "volunteers:donations", "volunteers:volunteers"],
     ["volunteers:centre", "volunteers:order"]),
])
def test_each_board_is_for_its_role(client, vworld, who, allowed, denied):
    client.force_login(getattr(vworld, who))
    for name in allowed:
        assert client.get(reverse(name)).status_code == 200, name
    for name in denied:
        assert client.get(reverse(name)).status_code == 403, name


def test_the_volunteer_page_needs_a_volunteer_profile(client, vworld):
    client.force_login(vworld.counsellor.user)
    assert client.get(reverse("volunteers:tasks")).status_code == 200
    assert client.get(reverse("volunteers:centre")).status_code == 403
    client.force_login(vworld.resident)
    assert client.get(reverse("volunteers:tasks")).url == reverse("volunteers:register")


def test_out_of_scope_orders_and_volunteers_are_404_and_nothing_changes(client, vworld):
    w = vworld
    order = advance(w, place(w), "dispatched")
    before = count(order)
    client.force_login(w.station_admin_b)  # another station: the order is not theirs
    assert client.post(step_url(order, "accept"), {"expected_event_count": before}).status_code == 404
    assert client.get(reverse("volunteers:volunteer", args=[w.counsellor.pk])).status_code == 404
    client.force_login(w.resident_b)  # another resident
    assert client.post(step_url(order, "cancel"), {"expected_event_count": before, "reason": "x"}).status_code == 404
    assert count(order) == before and state(order) == "dispatched"


def test_a_resident_cannot_take_a_centre_step_on_their_own_order(client, vworld):
    order = place(vworld)
    client.force_login(vworld.resident)
    response = client.post(step_url(order, "review"), {"expected_event_count": 1, "decision": "approve"})
    assert response.status_code == 403 and state(order) == "ordered"


# ---- ordering ----------------------------------------------------------------------------------------

def test_a_resident_orders_on_the_phone_page_once_per_key(client, vworld):
    client.force_login(vworld.resident)
    page = body(client.get(reverse("volunteers:order")))
    assert 'name="idempotency_key"' in page and 'id="report-map"' in page and 'name="on_behalf_of"' not in page
    response = client.post(reverse("volunteers:order"), order_post())
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == f"{reverse('volunteers:mine')}#order-{order.pk}"
    assert order.case.category.code == "700101" and order.case.reporter == vworld.resident
    assert order.case.region == vworld.tree.micro_a and order.case.reporter_phone == "13900000001"
    assert client.post(reverse("volunteers:order"), order_post()).status_code == 302  # a retried submit
    assert Order.objects.count() == 1


def test_a_grid_worker_orders_on_behalf_of_an_elderly_resident(client, vworld):
    client.force_login(vworld.grid_a)
    assert 'name="on_behalf_of"' in body(client.get(reverse("volunteers:order")))
    response = client.post(reverse("volunteers:order"), order_post(on_behalf_of="张大爷", region=vworld.tree.grid_a.code,
                                                                   lat="", lng=""))
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.on_behalf_of == "张大爷" and order.case.channel == "grid" and order.case.reporter_name == "张大爷"


def test_the_emergency_service_shows_the_call_first_notice(client, vworld):
    client.force_login(vworld.resident)
    page = body(client.get(reverse("volunteers:order") + "?service=7008"))
    notice = page.split('id="emergency-notice"')[1].split(">")[0]
    assert catalogue.EMERGENCY_NOTICE in page and "hidden" not in notice
    page = body(client.get(reverse("volunteers:order") + "?service=7001"))
    assert "hidden" in page.split('id="emergency-notice"')[1].split(">")[0]


@pytest.mark.parametrize("changes, message", [
    ({"category": ""}, "请选择服务项目"),
    ({"date": "2020-01-01"}, "希望服务的时间已过去"),
    ({"start": "11:00", "end": "10:00"}, "结束时间须晚于开始时间"),
    ({"lat": "40.0", "lng": "120.0"}, "该位置不在本区范围内"),
    ({"lat": "", "lng": "", "region": ""}, "请在地图上选点,或选择所在网格"),
    ({"people_needed": "0"}, "需要的志愿者人数须在1–20之间"),
    ({"reporter_phone": ""}, "选择电话或短信联系时,请填写联系电话"),
])
def test_bad_orders_show_the_chinese_message_and_write_nothing(client, vworld, changes, message):
    client.force_login(vworld.resident)
    response = client.post(reverse("volunteers:order"), order_post(**changes))
    assert response.status_code == 422
    assert message in body(response)
    assert Order.objects.count() == 0


# ---- the centre --------------------------------------------------------------------------------------

def test_the_centre_reviews_and_dispatches_with_suggestions(client, vworld):
    w = vworld
    urgent = place(w, category="7008")
    order = place(w)
    client.force_login(w.centre_admin)
    page = body(client.get(reverse("volunteers:centre")))
    assert page.index(urgent.case.number) < page.index(order.case.number)  # urgent first
    assert "badge-urgent" in page
    response = client.post(step_url(order, "review"), {"expected_event_count": count(order), "decision": "approve"})
    assert response.status_code == 302 and state(order) == "reviewed"
    page = body(client.get(reverse("volunteers:centre")))
    assert "社区A文明实践站" in page and "同一社区" in page and "能力覆盖" in page
    response = client.post(step_url(order, "dispatch"), {"expected_event_count": count(order),
                                                         "station": w.station_a.code})
    assert response.status_code == 302
    order.refresh_from_db()
    assert state(order) == "dispatched" and order.station == w.station_a


def test_rejecting_needs_a_reason(client, vworld):
    order = place(vworld)
    client.force_login(vworld.centre_admin)
    before = count(order)
    response = client.post(step_url(order, "review"), {"expected_event_count": before, "decision": "reject"})
    assert response.status_code == 422 and "请填写不予受理的原因" in body(response)
    assert count(order) == before and state(order) == "ordered"
    client.post(step_url(order, "review"), {"expected_event_count": before, "decision": "reject",
                                            "reason": "不属于志愿服务范围"})
    assert state(order) == "rejected"


def test_a_stale_page_is_409_and_changes_nothing(client, vworld):
    order = place(vworld)
    client.force_login(vworld.centre_admin)
    stale = count(order) - 1
    response = client.post(step_url(order, "review"), {"expected_event_count": stale, "decision": "approve"})
    assert response.status_code == 409 and "请刷新" in body(response)
    assert state(order) == "ordered"


# ---- the station -------------------------------------------------------------------------------------

def test_the_station_accepts_or_declines_with_a_reason(client, vworld):
    w = vworld
    order = advance(w, place(w), "dispatched")
    client.force_login(w.station_admin)
    assert order.case.number in body(client.get(reverse("volunteers:station")))
    response = client.post(step_url(order, "decline"), {"expected_event_count": count(order), "reason": ""})
    assert response.status_code == 422 and "请填写拒单原因" in body(response) and state(order) == "dispatched"
    client.post(step_url(order, "accept"), {"expected_event_count": count(order)})
    assert state(order) == "station_accepted"


def test_the_station_assigns_from_the_shortlist_and_sees_who_is_excluded_and_why(client, vworld):
    w = vworld
    order = advance(w, place(w), "station_accepted")
    client.force_login(w.station_admin)
    page = body(client.get(reverse("volunteers:station")))
    assert "王心怡" in page and "技能匹配" in page
    assert "心理咨询师证书在服务日已过期" in page  # 李安
    assert "缺少心理咨询师资质证书" in page  # 赵敬
    fragment = client.get(reverse("volunteers:shortlist", args=[order.pk]), {"team": w.team.code})
    assert fragment.status_code == 200 and "王心怡" in body(fragment)

    before = count(order)
    response = client.post(step_url(order, "assign"), {"expected_event_count": before, "team": w.team.code,
                                                       "volunteers": [w.expired.pk]})
    assert response.status_code == 422 and "所选志愿者的资格证书在服务日已过期" in body(response)
    assert count(order) == before and not order.volunteers.exists()

    response = client.post(step_url(order, "assign"), {"expected_event_count": before, "team": w.team.code,
                                                       "volunteers": [w.counsellor.pk]})
    assert response.status_code == 302 and state(order) == "assigned"
    assert list(order.volunteers.all()) == [w.counsellor]


def test_the_station_confirms_the_records(client, vworld):
    w = vworld
    order = advance(w, place(w), "completed")
    client.force_login(w.station_admin)
    assert "服务记录 · 待确认" in body(client.get(reverse("volunteers:station")))
    with after_service(order):
        assert client.post(step_url(order, "confirm")).status_code == 302
    assert ServiceRecord.objects.get(order=order).status == RecordStatus.CONFIRMED


# ---- the volunteer -----------------------------------------------------------------------------------

def test_the_volunteer_contacts_and_completes_with_each_ones_hours(client, vworld):
    w = vworld
    order = advance(w, place(w), "assigned")
    client.force_login(w.helper.user)  # a team member not sent on this order
    assert order.case.number not in body(client.get(reverse("volunteers:tasks")))
    client.force_login(w.counsellor.user)
    page = body(client.get(reverse("volunteers:tasks")))
    assert order.case.number in page and "13900000001" in page  # the phone, for the volunteer sent
    client.post(step_url(order, "contact"), {"expected_event_count": count(order), "comment": "电话联系,约好上门"})
    assert state(order) == "in_service"

    start = order.window_start.astimezone().strftime("%Y-%m-%dT%H:%M")
    late = (order.window_end + timedelta(hours=1)).astimezone().strftime("%Y-%m-%dT%H:%M")
    v = w.counsellor.pk
    bad = {"expected_event_count": count(order), "report": "上门疏导", f"served_{v}": "on", f"start_{v}": start,
           f"end_{v}": late}
    with after_service(order):
        response = client.post(step_url(order, "complete"), bad)
    assert response.status_code == 422 and "不在群众预约的服务时段" in body(response)
    assert state(order) == "in_service" and not ServiceRecord.objects.exists()

    end = (order.window_start + timedelta(minutes=90)).astimezone().strftime("%Y-%m-%dT%H:%M")
    with after_service(order):
        response = client.post(step_url(order, "complete"), {**bad, f"end_{v}": end})
    assert response.status_code == 302 and state(order) == "completed"
    assert ServiceRecord.objects.get(order=order).hours == Decimal("1.50")


def test_nobody_serving_is_refused(client, vworld):
    w = vworld
    order = advance(w, place(w), "in_service")
    client.force_login(w.counsellor.user)
    response = client.post(step_url(order, "complete"), {"expected_event_count": count(order), "report": "x"})
    assert response.status_code == 422 and "请至少勾选一名参加服务的志愿者" in body(response)
    assert state(order) == "in_service"


# ---- the resident's orders ---------------------------------------------------------------------------

def test_my_orders_show_progress_team_and_the_rating_form(client, vworld):
    w = vworld
    order = advance(w, place(w), "completed")
    client.force_login(w.resident)
    page = body(client.get(reverse("volunteers:mine")))
    assert "暖心心理服务队" in page and 'class="current"' in page and f"rate-{order.pk}" in page
    response = client.post(step_url(order, "rate"), {"expected_event_count": count(order)})
    assert response.status_code == 422 and "请选择满意度" in body(response) and state(order) == "completed"
    client.post(step_url(order, "rate"), {"expected_event_count": count(order), "satisfaction": "5", "comment": "很好"})
    assert state(order) == "archived"


def test_a_resident_cancels_with_a_reason_while_allowed(client, vworld):
    order = place(vworld)
    client.force_login(vworld.resident)
    assert f"cancel-{order.pk}" in body(client.get(reverse("volunteers:mine")))
    response = client.post(step_url(order, "cancel"), {"expected_event_count": count(order), "reason": ""})
    assert response.status_code == 422 and state(order) == "ordered"
    client.post(step_url(order, "cancel"), {"expected_event_count": count(order), "reason": "家人已经来了"})
    assert state(order) == "cancelled"
    assert CaseEvent.objects.filter(case=order.case, action="cancel").count() == 1


# ---- registration ------------------------------------------------------------------------------------

GOOD_ID = id_number(41)
BAD_ID = GOOD_ID[:17] + ("1" if GOOD_ID[-1] == "0" else "0")


def register_post(**changes) -> dict:
    data = {"name": "陈志远", "id_number": GOOD_ID, "phone": "13812345678",
            "region": "", "skills": ["7003", "7005"], "availability": ["2-am", "2-pm", "5-eve"],
            "service_radius_km": "5", "cert_kind_0": "教师", "cert_number_0": "JS001", "cert_until_0": "2030-12-31",
            "idempotency_key": "r-1"}
    data.update(changes)
    return data


def test_a_resident_registers_as_a_volunteer(client, vworld):
    client.force_login(vworld.resident)
    response = client.post(reverse("volunteers:register"), register_post(region=vworld.tree.grid_a.code))
    assert response.status_code == 302 and response.url == reverse("volunteers:tasks")
    volunteer = Volunteer.objects.get(user=vworld.resident)
    assert volunteer.skills == ["7003", "7005"] and volunteer.qualifications.get().kind == "教师"
    slots = [(a.weekday, a.start.hour, a.end.hour) for a in Availability.objects.filter(volunteer=volunteer)]
    assert slots == [(2, 8, 18), (5, 18, 21)]  # 上午 + 下午 of Wednesday are one window


@pytest.mark.parametrize("changes, message", [
    ({"id_number": BAD_ID}, "身份证号校验位错误"),
    ({"skills": []}, "请至少选择一项能提供的服务"),
    ({"phone": "12345"}, "请填写11位手机号"),
])
def test_bad_registrations_write_nothing(client, vworld, changes, message):
    client.force_login(vworld.resident)
    response = client.post(reverse("volunteers:register"), register_post(region=vworld.tree.grid_a.code, **changes))
    assert response.status_code == 422 and message in body(response)
    assert not Volunteer.objects.filter(user=vworld.resident).exists()


# ---- certificates ------------------------------------------------------------------------------------

def test_staff_issue_a_certificate_that_downloads_and_verifies(client, vworld):
    w = vworld
    order = advance(w, place(w), "completed")
    client.force_login(w.centre_admin)
    url = reverse("volunteers:issue_certificate", args=[w.counsellor.pk])
    response = client.post(url, {"site": w.centre.code})
    assert response.status_code == 422 and "该志愿者还没有经确认的服务记录" in body(response)
    assert not ServiceCertificate.objects.exists()

    with after_service(order):
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)
    page = body(client.get(reverse("volunteers:volunteer", args=[w.counsellor.pk])))
    masked = w.counsellor.id_number[0] + "*" * 16 + w.counsellor.id_number[-1]
    assert w.counsellor.id_number not in page and masked in page  # masked
    assert client.post(url, {"site": w.centre.code}).status_code == 302
    cert = ServiceCertificate.objects.get()
    assert cert.total_hours == Decimal("1.50")

    client.force_login(w.counsellor.user)  # the volunteer downloads their own
    pdf = client.get(reverse("volunteers:certificate_pdf", args=[cert.number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.force_login(w.resident_b)
    assert client.get(reverse("volunteers:certificate_pdf", args=[cert.number])).status_code == 404

    client.logout()  # the verification page is public
    page = body(client.get(reverse("volunteers:verify_certificate", args=[cert.token])))
    assert "真实有效" in page and cert.number in page and "王**" in page and "1.50" in page
    assert client.get(reverse("volunteers:verify_certificate", args=["nope"])).status_code == 404


# ---- stats and donations -----------------------------------------------------------------------------

def test_the_stats_page_shows_the_query_figures(client, vworld):
    w = vworld
    advance(w, place(w), "completed")
    place(w)
    client.force_login(w.centre_admin)
    response = client.get(reverse("volunteers:stats"))
    figures = response.context["figures"]
    assert figures["orders"] == 2 and figures["matched"] == 1 and figures["completed"] == 1
    page = body(response)
    assert 'data-figure="matching_rate">50.0%' in page and "暖心心理服务队" in page
    assert "vendor/echarts/echarts.min.js" in page
    since = (order_input().window_start + timedelta(days=30)).date().isoformat()
    assert client.get(reverse("volunteers:stats"), {"since": since}).context["figures"]["orders"] == 0


def test_donations_are_recorded_and_distributed_never_beyond_what_was_given(client, vworld):
    from civicgrid.people.models import Household

    w = vworld
    Household.objects.create(region=w.tree.micro_a, number="H-0001")
    client.force_login(w.centre_admin)
    data = {"donation-site": w.station_a.code, "donation-donor": "爱心企业", "donation-kind": "money",
            "donation-amount": "0", "donation-items": "", "donation-idempotency_key": "d-1"}
    response = client.post(reverse("volunteers:donations"), data)
    assert response.status_code == 422 and "金额须大于0" in body(response) and not Donation.objects.exists()
    assert client.post(reverse("volunteers:donations"), {**data, "donation-amount": "500"}).status_code == 302
    donation = Donation.objects.get()

    give = {"distribution-donation": donation.pk, "distribution-household": "H-0001", "distribution-amount": "800"}
    response = client.post(reverse("volunteers:distribute"), give)
    assert response.status_code == 422 and "超出该笔捐赠的剩余数额" in body(response)
    response = client.post(reverse("volunteers:distribute"), {**give, "distribution-household": "H-9999",
                                                              "distribution-amount": "100"})
    assert response.status_code == 422 and "没有这个户编号的家庭" in body(response)
    assert not Distribution.objects.exists()
    assert client.post(reverse("volunteers:distribute"), {**give, "distribution-amount": "200"}).status_code == 302
    totals = client.get(reverse("volunteers:donations")).context["totals"]
    assert totals["received"] == Decimal("500") and totals["distributed"] == Decimal("200")
    assert totals["left"] == Decimal("300")


def test_a_station_issues_certificates_in_its_own_name_only(client, vworld):
    w = vworld
    order = advance(w, place(w), "completed")
    with after_service(order):
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)
    client.force_login(w.station_admin)
    page = body(client.get(reverse("volunteers:volunteer", args=[w.counsellor.pk])))
    assert f'value="{w.station_a.code}"' in page and f'value="{w.centre.code}"' not in page
    response = client.post(reverse("volunteers:issue_certificate", args=[w.counsellor.pk]), {"site": w.centre.code})
    assert response.status_code == 422 and "请选择有效的出具单位" in body(response)
    assert not ServiceCertificate.objects.exists()


def test_the_pages_render_in_english_too(client, vworld):
    w = vworld
    advance(w, place(w), "completed")
    client.cookies["django_language"] = "en"
    for user, names in [(w.centre_admin, ["volunteers:hub", "volunteers:centre", "volunteers:stats",
                                          "volunteers:donations", "volunteers:volunteers", "volunteers:order"]),
                        (w.station_admin, ["volunteers:station"]), (w.resident, ["volunteers:mine"]),
                        (w.counsellor.user, ["volunteers:tasks"])]:
        client.force_login(user)
        for name in names:
            assert client.get(reverse(name)).status_code == 200, name


# ---- teams -------------------------------------------------------------------------------------------

def test_the_centre_puts_a_self_registered_volunteer_into_a_team_on_the_volunteer_page(client, vworld):
    w = vworld
    client.force_login(w.resident)
    client.post(reverse("volunteers:register"), register_post(region=w.tree.grid_a.code))
    volunteer = Volunteer.objects.get(user=w.resident)
    page = reverse("volunteers:volunteer", args=[volunteer.pk])
    client.force_login(w.station_admin)  # no team yet: only the centre reaches a self-registered volunteer
    assert client.get(page).status_code == 404
    assert client.post(reverse("volunteers:join_team", args=[volunteer.pk]), {"team": "T1"}).status_code == 404

    client.force_login(w.centre_admin)
    html = body(client.get(page))
    assert 'data-section="teams"' in html and "尚未加入队伍" in html and 'value="T1"' in html
    response = client.post(reverse("volunteers:join_team", args=[volunteer.pk]), {"team": ""})
    assert response.status_code == 422 and "未加入:请选择队伍" in body(response)
    response = client.post(reverse("volunteers:join_team", args=[volunteer.pk]), {"team": "T1", "is_leader": "on"})
    assert response.status_code == 302
    membership = volunteer.memberships.get()
    assert membership.is_active and membership.is_leader and membership.team.code == "T1"
    assert w.resident.assignments.filter(role="volunteer", department=w.team.department,
                                                is_active=True).exists()

    client.force_login(w.station_admin)  # now a member of the station's team: the station sees and manages
    html = body(client.get(page))
    assert 'data-team="T1"' in html and "队长" in html
    response = client.post(reverse("volunteers:leave_team", args=[volunteer.pk, "T1"]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active and not membership.is_leader
    assert not w.resident.assignments.filter(role="volunteer", is_active=True).exists()
    # a former member's profile stays readable to the station (their records name its team), but it no
    # longer manages them
    assert 'data-section="teams"' not in body(client.get(page))
    assert client.post(reverse("volunteers:join_team", args=[volunteer.pk]), {"team": "T1"}).status_code == 404


def test_a_suspended_volunteer_cannot_join_and_nothing_changes(client, vworld):
    w = vworld
    actions.set_volunteer_status(actor=w.centre_admin, volunteer_id=w.helper.pk, status="suspended", reason="请假")
    other = actions.create_team(actor=w.centre_admin, code="T2", name="法律服务队", site=w.station_b,
                                capabilities=["7002"], service_region=w.tree.district)
    client.force_login(w.centre_admin)
    response = client.post(reverse("volunteers:join_team", args=[w.helper.pk]), {"team": other.code})
    assert response.status_code == 422 and "已暂停服务" in body(response)
    assert not w.helper.memberships.filter(team=other).exists()
