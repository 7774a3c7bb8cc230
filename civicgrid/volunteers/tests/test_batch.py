"""批量派单: the centre's preview is assign_batch's optimum over its pending orders; accepted lines go
through centre_assign one by one; stale lines are refused per order; only a centre in reach may."""

import pytest

from civicgrid.cases.models import CaseEvent
from civicgrid.core import errors
from civicgrid.testing import make_user
from civicgrid.volunteers import actions, batching, matching
from civicgrid.volunteers.tests.conftest import order_input, tomorrow_at

pytestmark = pytest.mark.django_db


def pending(w, category="700101", hour=9, **kw):
    """Given: an order the centre has reviewed (待派单)."""
    start, end = tomorrow_at(hour)
    order, _ = actions.place_order(actor=w.resident, data=order_input(category, window_start=start,
                                                                      window_end=end, **kw))
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    order.refresh_from_db()
    order.case.refresh_from_db()
    return order


def picks(preview, *lines):
    return [actions.Pick(line.order.pk, line.team.code, [p.volunteer.pk for p in line.volunteers],
                         line.order.case.event_count) for line in lines or preview.matched]


def test_the_preview_is_the_batch_optimum_and_says_why_an_order_is_left(vworld):
    w = vworld
    counselling, company, second = pending(w), pending(w, "700302"), pending(w)
    preview = batching.preview(w.centre_admin)
    # the only valid counsellor takes one of the two counselling orders at the same time; the companion
    # order goes to the best generalist (the expired certificate does not matter for 陪伴聊天; equal
    # scores: lower id), not to the counsellor
    got = {line.order.pk: [p.volunteer.pk for p in line.volunteers] for line in preview.matched}
    served = next(oid for oid in got if oid != company.pk)
    assert served in (counselling.pk, second.pk)
    assert got == {served: [w.counsellor.pk], company.pk: [w.expired.pk]}
    problem = batching.problem(w.centre_admin)
    optimum = matching.assign_batch(problem.slots, problem.views, problem.today)
    assert {oid: [vid] for (oid, _k), vid in optimum.pairs.items()} == got
    assert preview.total_score == pytest.approx(optimum.total_score)
    first = preview.matched[0].volunteers[0]
    assert set(first.parts) == {"skill", "distance", "reliability", "continuity", "load"}
    assert first.score == pytest.approx(sum(first.parts.values()))
    assert [line.order.pk for line in preview.unmatched] == [({counselling.pk, second.pk} - {served}).pop()]
    reasons = {r.code: r for r in preview.unmatched[0].reasons}
    assert reasons["taken"].count == 1  # the counsellor, already on the first order at that time
    assert reasons["certificate_expired:心理咨询师"].count == 1 and reasons["missing_capability:心理咨询师"].count == 1
    assert "证书在服务日已过期" in reasons["certificate_expired:心理咨询师"].message
    assert preview.matched[0].team == w.team


def test_a_cap_above_one_lets_a_volunteer_take_orders_at_different_times(vworld):
    w = vworld
    morning, afternoon = pending(w, hour=9), pending(w, hour=14)
    assert len(batching.preview(w.centre_admin, cap=1).matched) == 1
    preview = batching.preview(w.centre_admin, cap=2)
    assert {line.order.pk for line in preview.matched} == {morning.pk, afternoon.pk}
    assert {line.volunteers[0].volunteer.pk for line in preview.matched} == {w.counsellor.pk}
    assert batching.clamp_cap("99") == batching.MAX_CAP and batching.clamp_cap("x") == 1


def test_an_order_needing_several_volunteers_gets_different_people(vworld):
    w = vworld
    order = pending(w, "700302", people_needed=2)
    line = batching.preview(w.centre_admin).lines[0]
    assert line.order == order and len({p.volunteer.pk for p in line.volunteers}) == 2


def test_accepting_some_lines_assigns_them_through_the_normal_action(vworld):
    w = vworld
    counselling, company = pending(w), pending(w, "700302")
    preview = batching.preview(w.centre_admin)
    line = next(x for x in preview.matched if x.order == company)
    [outcome] = actions.accept_batch(actor=w.centre_admin, picks=picks(preview, line))
    assert outcome.ok and outcome.order.case.state == "assigned"
    company.refresh_from_db()
    counselling.refresh_from_db()
    assert company.team == w.team and company.station == w.station_a and company.matched_at is not None
    assert list(company.volunteers.values_list("pk", flat=True)) == [w.expired.pk]
    assert company.case.department == w.station_a.department
    assert set(company.case.case_departments.values_list("department__code", flat=True)) >= {w.team.department.code}
    assert CaseEvent.objects.filter(case=company.case, action="centre_assign").count() == 1
    assert counselling.case.state == "reviewed"  # not ticked: untouched
    # the team then runs the order as usual: the volunteer may contact the requester
    actions.log_contact(actor=w.expired.user, order_id=company.pk, comment="已电话联系")


def test_a_stale_line_is_refused_with_its_reason_and_the_others_still_go(vworld):
    w = vworld
    counselling, company = pending(w), pending(w, "700302")
    preview = batching.preview(w.centre_admin)
    # meanwhile another centre user dispatches the counselling order to a station
    actions.dispatch_order(actor=w.centre_admin, order_id=counselling.pk, station_code=w.station_a.code)
    outcomes = {o.order_id: o for o in actions.accept_batch(actor=w.centre_admin, picks=picks(preview))}
    assert outcomes[company.pk].ok
    stale = outcomes[counselling.pk]
    assert not stale.ok and stale.code == "order_changed" and "已被他人处理" in stale.message
    counselling.refresh_from_db()
    assert counselling.case.state == "dispatched" and counselling.team is None


def test_a_volunteer_booked_meanwhile_is_refused_for_that_order(vworld):
    w = vworld
    first, second = pending(w), pending(w)
    line = batching.preview(w.centre_admin).matched[0]
    other = first if line.order == second else second
    # the same counsellor proposed for the other order (a stale preview of another centre user)
    actions.accept_batch(actor=w.centre_admin, picks=picks(None, line))
    [outcome] = actions.accept_batch(actor=w.centre_admin, picks=[
        actions.Pick(other.pk, "T1", [w.counsellor.pk], other.case.event_count)])
    assert not outcome.ok and outcome.code == "volunteer_conflict"


def test_only_a_centre_in_reach_may_batch_assign(vworld):
    w = vworld
    order = pending(w, "700302")
    line = batching.preview(w.centre_admin).matched[0]
    # a station admin: the engine refuses the centre's step
    [refused] = actions.accept_batch(actor=w.station_admin, picks=picks(None, line))
    assert not refused.ok and refused.code in ("not_found", "role_not_allowed")
    # a centre over the other street sees no pending order there and reaches none of ours
    other = make_user("centre_b", "centre_admin", w.tree.street_b)
    assert batching.preview(other).lines == []
    [hidden] = actions.accept_batch(actor=other, picks=picks(None, line))
    assert not hidden.ok and hidden.code == "not_found"
    order.refresh_from_db()
    assert order.case.state == "reviewed"
    with pytest.raises(errors.ValidationFailed):
        actions.accept_batch(actor=w.centre_admin, picks=[])
