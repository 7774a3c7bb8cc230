"""Field-work pages: every page renders for the roles that use it, forms save through the actions and show
Chinese errors, pages without the permission are 403 and objects out of scope 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from civicgrid.cases.actions import submit_case
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case
from civicgrid.core import clock
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import (
    Activity,
    HouseholdVisit,
    JointRecord,
    KeyPersonAssignment,
    KeyPersonFollowUp,
    Referral,
    ScreeningRound,
)
from civicgrid.gridops.fieldwork.tests.conftest import at


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gw(world):
    return login(world.grid_a)


@pytest.fixture
def pol(world):
    return login(world.police_a)


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("user,path,status", [
    ("grid_a", "/gridops/", 200),
    ("grid_a", "/gridops/visits/", 200),
    ("grid_a", "/gridops/visits/new/", 200),
    ("grid_a", "/gridops/visits/coverage/", 200),
    ("grid_a", "/gridops/key-persons/", 200),
    ("grid_a", "/gridops/screening/", 200),
    ("grid_a", "/gridops/screening/new/", 200),
    ("grid_a", "/gridops/joint/", 200),
    ("grid_a", "/gridops/joint/summary/", 200),
    ("grid_a", "/gridops/activities/", 200),
    ("grid_a", "/gridops/activities/new/", 200),
    ("grid_a", "/gridops/joint/records/new/", 403),
    ("grid_a", "/gridops/joint/police-referral/", 403),
    ("police_a", "/gridops/", 200),
    ("police_a", "/gridops/joint/", 200),
    ("police_a", "/gridops/joint/records/new/", 200),
    ("police_a", "/gridops/joint/police-referral/", 200),
    ("police_a", "/gridops/key-persons/", 200),
    ("police_a", "/gridops/visits/", 403),
    ("leader", "/gridops/visits/coverage/", 200),
    ("leader", "/gridops/screening/", 200),
    ("leader", "/gridops/key-persons/", 403),
    ("volunteer", "/gridops/", 403),
    ("volunteer", "/gridops/activities/", 403),
    ("micro_a", "/gridops/key-persons/", 403),
])
def test_pages_answer_by_permission(world, user, path, status):
    assert login(getattr(world, user)).get(path).status_code == status


def test_anonymous_users_are_sent_to_sign_in(world):
    response = Client().get("/gridops/visits/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_hub_shows_what_needs_action(world, gw):
    page = html(gw.get("/gridops/"))

    assert "1 户关爱对象超期未走访" in page and "本期 1 个网格未报告" in page
    assert "警网联动" in page and 'data-entry="activities"' in page


def test_recording_a_visit_with_an_opinion_case(world, gw):
    response = gw.post("/gridops/visits/new/", {
        "household": world.ha1.pk, "purpose": "elderly_care", "notes": "老人身体健康", "idempotency_key": "w-1",
        "op1_content": "楼道堆放杂物", "op1_category": "4001", "op1_to_case": "on", "op2_content": "希望上门理发"})

    visit = HouseholdVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/gridops/visits/{visit.pk}/"
    assert Case.objects.get().category.code == "4001"
    detail = html(gw.get(response["Location"]))
    assert "已转为案件" in detail and "希望上门理发" in detail and "转为案件" in detail


def test_a_visit_form_error_is_shown_in_chinese(world, gw):
    response = gw.post("/gridops/visits/new/", {"household": world.ha1.pk, "purpose": "routine",
                                                "visited_at": "2030-01-01T10:00"})

    assert response.status_code == 422 and "不能登记尚未发生的时间" in html(response)
    assert HouseholdVisit.objects.count() == 0


def test_an_opinion_becomes_a_case_from_the_visit_page(world, gw):
    visit = actions.record_visit(actor=world.grid_a, household=world.ha1, opinions=[actions.OpinionInput("噪声")])

    response = gw.post(f"/gridops/visits/opinions/{visit.opinions.get().pk}/case/", {"category": "3005"})

    assert response.status_code == 302 and Case.objects.get().category.code == "3005"


def test_a_visit_out_of_scope_is_404(world):
    visit = actions.record_visit(actor=world.grid_b, household=world.hb1)

    assert login(world.grid_a).get(f"/gridops/visits/{visit.pk}/").status_code == 404


def test_the_coverage_page_lists_grids_and_overdue_households(world, gw):
    with clock.at(at(date(2025, 6, 2))):
        actions.record_visit(actor=world.grid_a, household=world.ha3)

    page = html(gw.get("/gridops/visits/coverage/"))

    assert "33.3%" in page and "HA-1" in page and "超期 43 天" in page


def test_following_up_and_ending_a_key_person_from_the_page(world, key_persons, gw):
    kp = key_persons[0]
    follow = gw.post(f"/gridops/key-persons/{kp.pk}/follow-up/", {
        "method": "home_visit", "condition": "stable", "notes": "按时报到", "idempotency_key": "x"})
    bad = gw.post(f"/gridops/key-persons/{kp.pk}/follow-up/", {"method": "home_visit", "condition": "stable",
                                                               "contacted_at": "2030-01-01T10:00"})
    end = gw.post(f"/gridops/key-persons/{kp.pk}/end/", {"reason": "矫正期满"})

    assert follow.status_code == 302 and KeyPersonFollowUp.objects.get().notes == "按时报到"
    assert bad.status_code == 422 and "不能登记尚未发生的时间" in html(bad)
    assert end.status_code == 302 and not KeyPersonAssignment.objects.get(pk=kp.pk).is_active


def test_assigning_a_key_person_from_the_unassigned_list(world, gw):
    listing = html(gw.get("/gridops/key-persons/"))
    response = gw.post(f"/gridops/key-persons/assign/{world.kp_a.pk}/{world.correction.pk}/",
                       {"responsible_worker": world.grid_a.pk, "police_liaison": world.police_a.pk})

    assert "待落实责任人" in listing and "钱**" in listing and "钱小二" not in listing
    assignment = KeyPersonAssignment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/gridops/key-persons/{assignment.pk}/"
    assert assignment.police_liaison == world.police_a


def test_the_assign_page_refuses_a_resident_of_another_grid(world, gw):
    assert gw.get(f"/gridops/key-persons/assign/{world.kp_b.pk}/{world.correction.pk}/").status_code == 404
    assert gw.get(f"/gridops/key-persons/assign/{world.elder_a.pk}/{world.elderly.pk}/").status_code == 404


def test_reporting_a_screening_round_from_the_page(world, gw):
    empty = gw.post("/gridops/screening/new/", {"grid": world.tree.grid_a.pk})
    found = gw.post("/gridops/screening/new/", {"grid": world.tree.grid_a.pk, "f1_description": "因噪声争吵",
                                                "f1_category": "2002", "f1_parties": "甲、乙", "idempotency_key": "s"})

    assert empty.status_code == 422 and "请确认本期无新增矛盾纠纷" in html(empty)
    round_ = ScreeningRound.objects.get()
    assert found.status_code == 302 and found["Location"] == f"/gridops/screening/{round_.pk}/"
    assert "因噪声争吵" in html(gw.get(found["Location"]))
    report = html(login(world.leader).get("/gridops/screening/"))
    assert "发现矛盾纠纷" in report and "未报告" in report


def test_referring_a_case_and_answering_it(world, gw, pol):
    case = submit_case(actor=world.grid_a, data=IntakeInput(
        description="有人在楼内聚众赌博", channel="grid", category_code="5001", region_code=world.tree.micro_a.code)).case

    assert case.number in html(pol.get("/gridops/joint/"))
    referred = gw.post(f"/gridops/joint/refer/{case.pk}/", {"reason": "涉嫌违法", "idempotency_key": "r"})
    referral = Referral.objects.get()
    assert referred.status_code == 302 and "涉嫌违法" in html(pol.get("/gridops/joint/"))
    answered = pol.post(f"/gridops/joint/referrals/{referral.pk}/answer/", {"decision": "decline"})
    assert answered.status_code == 302 and Referral.objects.get().status == "pending"  # a decline needs a reply
    pol.post(f"/gridops/joint/referrals/{referral.pk}/answer/", {"decision": "accept"})
    assert Referral.objects.get().status == "accepted"


def test_a_police_referral_creates_a_case_and_opens_it(world, pol):
    response = pol.post("/gridops/joint/police-referral/", {
        "region": world.tree.grid_a.pk, "category": "2002", "description": "110接警:邻里噪声纠纷",
        "police_reference": "JQ1", "idempotency_key": "p"})

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.channel == "police"


def test_recording_a_joint_patrol_and_the_summary(world, pol):
    form = html(pol.get("/gridops/joint/records/new/"))
    response = pol.post("/gridops/joint/records/new/", {
        "kind": "patrol", "region": world.tree.grid_a.pk, "summary": "夜间联合巡逻",
        "police_participants": [world.police_a.pk], "grid_participants": [world.grid_a.pk], "idempotency_key": "j"})

    assert "gw_a" in form and "mg_a" in form and "gw_b" not in form
    assert response.status_code == 302 and JointRecord.objects.count() == 1
    summary = html(pol.get("/gridops/joint/summary/", {"month": "2025-06"}))
    assert "警网联动月报 · 2025年6月" in summary and 'data-community="211004001001"' in summary


def test_recording_an_activity_from_the_page(world):
    client = login(world.micro_a)
    response = client.post("/gridops/activities/new/", {
        "region": world.tree.micro_a.pk, "kind": "safety", "title": "燃气安全进楼栋", "place": "3号楼下",
        "held_on": "2025-06-19", "attendance": "25", "idempotency_key": "a"})
    bad = client.post("/gridops/activities/new/", {"region": world.tree.micro_a.pk, "kind": "safety", "title": "x",
                                                   "place": "y", "held_on": "2025-06-30", "attendance": "2"})

    assert response.status_code == 302 and Activity.objects.get().attendance == 25
    assert bad.status_code == 422 and "活动日期不能晚于今天" in html(bad)
    assert "燃气安全进楼栋" in html(client.get("/gridops/activities/"))


def test_the_assign_and_refer_forms_render(world, key_persons, gw):
    case = submit_case(actor=world.grid_a, data=IntakeInput(
        description="可疑人员出入", channel="grid", category_code="5002", region_code=world.tree.micro_a.code)).case

    assign = html(gw.get(f"/gridops/key-persons/assign/{world.kp_a.pk}/{world.correction.pk}/"))
    refer = html(gw.get(f"/gridops/joint/refer/{case.pk}/"))
    empty = gw.post(f"/gridops/joint/refer/{case.pk}/", {"reason": ""})

    assert "钱**" in assign and "钱小二" not in assign and "gw_a" in assign and "pol_a" in assign
    assert "现责任人" in assign
    assert case.number in refer and "公安分局" in refer
    assert empty.status_code == 422 and "请填写移交事由" in html(empty)
    assert login(world.leader).post(f"/gridops/joint/refer/{case.pk}/", {"reason": "x"}).status_code == 403


def test_the_hub_starts_with_the_workers_day(world, gw):
    """网格工作 is the field worker's phone home: today's patrol, campaigns, what is due, open cases."""
    page = html(gw.get("/gridops/"))

    assert 'data-today="patrol"' in page and "今日尚未巡查" in page
    assert 'data-today="cases"' in page and "在办案件" in page
