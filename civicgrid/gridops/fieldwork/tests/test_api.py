"""The field-work API (/api/v1/gridops): creates, lists, reports and the error shape."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import Activity, HouseholdVisit, JointRecord, Referral, ScreeningRound
from civicgrid.gridops.fieldwork.tests.conftest import NOW, at
from civicgrid.people.tests.factories import bearer

API = "/api/v1/gridops"


def client_for(user) -> Client:
    return Client(headers=bearer(user))


@pytest.fixture
def gw(world):
    return client_for(world.grid_a)


@pytest.fixture
def pol(world):
    return client_for(world.police_a)


# ---- visits -----------------------------------------------------------------------------------------


def test_a_visit_with_an_opinion_case_is_created_once_per_key(world, gw):
    body = {"household_id": world.ha1.pk, "purpose": "opinion", "notes": "了解居民诉求",
            "opinions": [{"content": "小区路灯不亮", "category_code": "0602", "to_case": True},
                         {"content": "希望增加健身器材"}]}

    first = gw.post(f"{API}/visits", body, content_type="application/json", headers={"Idempotency-Key": "v-1"})
    second = gw.post(f"{API}/visits", body, content_type="application/json", headers={"Idempotency-Key": "v-1"})

    assert first.status_code == 201 and second.status_code == 201
    data = first.json()
    assert data["household_number"] == "HA-1" and data["purpose_label"] == "民意收集"
    assert [o["case_number"] is not None for o in data["opinions"]] == [True, False]
    assert second.json()["id"] == data["id"] and HouseholdVisit.objects.count() == 1 and Case.objects.count() == 1


def test_a_visit_to_a_household_out_of_scope_is_404_and_bad_input_422(world, gw):
    out = gw.post(f"{API}/visits", {"household_id": world.hb1.pk}, content_type="application/json")
    bad = gw.post(f"{API}/visits", {"household_id": world.ha1.pk, "visited_at": "2030-01-01T10:00:00+08:00"},
                  content_type="application/json")

    assert out.status_code == 404 and out.json()["code"] == "not_found"
    assert bad.status_code == 422 and bad.json()["code"] == "time_in_future"
    assert bad.json()["details"]["field"] == "visited_at" and "晚于当前时间" in bad.json()["message"]


def test_visit_lists_and_details_are_scoped(world, gw):
    mine = actions.record_visit(actor=world.grid_a, household=world.ha1, opinions=[actions.OpinionInput("意见")])
    actions.record_visit(actor=world.grid_b, household=world.hb1)

    listed = gw.get(f"{API}/visits").json()
    other = client_for(world.grid_b).get(f"{API}/visits/{mine.pk}")
    detail = gw.get(f"{API}/visits/{mine.pk}").json()
    opinion_id = detail["opinions"][0]["id"]
    turned = gw.post(f"{API}/visits/opinions/{opinion_id}/case", {"category_code": "3012"},
                     content_type="application/json")
    again = gw.post(f"{API}/visits/opinions/{opinion_id}/case", {}, content_type="application/json")

    assert listed["count"] == 1 and listed["items"][0]["id"] == mine.pk
    assert other.status_code == 404
    assert turned.status_code == 200 and turned.json()["case_number"]
    assert again.status_code == 409 and again.json()["code"] == "opinion_already_case"


def test_coverage_and_tagged_households(world, gw):
    with clock.at(at(date(2025, 6, 10))):
        actions.record_visit(actor=world.grid_a, household=world.ha1)
    with clock.at(NOW):
        coverage = gw.get(f"{API}/visits/coverage", {"start": "2025-06-01", "end": "2025-06-30"}).json()
    tagged = gw.get(f"{API}/visits/tagged-households").json()

    assert coverage["rows"] == [{"grid_code": world.tree.grid_a.code, "grid_name": "网格A", "households": 3,
                                 "visited": 1, "rate": 33.3}]
    assert tagged["count"] == 1 and tagged["items"][0]["last_visit"] == "2025-06-10"


# ---- key persons ------------------------------------------------------------------------------------


def test_assigning_and_following_up_a_key_person(world, gw, pol):
    created = gw.post(f"{API}/key-persons", {"resident_id": world.kp_a.pk, "tag_code": "community_correction",
                                             "responsible_worker": "gw_a", "police_liaison": "pol_a"},
                      content_type="application/json")
    kp_id = created.json()["person"]["id"]
    follow = pol.post(f"{API}/key-persons/{kp_id}/follow-ups",
                      {"method": "interview", "condition": "attention", "notes": "工作变动,需关注"},
                      content_type="application/json", headers={"Idempotency-Key": "f-1"})
    detail = gw.get(f"{API}/key-persons/{kp_id}").json()
    ended = gw.post(f"{API}/key-persons/{kp_id}/end", {"reason": "矫正期满"}, content_type="application/json")

    assert created.status_code == 201 and created.json()["person"]["name"] == "钱**"
    assert follow.status_code == 201 and follow.json()["with_police"] is True
    assert follow.json()["police_officer"] == "pol_a"
    assert [f["notes"] for f in detail["follow_ups"]] == ["工作变动,需关注"]
    assert ended.status_code == 200 and ended.json()["is_active"] is False


def test_key_person_input_errors(world, gw):
    unknown = gw.post(f"{API}/key-persons", {"resident_id": world.kp_a.pk, "tag_code": "community_correction",
                                             "responsible_worker": "nobody"}, content_type="application/json")
    other_side = gw.post(f"{API}/key-persons", {"resident_id": world.kp_b.pk, "tag_code": "community_correction",
                                                "responsible_worker": "gw_a"}, content_type="application/json")

    assert unknown.status_code == 422 and unknown.json()["code"] == "user_unknown"
    assert other_side.status_code == 404


def test_the_overdue_filter_and_unassigned_list(world, key_persons, gw):
    world_tag = world.mental
    from civicgrid.people.models import ResidentTag

    ResidentTag.objects.create(resident=world.elder_a, tag=world_tag, level="黄")
    with clock.at(NOW):
        overdue = gw.get(f"{API}/key-persons", {"overdue": "true"}).json()
    waiting = gw.get(f"{API}/key-persons/unassigned").json()

    assert [(p["name"], p["days_overdue"]) for p in overdue["items"]] == [("钱**", 5)]
    assert waiting["items"] == [{"resident_id": world.elder_a.pk, "tag_id": world_tag.pk,
                                 "tag_code": "severe_mental_disorder", "tag_name": "严重精神障碍患者", "tier": "黄",
                                 "name": "赵**", "region_code": world.tree.micro_a.code, "region_name": "微网格A",
                                 "is_masked": True}]


# ---- screening ----------------------------------------------------------------------------------------


def test_reporting_a_screening_round_and_the_report(world, gw):
    none = gw.post(f"{API}/screening/rounds", {"grid_code": world.tree.grid_a.code, "no_new_disputes": True},
                   content_type="application/json")
    twice = gw.post(f"{API}/screening/rounds", {"grid_code": world.tree.grid_a.code, "no_new_disputes": True},
                    content_type="application/json")
    found = gw.post(f"{API}/screening/rounds", {"grid_code": world.tree.grid_a.code, "findings": [
        {"description": "邻里因停车位争执", "category_code": "2002", "parties": "王某、刘某"}]},
        content_type="application/json")
    other = gw.post(f"{API}/screening/rounds", {"grid_code": world.tree.grid_b.code, "no_new_disputes": True},
                    content_type="application/json")
    report = client_for(world.leader).get(f"{API}/screening/report").json()

    assert none.status_code == 201 and none.json()["result"] == "none"
    assert twice.status_code == 409 and twice.json()["code"] == "screening_already_reported"
    assert found.status_code == 201 and found.json()["result"] == "found"
    assert found.json()["findings"][0]["case_number"]
    assert other.status_code == 404
    assert ScreeningRound.objects.count() == 1
    assert report["totals"]["done"] == 1 and report["totals"]["missing"] == 1 and report["totals"]["disputes"] == 1
    assert gw.get(f"{API}/screening/rounds/{none.json()['id']}").json()["findings"][0]["category_code"] == "2002"


# ---- joint work ---------------------------------------------------------------------------------------


def test_referrals_both_ways_and_the_answer(world, gw, pol):
    police_in = pol.post(f"{API}/joint/referrals/from-police", {
        "region_code": world.tree.micro_a.code, "description": "110接警:家庭纠纷需社区跟进", "category_code": "2001",
        "police_reference": "JQ001"}, content_type="application/json")
    case_id = police_in.json()["case_id"]
    to_police = gw.post(f"{API}/joint/referrals/to-police", {"case_id": case_id, "reason": "当事人扬言报复"},
                        content_type="application/json")
    answered = pol.post(f"{API}/joint/referrals/{to_police.json()['id']}/answer", {"accept": True},
                        content_type="application/json")
    forbidden = gw.post(f"{API}/joint/referrals/{to_police.json()['id']}/answer", {"accept": True},
                        content_type="application/json")
    listed = client_for(world.police_b).get(f"{API}/joint/referrals").json()

    assert police_in.status_code == 201 and police_in.json()["direction"] == "from_police"
    assert Case.objects.get(pk=case_id).channel == "police"
    assert to_police.status_code == 201 and to_police.json()["status"] == "pending"
    assert answered.status_code == 200 and answered.json()["status_label"] == "已接收"
    assert forbidden.status_code == 403
    assert listed["count"] == 0 and Referral.objects.count() == 2


def test_joint_records_cases_and_summary(world, pol):
    created = pol.post(f"{API}/joint/records", {
        "kind": "check", "region_code": world.tree.grid_a.code, "summary": "联合检查出租屋5户",
        "police_participants": ["pol_a"], "grid_participants": ["gw_a", "mg_a"], "place": "幸福里"},
        content_type="application/json")
    missing = pol.post(f"{API}/joint/records", {
        "kind": "check", "region_code": world.tree.grid_a.code, "summary": "联查", "police_participants": ["pol_a"],
        "grid_participants": []}, content_type="application/json")
    with clock.at(NOW):
        summary = pol.get(f"{API}/joint/summary", {"month": "2025-06"}).json()
    cases = pol.get(f"{API}/joint/cases").json()

    assert created.status_code == 201 and created.json()["grid_participants"] == ["gw_a", "mg_a"]
    assert missing.status_code == 422 and missing.json()["code"] == "grid_participants_required"
    assert JointRecord.objects.count() == 1
    assert summary["month"] == "2025-06-01" and summary["rows"][0]["joint_check"] == 1
    assert cases["count"] == 0


# ---- activities ----------------------------------------------------------------------------------------


def test_activities_are_recorded_and_counted(world, gw):
    created = gw.post(f"{API}/activities", {"region_code": world.tree.grid_a.code, "kind": "anti_fraud",
                                            "title": "反诈宣传进小区", "place": "幸福里广场", "held_on": "2025-06-18",
                                            "attendance": 80}, content_type="application/json")
    negative = gw.post(f"{API}/activities", {"region_code": world.tree.grid_a.code, "kind": "law", "title": "x",
                                             "place": "y", "held_on": "2025-06-18", "attendance": -3},
                       content_type="application/json")
    outside = gw.post(f"{API}/activities", {"region_code": world.tree.grid_b.code, "kind": "law", "title": "x",
                                            "place": "y", "held_on": "2025-06-18", "attendance": 3},
                      content_type="application/json")
    stats = gw.get(f"{API}/activities/stats", {"start": "2025-06-01", "end": "2025-06-30"}).json()
    listed = gw.get(f"{API}/activities").json()

    assert created.status_code == 201 and created.json()["kind_label"] == "反诈宣传"
    assert negative.status_code == 422 and outside.status_code == 404
    assert stats["totals"] == {"activities": 1, "attendance": 80} and stats["rows"][0]["anti_fraud"] == 1
    assert listed["count"] == 1 and Activity.objects.count() == 1


def test_anonymous_callers_are_refused(world):
    assert Client().get(f"{API}/visits").status_code == 401
    assert Client().get(f"{API}/key-persons").status_code == 401
