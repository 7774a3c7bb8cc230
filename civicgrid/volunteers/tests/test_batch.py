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


# --- the page and the API ------------------------------------------------------------------------------

API = "/api/v1/volunteers/batch"


def test_the_api_previews_and_accepts_some_lines_refusing_a_stale_one(client, vworld):
    w = vworld
    counselling, company = pending(w), pending(w, "700302")
    client.force_login(w.centre_admin)
    preview = client.get(API, {"cap": 1})
    assert preview.status_code == 200, preview.content
    body = preview.json()
    lines = {x["order_id"]: x for x in body["matched"]}
    assert set(lines) == {counselling.pk, company.pk} and body["unmatched"] == [] and body["cap"] == 1
    assert lines[counselling.pk]["volunteers"][0]["volunteer_id"] == w.counsellor.pk
    assert set(lines[counselling.pk]["volunteers"][0]["parts"]) == {"skill", "distance", "reliability",
                                                                   "continuity", "load"}
    assert lines[company.pk]["team"] == "T1"
    # the companion order is sent meanwhile on its own (another centre user, one order)
    single = client.post(f"/api/v1/cases/{company.case_id}/transitions", {
        "action": "centre_assign", "facts": {"team": "T1", "volunteer_ids": [w.expired.pk]},
        "expected_event_count": lines[company.pk]["expected_event_count"]}, content_type="application/json")
    assert single.status_code == 200 and single.json()["case"]["state"] == "assigned"
    accept = client.post(API, {"lines": [
        {"order_id": x["order_id"], "team": x["team"], "expected_event_count": x["expected_event_count"],
         "volunteer_ids": [v["volunteer_id"] for v in x["volunteers"]]} for x in lines.values()]},
        content_type="application/json")
    assert accept.status_code == 200, accept.content
    results = {r["order_id"]: r for r in accept.json()["results"]}
    assert results[counselling.pk]["ok"] and results[counselling.pk]["state"] == "assigned"
    assert not results[company.pk]["ok"] and results[company.pk]["code"] == "order_changed"
    assert accept.json()["assigned"] == 1 and accept.json()["refused"] == 1
    again = client.post(f"/api/v1/cases/{company.case_id}/transitions", {
        "action": "centre_assign", "facts": {"team": "T1", "volunteer_ids": [w.expired.pk]},
        "expected_event_count": 0}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "order_changed"


def test_the_api_is_for_the_centre_only_and_checks_its_input(client, vworld):
    w = vworld
    pending(w)
    for user in (w.station_admin, w.resident, w.counsellor.user):
        client.force_login(user)
        assert client.get(API).json()["code"] == "centre_only"
        response = client.post(API, {"lines": [{"order_id": 1, "team": "T1", "volunteer_ids": [1],
                                                "expected_event_count": 2}]}, content_type="application/json")
        assert response.status_code == 403 and response.json()["code"] == "centre_only"
    client.logout()
    assert client.get(API).status_code == 401
    client.force_login(w.centre_admin)
    assert client.get(API, {"cap": 9}).status_code == 422
    assert client.post(API, {"lines": []}, content_type="application/json").status_code == 422


def test_the_page_shows_the_plan_and_sends_the_ticked_lines(client, vworld):
    w = vworld
    counselling, company, left = pending(w), pending(w, "700302"), pending(w)
    client.force_login(w.centre_admin)
    page = client.get("/volunteers/centre/batch/")
    html = page.content.decode()
    assert page.status_code == 200 and "派单方案" in html and "技能匹配" in html and "未匹配的订单" in html
    assert "已安排给其他订单" in html and "证书在服务日已过期" in html
    preview = batching.preview(w.centre_admin)
    line = next(x for x in preview.matched if x.order == company)
    data = {"cap": "1", "order": [str(company.pk)], f"team_{company.pk}": "T1",
            f"volunteers_{company.pk}": str(w.expired.pk), f"count_{company.pk}": str(company.case.event_count)}
    assert line.volunteers[0].volunteer == w.expired
    done = client.post("/volunteers/centre/batch/", data)
    assert done.status_code == 200 and "已派单 1 个订单" in done.content.decode()
    company.refresh_from_db()
    assert company.case.state == "assigned"
    stale = client.post("/volunteers/centre/batch/", data)
    assert stale.status_code == 409 and "已被他人处理" in stale.content.decode()
    bad = client.post("/volunteers/centre/batch/", {"order": ["x"]})
    assert bad.status_code == 422 and "派单方案的数据有误" in bad.content.decode()
    assert client.post("/volunteers/centre/batch/", {}).status_code == 422
    client.force_login(w.station_admin)
    assert client.get("/volunteers/centre/batch/").status_code == 403
    assert {counselling.pk, left.pk} <= {o.pk for o in batching.pending_orders(w.centre_admin)}


def test_an_order_pinned_to_the_first_workflow_version_is_left_with_why(vworld):
    from civicgrid.cases.models import Case, WorkflowDefinition

    w = vworld
    order = pending(w, "700302")
    spec = dict(order.case.workflow.spec)
    spec["version"] = 1
    spec["transitions"] = [t for t in spec["transitions"] if t["action"] != "centre_assign"]
    first = WorkflowDefinition.objects.create(key="volunteer_order", version=1, label=spec["label"], spec=spec,
                                              checksum="v1")
    Case.objects.filter(pk=order.case_id).update(workflow=first)
    preview = batching.preview(w.centre_admin)
    assert preview.matched == [] and [r.code for r in preview.unmatched[0].reasons] == ["old_workflow"]
    [refused] = actions.accept_batch(actor=w.centre_admin, picks=[
        actions.Pick(order.pk, "T1", [w.expired.pk], order.case.event_count)])
    assert not refused.ok
