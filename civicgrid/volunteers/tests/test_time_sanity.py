"""Service times against the clock and the order's window, with a moving clock: a record cannot be
completed or confirmed for a time that has not come, so a certificate never covers it."""

from datetime import timedelta

import pytest

from civicgrid.core import clock, errors
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import Donation, ServiceRecord
from civicgrid.volunteers.tests.conftest import order_input

pytestmark = pytest.mark.django_db


def in_service(w):
    """Given: an order the counsellor is sent on and has contacted the requester for."""
    order, _ = actions.place_order(actor=w.resident, data=order_input())
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=w.centre_admin, order_id=order.pk, station_code=w.station_a.code)
    actions.accept_order(actor=w.station_admin, order_id=order.pk)
    actions.assign_team(actor=w.station_admin, order_id=order.pk, team_code="T1", volunteer_ids=[w.counsellor.pk])
    actions.log_contact(actor=w.counsellor.user, order_id=order.pk, comment="已联系")
    order.refresh_from_db()
    return order


def complete(w, order, start, end):
    return actions.complete_order(actor=w.counsellor.user, order_id=order.pk, report="上门疏导",
                                  records=[actions.RecordInput(w.counsellor.pk, start, end, "心理疏导")])


def test_a_service_cannot_be_completed_before_it_has_ended(vworld):
    w = vworld
    order = in_service(w)
    start, end = order.window_start, order.window_end
    with clock.at(start + timedelta(minutes=30)), pytest.raises(errors.ValidationFailed) as exc:
        complete(w, order, start, end)  # the team says it served until 11:00 at 09:30
    assert exc.value.code == "time_in_future" and exc.value.field == "ended_at"
    assert ServiceRecord.objects.count() == 0
    order.refresh_from_db()
    assert order.case.state == "in_service"
    with clock.at(end - timedelta(minutes=3)):  # within the tolerance of a phone's clock
        complete(w, order, start, end)
    assert ServiceRecord.objects.get().hours == 2


def test_a_service_time_outside_the_window_is_refused_next_to_its_field(vworld):
    w = vworld
    order = in_service(w)
    start = order.window_start
    with clock.at(order.window_end + timedelta(hours=1)), pytest.raises(errors.ValidationFailed) as exc:
        complete(w, order, start - timedelta(minutes=30), start + timedelta(hours=1))
    assert exc.value.code == "outside_window" and exc.value.field == "started_at"
    assert exc.value.details["volunteer_id"] == w.counsellor.pk


def test_a_record_ending_in_the_future_is_not_confirmed_until_its_time_has_come(vworld):
    w = vworld
    order = in_service(w)
    start, end = order.window_start, order.window_end
    with clock.at(end + timedelta(minutes=10)):
        complete(w, order, start, end)
    # a record written before the check existed, ending tomorrow
    ServiceRecord.objects.filter(order=order).update(ended_at=end + timedelta(days=1))
    with clock.at(end + timedelta(hours=1)), pytest.raises(errors.ValidationFailed) as exc:
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)
    assert exc.value.code == "time_in_future"
    assert not ServiceRecord.objects.filter(status=RecordStatus.CONFIRMED).exists()
    with clock.at(end + timedelta(days=1, minutes=1)):
        assert actions.confirm_records(actor=w.station_admin, order_id=order.pk) == 1


def test_a_correction_is_held_to_the_same_rules(vworld):
    w = vworld
    order = in_service(w)
    start, end = order.window_start, order.window_end
    with clock.at(end + timedelta(minutes=10)):
        complete(w, order, start, start + timedelta(hours=1))
    record = ServiceRecord.objects.get()
    with clock.at(start + timedelta(minutes=70)), pytest.raises(errors.ValidationFailed) as exc:
        actions.correct_record(actor=w.station_admin, record_id=record.pk, started_at=start, ended_at=end,
                               content="更正", reason="实际服务两小时")
    assert exc.value.code == "time_in_future"
    with clock.at(end + timedelta(minutes=10)), pytest.raises(errors.ValidationFailed) as exc:
        actions.correct_record(actor=w.station_admin, record_id=record.pk, started_at=start,
                               ended_at=end + timedelta(minutes=5), content="更正", reason="超出时段")
    assert exc.value.code == "outside_window"
    record.refresh_from_db()
    assert record.hours == 1


def test_a_donation_cannot_be_received_in_the_future(vworld):
    w = vworld
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.record_donation(actor=w.centre_admin, site=w.centre, donor="爱心企业", kind="money", amount=100,
                                received_at=clock.now() + timedelta(days=1))
    assert exc.value.code == "time_in_future" and not Donation.objects.exists()


def test_the_complete_form_offers_now_and_shows_the_refusal_next_to_the_time(client, vworld):
    w = vworld
    order = in_service(w)
    start, end = order.window_start, order.window_end
    middle = start + timedelta(minutes=45)
    client.force_login(w.counsellor.user)
    local = "%Y-%m-%dT%H:%M"
    from django.utils import timezone

    with clock.at(middle):
        page = client.get("/volunteers/tasks/").content.decode()
        assert f'value="{timezone.localtime(middle):{local}}"' in page  # the end offered is now, not 11:00
        response = client.post(f"/volunteers/orders/{order.pk}/complete/", {
            "expected_event_count": order.case.event_count, "report": "上门疏导", f"served_{w.counsellor.pk}": "on",
            f"start_{w.counsellor.pk}": f"{timezone.localtime(start):{local}}",
            f"end_{w.counsellor.pk}": f"{timezone.localtime(end):{local}}"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "晚于当前时间" in html and "不能登记尚未发生的时间" in html
    assert response.context["rows"][0]["complete"].errors[f"end_{w.counsellor.pk}"]  # next to the end time
    assert ServiceRecord.objects.count() == 0
