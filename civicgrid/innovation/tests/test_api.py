"""The innovation API (/api/v1/innovation): the board's two levels (published summaries zone-wide, private
parts only within reach), the permission matrix (404 out of reach, 403 without the right, nothing changed),
the transitions endpoint end to end, bad input with its codes, Idempotency-Key on posting, suggestions
with their parts."""

from datetime import timedelta

import pytest

from civicgrid.enterprises.queries import today
from civicgrid.innovation import actions
from civicgrid.innovation.models import Agreement, Application, Challenge
from civicgrid.innovation.tests.conftest import apply, post, published

pytestmark = pytest.mark.django_db

API = "/api/v1/innovation"


def call(client, user, method, path, body=None, **headers):
    client.force_login(user)
    if method == "get":
        return client.get(API + path, body or {})
    return getattr(client, method)(API + path, body or {}, content_type="application/json", headers=headers)


def need_body(w, **extra) -> dict:
    return {"enterprise_id": w.ent_a.pk, "title": "秸秆纤维填充PP内饰材料", "fields": ["polymers", "equipment_auto"],
            "goal": "拉伸强度≥25MPa,VOC达标", "budget": "1500000.00",
            "deadline": (today() + timedelta(days=45)).isoformat(), **extra}


def test_contact_posts_from_the_phone_once_per_key(client, iworld):
    w = iworld
    first = call(client, w.contact_a, "post", "/challenges", need_body(w), **{"Idempotency-Key": "tap-1"})
    again = call(client, w.contact_a, "post", "/challenges", need_body(w), **{"Idempotency-Key": "tap-1"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Challenge.objects.count() == 1
    body = first.json()
    assert body["status"] == "submitted" and body["private"] is True and body["applications"] == []
    reused = call(client, w.contact_a, "post", "/challenges", need_body(w, title="别的"), **{"Idempotency-Key": "tap-1"})
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


def test_bad_posts_answer_their_code(client, iworld):
    for extra, status, code in [
        ({"budget": "0"}, 422, "budget_not_positive"),
        ({"budget": "-1"}, 422, "budget_not_positive"),
        ({"deadline": "2001-01-01"}, 422, "deadline_in_past"),
        ({"fields": ["astrology"]}, 422, "invalid_input"),
        ({"budget": None}, 422, "invalid_input"),
    ]:
        response = call(client, iworld.contact_a, "post", "/challenges", need_body(iworld, **extra))
        assert (response.status_code, response.json()["code"]) == (status, code), extra
        assert set(response.json()) == {"code", "message", "details"}
    assert not Challenge.objects.exists()


def test_board_shows_published_summaries_zone_wide_and_private_parts_in_reach(client, iworld):
    w = iworld
    waiting = post(w)  # enterprise A, submitted
    challenge = published(w, title="已发榜需求")
    application = apply(w, challenge)
    theirs = call(client, w.contact_b, "get", "/challenges").json()
    assert theirs["count"] == 1 and theirs["items"][0]["id"] == challenge.pk  # the published one only
    summary = call(client, w.contact_b, "get", f"/challenges/{challenge.pk}").json()
    assert summary["private"] is False and summary["applications"] is None and summary["milestones"] is None
    assert summary["enterprise_choice_id"] is None and summary["budget"] == "3000000.00"
    assert call(client, w.contact_b, "get", f"/challenges/{waiting.pk}").status_code == 404
    assert call(client, w.contact_b, "get", f"/challenges/{challenge.pk}/suggestions").status_code == 404
    own = call(client, w.contact_a, "get", f"/challenges/{challenge.pk}").json()
    assert own["private"] is True and [a["id"] for a in own["applications"]] == [application.pk]
    assert call(client, w.contact_a, "get", "/challenges", {"mine": "true"}).json()["count"] == 2
    assert call(client, w.leader, "get", "/challenges").json()["count"] == 2
    assert call(client, w.resident, "get", "/challenges").json()["count"] == 0
    assert call(client, w.resident, "get", f"/challenges/{challenge.pk}").status_code == 404


def test_permission_matrix_on_writes_changes_nothing(client, iworld):
    w = iworld
    challenge = published(w)
    application = apply(w, challenge)
    cases = [
        (w.contact_b, "post", f"/challenges/{challenge.pk}/transitions",
         {"action": "enterprise_choose", "application_id": application.pk}, 404),
        (w.officer_b, "post", f"/challenges/{challenge.pk}/transitions", {"action": "close"}, 404),
        (w.contact_a, "post", f"/challenges/{challenge.pk}/transitions", {"action": "close"}, 403),
        (w.officer_zone, "post", f"/challenges/{challenge.pk}/transitions", {"action": "close"}, 403),
        (w.leader, "post", f"/challenges/{challenge.pk}/transitions",
         {"action": "enterprise_choose", "application_id": application.pk}, 403),
        (w.contact_a, "post", f"/challenges/{challenge.pk}/applications",
         {"team_id": w.team_digital.pk, "plan": "方案"}, 403),
        (w.contact_b, "post", f"/challenges/{challenge.pk}/applications",
         {"team_id": w.team_digital.pk, "plan": "方案"}, 404),
        (w.contact_a, "post", "/platforms", {"code": "X", "name": "x", "kind": "key_lab", "level": "national",
                                             "host_organisation": "x", "fields": ["digital"]}, 403),
        (w.contact_a, "post", "/agreements", {
            "enterprise_id": w.ent_a.pk, "partner_name": "大学", "partner_kind": "university", "title": "t",
            "field": "digital", "signed_on": "2024-01-01", "starts_on": "2024-01-01", "ends_on": "2025-01-01",
            "amount": "100"}, 403),
        (w.resident, "get", "/platforms", None, 200),
    ]
    for user, method, path, body, expected in cases:
        response = call(client, user, method, path, body)
        assert response.status_code == expected, (user.username, path, response.content)
    challenge.refresh_from_db()
    assert challenge.status == "published" and challenge.enterprise_choice is None
    assert Application.objects.count() == 1 and not Agreement.objects.exists()
    assert call(client, w.resident, "get", "/platforms").json()["count"] == 0


def test_selection_through_the_transitions_endpoint(client, iworld):
    w = iworld
    challenge = published(w)
    first = apply(w, challenge)
    other = apply(w, published(w, title="另一项"), team=w.team_digital)
    path = f"/challenges/{challenge.pk}/transitions"
    bad = call(client, w.contact_a, "post", path, {"action": "enterprise_choose", "application_id": other.pk})
    assert (bad.status_code, bad.json()["code"]) == (422, "application_not_in_challenge")
    one = call(client, w.contact_a, "post", path, {"action": "enterprise_choose", "application_id": first.pk})
    assert one.status_code == 200 and one.json()["status"] == "published"
    assert one.json()["enterprise_choice_id"] == first.pk and one.json()["allowed_actions"] == ["enterprise_choose", "withdraw"]
    assert call(client, w.kc, "get", f"/challenges/{challenge.pk}").json()["allowed_actions"] == [
        "close", "department_choose", "withdraw"]
    two = call(client, w.kc, "post", path, {"action": "department_choose", "application_id": first.pk})
    assert two.json()["status"] == "selected" and two.json()["applications"][0]["is_selected"] is True
    again = call(client, w.kc2, "post", path, {"action": "department_choose", "application_id": first.pk})
    assert (again.status_code, again.json()["code"]) == (409, "already_selected")
    late = call(client, w.kc, "post", f"/challenges/{challenge.pk}/applications", {"team_id": w.team_digital.pk,
                                                                                  "plan": "迟到的方案"})
    assert (late.status_code, late.json()["code"]) == (409, "challenge_closed")
    planned = call(client, w.contact_a, "post", f"/challenges/{challenge.pk}/milestones",
                   {"title": "样件试制", "planned_on": (today() + timedelta(days=30)).isoformat()})
    assert planned.status_code == 201
    future = call(client, w.contact_a, "post", f"/milestones/{planned.json()['id']}/achieved",
                  {"achieved_on": (today() + timedelta(days=2)).isoformat(), "evidence": "检测报告"})
    assert (future.status_code, future.json()["code"]) == (422, "achieved_in_future")


def test_suggestions_show_each_part(client, iworld):
    w = iworld
    challenge = published(w)  # fine_chemicals + green_process
    body = call(client, w.contact_a, "get", f"/challenges/{challenge.pk}/suggestions").json()
    teams = body["teams"]
    assert [t["team_id"] for t in teams] == [w.team_chem.pk]  # the digital team shares no field
    assert teams[0]["common_fields"] == ["fine_chemicals", "green_process"]
    assert teams[0]["parts"] == {"coverage": 0.45, "focus": 0.2, "record": 0.0, "level": 0.0, "load": 0.0}
    assert teams[0]["score"] == 0.65
    platform = body["platforms"][0]
    assert platform["platform_id"] == w.platform.pk and platform["common_fields"] == ["fine_chemicals"]
    assert platform["parts"]["coverage"] == pytest.approx(0.225) and platform["parts"]["level"] == pytest.approx(0.05)


def test_platforms_and_agreements_read_in_the_house_shape(client, iworld):
    w = iworld
    actions.record_agreement(actor=w.officer_a, data=actions.AgreementInput(
        enterprise_id=w.ent_a.pk, partner_name="某大学", partner_kind="university", title="联合研发", field="digital",
        signed_on=today(), starts_on=today(), ends_on=today() + timedelta(days=365), amount="500000"))
    body = call(client, w.contact_b, "get", "/platforms", {"field": "fine_chemicals"}).json()
    assert set(body) == {"count", "items", "next"} and body["count"] == 1
    assert call(client, w.contact_a, "get", "/agreements").json()["count"] == 1
    assert call(client, w.contact_b, "get", "/agreements").json()["count"] == 0
    assert call(client, w.officer_zone, "get", "/agreements").json()["count"] == 1
    bad = call(client, w.officer_a, "post", "/agreements", {
        "enterprise_id": w.ent_a.pk, "partner_name": "大学", "partner_kind": "university", "title": "t",
        "field": "digital", "signed_on": "2024-01-01", "starts_on": "2024-03-01", "ends_on": "2024-02-01",
        "amount": "100"})
    assert (bad.status_code, bad.json()["code"]) == (422, "dates_reversed")
