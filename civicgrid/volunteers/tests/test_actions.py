"""The order lifecycle through the volunteer actions (which run the case engine), and bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest

from civicgrid.cases.models import CaseEvent
from civicgrid.core import errors
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import Order, ServiceRecord
from civicgrid.volunteers.queries import suggestions as suggestion_queries
from civicgrid.volunteers.queries import volunteers as volunteer_queries
from civicgrid.volunteers.tests.conftest import POINT_B, after_service, order_input


def test_an_order_runs_from_ordering_to_archive(vworld):
    w = vworld
    order, created = actions.place_order(actor=w.resident, data=order_input(), idempotency_key="k1")
    assert created and order.case.case_type == "volunteer_order" and order.case.state == "ordered"
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    suggestions = suggestion_queries.station_suggestions(order)
    assert suggestions[0][0] == w.station_a  # the order's own community comes first
    actions.dispatch_order(actor=w.centre_admin, order_id=order.pk, station_code=w.station_a.code)
    actions.accept_order(actor=w.station_admin, order_id=order.pk)
    ranked, excluded = suggestion_queries.volunteer_shortlist(order, w.team)
    assert [v for v, _ in ranked] == [w.counsellor]
    assert any(r.startswith("certificate_expired") for r in excluded[w.expired])
    actions.assign_team(actor=w.station_admin, order_id=order.pk, team_code=w.team.code,
                        volunteer_ids=[w.counsellor.pk])
    actions.log_contact(actor=w.counsellor.user, order_id=order.pk, comment="电话联系张大爷,约定上门")
    start = order.window_start
    with after_service(order):
        actions.complete_order(actor=w.counsellor.user, order_id=order.pk, report="上门疏导1.5小时", records=[
            actions.RecordInput(w.counsellor.pk, start, start + timedelta(minutes=90), "心理疏导")])
        actions.rate_order(actor=w.resident, order_id=order.pk, satisfaction=5, comment="很好")
    order.refresh_from_db()
    assert order.case.state == "archived" and order.case.satisfaction == 5 and order.matched_at is not None
    assert order.team == w.team and list(order.volunteers.all()) == [w.counsellor]
    record = ServiceRecord.objects.get(order=order)
    assert record.hours == Decimal("1.50") and record.status == RecordStatus.RECORDED
    with after_service(order, minutes=60):
        assert actions.confirm_records(actor=w.station_admin, order_id=order.pk) == 1
    assert volunteer_queries.confirmed_hours(w.counsellor) == Decimal("1.50")
    actions_done = list(CaseEvent.objects.filter(case=order.case).values_list("action", flat=True))
    assert actions_done == ["submit", "accept", "dispatch", "station_accept", "assign_team", "contact", "complete",
                            "rate"]


def test_a_retried_order_makes_one_order(vworld):
    first, _ = actions.place_order(actor=vworld.resident, data=order_input(), idempotency_key="same")
    again, created = actions.place_order(actor=vworld.resident, data=order_input(), idempotency_key="same")
    assert again.pk == first.pk and not created and Order.objects.count() == 1


@pytest.mark.parametrize("change, code", [
    ({"category_code": "3001"}, "service_required"),
    ({"lat": 40.0, "lng": 120.0}, "location_outside_district"),
    ({"people_needed": 0}, "people_needed_invalid"),
])
def test_bad_orders_are_refused_and_nothing_is_written(vworld, change, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.place_order(actor=vworld.resident, data=order_input(**change))
    assert exc.value.code == code
    assert Order.objects.count() == 0


def test_a_window_in_the_past_is_refused(vworld):
    data = order_input()
    data.window_start -= timedelta(days=30)
    data.window_end -= timedelta(days=30)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.place_order(actor=vworld.resident, data=data)
    assert exc.value.code == "window_in_past"


def _to_station(w, **kw):
    order, _ = actions.place_order(actor=w.resident, data=order_input(**kw))
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=w.centre_admin, order_id=order.pk, station_code=w.station_a.code)
    actions.accept_order(actor=w.station_admin, order_id=order.pk)
    return order


def test_an_expired_certificate_cannot_be_sent(vworld):
    order = _to_station(vworld)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.assign_team(actor=vworld.station_admin, order_id=order.pk, team_code="T1",
                            volunteer_ids=[vworld.expired.pk])
    assert exc.value.code == "volunteer_certificate_expired"
    order.refresh_from_db()
    assert order.case.state == "station_accepted" and order.team is None


def test_a_volunteer_is_not_booked_twice_for_one_time(vworld):
    first = _to_station(vworld)
    actions.assign_team(actor=vworld.station_admin, order_id=first.pk, team_code="T1",
                        volunteer_ids=[vworld.counsellor.pk])
    second = _to_station(vworld)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.assign_team(actor=vworld.station_admin, order_id=second.pk, team_code="T1",
                            volunteer_ids=[vworld.counsellor.pk])
    assert exc.value.code == "volunteer_conflict"


def test_hours_outside_the_window_are_refused(vworld):
    order = _to_station(vworld)
    actions.assign_team(actor=vworld.station_admin, order_id=order.pk, team_code="T1",
                        volunteer_ids=[vworld.counsellor.pk])
    user = vworld.counsellor.user
    actions.log_contact(actor=user, order_id=order.pk, comment="已联系")
    late = order.window_end - timedelta(minutes=30)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.complete_order(actor=user, order_id=order.pk, report="完成", records=[
            actions.RecordInput(vworld.counsellor.pk, late, late + timedelta(hours=1))])
    assert exc.value.code == "outside_window"
    assert ServiceRecord.objects.count() == 0
    order.refresh_from_db()
    assert order.case.state == "in_service"


def test_rating_twice_is_a_conflict(vworld):
    order = _to_station(vworld)
    actions.assign_team(actor=vworld.station_admin, order_id=order.pk, team_code="T1",
                        volunteer_ids=[vworld.counsellor.pk])
    user = vworld.counsellor.user
    actions.log_contact(actor=user, order_id=order.pk, comment="已联系")
    with after_service(order):
        actions.complete_order(actor=user, order_id=order.pk, report="完成", records=[
            actions.RecordInput(vworld.counsellor.pk, order.window_start, order.window_start + timedelta(hours=1))])
        actions.rate_order(actor=vworld.resident, order_id=order.pk, satisfaction=4)
        with pytest.raises(errors.Conflict):
            actions.rate_order(actor=vworld.resident, order_id=order.pk, satisfaction=1)
    order.refresh_from_db()
    assert order.case.satisfaction == 4


def test_a_declined_order_goes_back_and_the_station_ranks_last(vworld):
    order, _ = actions.place_order(actor=vworld.resident, data=order_input())
    actions.review_order(actor=vworld.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S1-1")
    actions.decline_order(actor=vworld.station_admin, order_id=order.pk, reason="本周人手不足")
    order.refresh_from_db()
    assert order.case.state == "reviewed" and order.station is None and order.declined_by == ["S1-1"]
    assert suggestion_queries.station_suggestions(order)[-1][0] == vworld.station_a


def test_the_other_station_cannot_act_on_an_order(vworld):
    order, _ = actions.place_order(actor=vworld.resident, data=order_input(point=POINT_B))
    actions.review_order(actor=vworld.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S2-1")
    with pytest.raises(errors.NotFound):
        actions.accept_order(actor=vworld.station_admin, order_id=order.pk)
    actions.accept_order(actor=vworld.station_admin_b, order_id=order.pk)


def test_an_emergency_order_is_urgent_and_the_centre_hears_at_once(vworld):
    from civicgrid.cases.models import Notification

    order, _ = actions.place_order(actor=vworld.resident, data=order_input(category="7008"))
    assert order.is_urgent and order.case.urgency == "critical"
    assert (order.case.due_at - order.case.created_at) <= timedelta(minutes=15)
    assert Notification.objects.filter(user=vworld.centre_admin, kind="urgent_order").exists()


def test_an_order_not_accepted_in_time_goes_back_to_the_centre(vworld):
    from django.core.management import call_command

    from civicgrid.core import clock

    order, _ = actions.place_order(actor=vworld.resident, data=order_input())
    actions.review_order(actor=vworld.centre_admin, order_id=order.pk, approve=True)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S1-1")
    order.refresh_from_db()
    assert actions.return_overdue_dispatches() == 0  # not due yet
    with clock.at(order.case.due_at + timedelta(minutes=1)):
        call_command("return_overdue_orders")
    order.refresh_from_db()
    assert order.case.state == "reviewed" and order.case.return_count == 1 and order.declined_by == ["S1-1"]
    assert list(CaseEvent.objects.filter(case=order.case).values_list("action", flat=True))[-1] == "timeout_return"


def test_batch_suggestions_give_each_waiting_order_an_eligible_volunteer(vworld):
    from civicgrid.volunteers.models import Team

    orders = [_to_station(vworld) for _ in range(2)]
    proposals = suggestion_queries.batch_suggestions(vworld.station_a)
    # one qualified counsellor, two orders at the same time, cap 1: one order gets her, none gets the others
    assert len(proposals) == 1 and proposals[0][0] in orders and proposals[0][1] == vworld.counsellor
    order, volunteer, team = proposals[0]
    actions.assign_team(actor=vworld.station_admin, order_id=order.pk, team_code=team.code,
                        volunteer_ids=[volunteer.pk])
    assert Team.objects.get(pk=team.pk) == vworld.team


def test_the_generic_case_transition_cannot_bypass_the_order(vworld):
    """Dispatching through the case API would leave the order without its station: refused."""
    from civicgrid.cases.actions import transition_case

    order, _ = actions.place_order(actor=vworld.resident, data=order_input())
    with pytest.raises(errors.Conflict) as exc:
        transition_case(actor=vworld.centre_admin, case_id=order.case_id, action="accept")
    assert exc.value.code == "case_managed_by_app"
    order.refresh_from_db()
    assert order.case.state == "ordered"


def _served_and_confirmed(w):
    order = _to_station(w)
    actions.assign_team(actor=w.station_admin, order_id=order.pk, team_code="T1", volunteer_ids=[w.counsellor.pk])
    user = w.counsellor.user
    actions.log_contact(actor=user, order_id=order.pk, comment="已联系")
    with after_service(order):
        actions.complete_order(actor=user, order_id=order.pk, report="完成", records=[
            actions.RecordInput(w.counsellor.pk, order.window_start, order.window_start + timedelta(hours=2))])
        actions.confirm_records(actor=w.station_admin, order_id=order.pk)
    return order


def test_a_station_issues_certificates_in_its_own_name_only(vworld):
    _served_and_confirmed(vworld)
    with pytest.raises((errors.NotFound, errors.Forbidden)):
        actions.issue_certificate(actor=vworld.station_admin, volunteer_id=vworld.counsellor.pk, site_code="S2-1")
    cert = actions.issue_certificate(actor=vworld.station_admin, volunteer_id=vworld.counsellor.pk,
                                     site_code="S1-1")
    assert cert.total_hours == Decimal("2.00") and cert.record_count == 1


def test_donations_go_to_households_in_the_sites_area(vworld):
    from civicgrid.people.models import Household

    inside = Household.objects.create(region=vworld.tree.micro_a, number="H-A-1")
    outside = Household.objects.create(region=vworld.tree.micro_b, number="H-B-1")
    donation = actions.record_donation(actor=vworld.station_admin, site=vworld.station_a, donor="爱心企业",
                                       kind="money", amount=Decimal("1000"))
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.distribute_donation(actor=vworld.station_admin, donation_id=donation.pk, household_id=outside.pk,
                                    amount=Decimal("100"))
    assert exc.value.code == "household_unknown"
    actions.distribute_donation(actor=vworld.station_admin, donation_id=donation.pk, household_id=inside.pk,
                                amount=Decimal("600"))
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.distribute_donation(actor=vworld.station_admin, donation_id=donation.pk, household_id=inside.pk,
                                    amount=Decimal("500"))
    assert exc.value.code == "distribution_exceeds_donation"


def test_a_volunteer_can_be_suspended_and_is_then_never_matched(vworld):
    from civicgrid.volunteers.choices import VolunteerStatus

    actions.set_volunteer_status(actor=vworld.centre_admin, volunteer_id=vworld.counsellor.pk,
                                 status=VolunteerStatus.SUSPENDED, reason="本人申请暂停")
    order = _to_station(vworld)
    ranked, excluded = suggestion_queries.volunteer_shortlist(order, vworld.team)
    assert ranked == [] and "inactive" in excluded[vworld.counsellor]


def test_an_early_morning_window_is_judged_on_its_local_day(vworld):
    """06:30–07:30 Beijing time is the previous evening in UTC; availability is weekly in local time."""
    from datetime import datetime, time

    from django.utils import timezone

    from civicgrid.volunteers.models import Availability

    Availability.objects.filter(volunteer=vworld.counsellor).update(start=time(6))
    start = datetime.combine(timezone.localdate() + timedelta(days=3), time(6, 30),
                             tzinfo=timezone.get_current_timezone())
    order, _ = actions.place_order(actor=vworld.resident, data=order_input(window_start=start,
                                                                           window_end=start + timedelta(hours=1)))
    order = Order.objects.get(pk=order.pk)  # the window as read back from the database (UTC)
    views = suggestion_queries.match_volunteers(suggestion_queries.team_volunteers(vworld.team), order)
    counsellor = next(v for v in views if v.id == vworld.counsellor.pk)
    assert any(w.start <= order.window_start and order.window_end <= w.end for w in counsellor.availability)


def test_add_member_checks_the_volunteer_and_the_team_like_join_team(vworld):
    """add_member is an action of its own (the demo builder calls it): another station's team and a
    volunteer the actor cannot reach are 404, and nothing is written."""
    from civicgrid.volunteers.models import Membership

    w = vworld
    other_team = actions.create_team(actor=w.centre_admin, code="T2", name="社区B助老队", site=w.station_b,
                                     capabilities=["7003"], service_region=w.tree.community_b)
    before = Membership.objects.count()
    with pytest.raises(errors.NotFound):  # station B cannot see station A's volunteer
        actions.add_member(actor=w.station_admin_b, team=other_team, volunteer=w.helper)
    with pytest.raises(errors.NotFound):  # nor put anyone into station A's team
        actions.add_member(actor=w.station_admin_b, team=w.team, volunteer=w.helper)
    assert Membership.objects.count() == before
    joined = actions.add_member(actor=w.centre_admin, team=other_team, volunteer=w.helper, is_leader=True)
    assert joined.is_active and joined.is_leader and joined.team == other_team
