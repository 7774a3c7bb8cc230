"""An order's steps through the house route, POST /api/v1/cases/{case_id}/transitions: the steps the
lifecycle test (test_api.py) does not walk, bad input with its code and nothing written, a retried step
with its Idempotency-Key, and refusals."""

import pytest

from civicgrid.cases.models import CaseEvent
from civicgrid.core.models import IdempotencyKey
from civicgrid.volunteers import actions
from civicgrid.volunteers.models import Order
from civicgrid.volunteers.tests.conftest import order_input
from civicgrid.volunteers.tests.test_api import step, to_station

pytestmark = pytest.mark.django_db


def placed(w) -> Order:
    order, _ = actions.place_order(actor=w.resident, data=order_input())
    return order


def reviewed(w) -> Order:
    order = placed(w)
    actions.review_order(actor=w.centre_admin, order_id=order.pk, approve=True)
    return order


def state(order: Order) -> str:
    order.refresh_from_db()
    order.case.refresh_from_db()
    return order.case.state


def events(order: Order) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=order.case_id).order_by("seq").values_list("action", flat=True))


# --- the steps the lifecycle test does not take -------------------------------------------------------------

def test_the_centre_rejects_an_order_with_a_reason_the_resident_sees(client, vworld):
    order = placed(vworld)
    response = step(client, vworld.centre_admin, order.case_id, "reject", reason="不在服务范围")
    assert response.status_code == 200, response.content
    assert response.json()["case"]["state"] == "rejected"
    assert response.json()["event"]["action"] == "reject" and response.json()["event"]["data"]["reason"] == "不在服务范围"


def test_a_station_declines_and_the_order_goes_back_to_the_centre(client, vworld):
    order = reviewed(vworld)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S1-1")
    response = step(client, vworld.station_admin, order.case_id, "decline", reason="本周人手不足")
    assert response.status_code == 200, response.content
    assert state(order) == "reviewed" and order.station is None and order.declined_by == ["S1-1"]


def test_the_centre_sends_a_pending_order_straight_to_a_team(client, vworld):
    order = reviewed(vworld)
    response = step(client, vworld.centre_admin, order.case_id, "centre_assign", team="T1",
                    volunteer_ids=[vworld.counsellor.pk])
    assert response.status_code == 200, response.content
    assert state(order) == "assigned" and order.team.code == "T1" and order.station.code == "S1-1"
    assert list(order.volunteers.values_list("pk", flat=True)) == [vworld.counsellor.pk]


def test_the_resident_cancels_their_order(client, vworld):
    order = placed(vworld)
    response = step(client, vworld.resident, order.case_id, "cancel", reason="已找到家人帮忙")
    assert response.status_code == 200 and response.json()["case"]["state"] == "cancelled"


# --- bad input: 4xx with a code, nothing written ----------------------------------------------------------

def test_a_missing_or_unknown_fact_is_invalid_input_naming_it(client, vworld):
    order = placed(vworld)
    missing = step(client, vworld.centre_admin, order.case_id, "reject")
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_input"
    assert [d["loc"] for d in missing.json()["details"]] == [["body", "payload", "facts", "reason"]]
    blank = step(client, vworld.centre_admin, order.case_id, "reject", reason="\u200b ")
    assert blank.status_code == 422 and blank.json()["code"] == "blank_text"
    order = reviewed(vworld)
    typo = step(client, vworld.centre_admin, order.case_id, "dispatch", stations="S1-1")
    assert typo.status_code == 422 and typo.json()["code"] == "invalid_input"
    assert {tuple(d["loc"]) for d in typo.json()["details"]} == {
        ("body", "payload", "facts", "station"), ("body", "payload", "facts", "stations")}
    unknown = step(client, vworld.centre_admin, order.case_id, "dispatch", station="NOPE")
    assert unknown.status_code == 422 and unknown.json()["code"] == "station_unknown"
    assert state(order) == "reviewed" and order.station is None


def test_a_step_no_endpoint_takes_is_refused_by_name(client, vworld):
    order = reviewed(vworld)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S1-1")
    response = step(client, vworld.centre_admin, order.case_id, "recall", reason="改派")
    assert response.status_code == 422 and response.json()["code"] == "action_not_offered"
    assert "dispatch" in response.json()["details"]["offered"]
    assert state(order) == "dispatched"


def test_a_rating_out_of_range_names_the_fact(client, vworld):
    order = placed(vworld)
    response = step(client, vworld.resident, order.case_id, "rate", satisfaction=0)
    assert response.status_code == 422 and response.json()["details"][0]["loc"][-1] == "satisfaction"


# --- idempotency --------------------------------------------------------------------------------------------

def test_a_retried_step_with_its_key_answers_the_step_already_taken(client, vworld):
    order = reviewed(vworld)
    first = step(client, vworld.centre_admin, order.case_id, "dispatch", key="phone-7", station="S1-1")
    retry = step(client, vworld.centre_admin, order.case_id, "dispatch", key="phone-7", station="S1-1")
    assert (first.status_code, retry.status_code) == (200, 200), retry.content
    assert retry.json()["event"]["seq"] == first.json()["event"]["seq"]
    assert retry.json()["case"]["state"] == "dispatched"
    assert events(order) == ["submit", "accept", "dispatch"]
    # without the key the same retry meets the order moved on
    plain = step(client, vworld.centre_admin, order.case_id, "dispatch", station="S1-1")
    assert plain.status_code == 409 and plain.json()["code"] == "action_not_allowed_in_state"


def test_a_key_reused_for_another_request_is_refused_and_nothing_changes(client, vworld):
    order = reviewed(vworld)
    assert step(client, vworld.centre_admin, order.case_id, "dispatch", key="k1", station="S1-1").status_code == 200
    other = step(client, vworld.centre_admin, order.case_id, "dispatch", key="k1", station="S2-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert state(order) == "dispatched" and order.station.code == "S1-1"
    assert IdempotencyKey.objects.filter(key="k1").count() == 1


def test_a_refused_step_keeps_no_key(client, vworld):
    order = reviewed(vworld)
    refused = step(client, vworld.resident, order.case_id, "dispatch", key="k2", station="S1-1")
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    assert not IdempotencyKey.objects.filter(key="k2").exists() and state(order) == "reviewed"


# --- refusals -------------------------------------------------------------------------------------------------

def test_a_step_the_workflow_does_not_give_the_caller_is_403_and_changes_nothing(client, vworld):
    order = to_station(vworld)
    response = step(client, vworld.resident, order.case_id, "assign_team", team="T1",
                    volunteer_ids=[vworld.counsellor.pk])
    assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
    assert state(order) == "station_accepted" and order.team is None


def test_another_station_gets_404_as_if_the_order_did_not_exist(client, vworld):
    order = reviewed(vworld)
    actions.dispatch_order(actor=vworld.centre_admin, order_id=order.pk, station_code="S1-1")
    response = step(client, vworld.station_admin_b, order.case_id, "station_accept", key="k3")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert state(order) == "dispatched" and not IdempotencyKey.objects.filter(key="k3").exists()
