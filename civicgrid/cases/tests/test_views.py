"""The case pages: permission matrix, buttons = allowed actions, transitions through forms (and the 409 of a
stale form), the report form's idempotency and Chinese errors, the board, the inbox and the Excel export."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse

from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Case, CaseEvent, Notification
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core.models import AuditEvent
from civicgrid.demo import evidence as demo_evidence
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def submit(world, actor=None, **data):
    data = {"description": "家里停水两天了", "channel": "resident", "category_code": "3001", **POINT_A, **data}
    return actions.submit_case(actor=actor or world.resident, data=IntakeInput(**data)).case


def step(actor, case, action, **facts):
    comment = facts.pop("comment", "")  # photos named by a label are generated and uploaded first
    return demo_evidence.take(actor, case.pk, action, facts, comment=comment).case


def detail_url(case) -> str:
    return reverse("cases:detail", args=[case.pk])


def act_url(case, action) -> str:
    return reverse("cases:act", args=[case.pk, action])


def action_buttons(response) -> list[str]:
    return [a["transition"].action for a in response.context["actions"]]


# ---- permission matrix ------------------------------------------------------------------------------

def test_anonymous_is_sent_to_login(client, world):
    case = submit(world)
    for url in (reverse("cases:list"), detail_url(case), reverse("cases:report"), reverse("cases:board"),
                reverse("cases:inbox")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_user_without_case_permission_gets_403(client, world):
    case = submit(world)
    client.force_login(make_user("auditor", "audit_admin", world.tree.district))
    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(detail_url(case)).status_code == 403
    assert client.get(reverse("cases:report")).status_code == 403


def test_grid_worker_sees_own_grid_cases_only(client, world):
    case = submit(world, actor=world.grid_a, channel="grid")
    client.force_login(world.grid_b)
    assert client.get(detail_url(case)).status_code == 404
    assert case.number not in client.get(reverse("cases:list") + "?tab=all").content.decode()

    client.force_login(world.grid_a)
    assert client.get(detail_url(case)).status_code == 200
    assert case.number in client.get(reverse("cases:list") + "?tab=all").content.decode()


def test_resident_sees_own_case_and_not_anothers(client, world):
    case = submit(world)
    client.force_login(world.resident_b)
    assert client.get(detail_url(case)).status_code == 404
    client.force_login(world.resident)
    response = client.get(detail_url(case))
    assert response.status_code == 200
    assert "为什么派到这里" not in response.content.decode()  # routing internals are for staff
    assert client.get(reverse("cases:list")).url == reverse("cases:mine")  # a resident's list is their own


def test_board_is_for_roles_with_kpis(client, world):
    submit(world)
    client.force_login(world.resident)
    assert client.get(reverse("cases:board")).status_code == 403
    client.force_login(world.dispatcher)
    response = client.get(reverse("cases:board"))
    assert response.status_code == 200
    assert response.context["board"]["counts"]["unassigned"] == 0  # 3001's default department is missing
    assert [d["n"] for d in response.context["board"]["by_department"]] == [1]


# ---- buttons = allowed actions -------------------------------------------------------------------------

def test_buttons_are_the_allowed_actions(client, world):
    case = submit(world)
    case = step(world.dispatcher, case, "dispatch", department="CGJ")

    client.force_login(world.handler)
    response = client.get(detail_url(case))
    assert action_buttons(response) == ["sign", "return"]
    body = response.content.decode()
    assert "签收" in body and 'name="reason"' in body  # 退单 asks its reason

    client.force_login(world.resident)
    response = client.get(detail_url(case))
    assert action_buttons(response) == []
    assert 'action="/cases/' not in response.content.decode()


def test_dispatch_form_asks_for_the_department_and_offers_co_departments(client, world):
    case = submit(world)
    client.force_login(world.dispatcher)
    response = client.get(detail_url(case))
    assert action_buttons(response) == ["answer_directly", "merge", "dispatch"]
    form = next(a["form"] for a in response.context["actions"] if a["transition"].action == "dispatch")
    assert list(form.fields) == ["expected_event_count", "department", "co_departments", "comment"]
    assert form.fields["department"].required and not form.fields["co_departments"].required


# ---- transitions through the UI ------------------------------------------------------------------------

def test_dispatch_then_sign_through_the_forms(client, world):
    case = submit(world)
    client.force_login(world.dispatcher)
    response = client.post(act_url(case, "dispatch"), {"expected_event_count": case.event_count,
                                                      "department": "CGJ", "co_departments": ["SFJ"]})
    assert response.status_code == 302 and response.url == detail_url(case)
    case.refresh_from_db()
    assert case.state == "dispatched" and case.department == world.cg
    assert list(case.case_departments.values_list("department__code", "role").order_by("-role")) == [
        ("CGJ", "main"), ("SFJ", "co")]

    client.force_login(world.handler)
    response = client.post(act_url(case, "sign"), {"expected_event_count": case.event_count}, follow=True)
    assert "已签收" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "signed"


def test_stale_form_is_409_and_changes_nothing(client, world):
    case = submit(world)
    stale = case.event_count
    step(world.dispatcher, case, "dispatch", department="CGJ")  # someone else acts first
    client.force_login(world.dispatcher)
    before = CaseEvent.objects.filter(case=case).count()

    response = client.post(act_url(case, "answer_directly"), {"expected_event_count": stale, "comment": "已答复"})

    assert response.status_code == 409
    assert "案件已被他人处理" in response.context["error"]
    case.refresh_from_db()
    assert case.state == "dispatched" and CaseEvent.objects.filter(case=case).count() == before


def test_missing_fact_shows_the_chinese_error_and_changes_nothing(client, world):
    case = submit(world)
    client.force_login(world.dispatcher)
    response = client.post(act_url(case, "dispatch"), {"expected_event_count": case.event_count})
    assert response.status_code == 422
    assert "请填写主办单位" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "received" and case.event_count == 1


def test_an_action_the_role_may_not_take_is_refused(client, world):
    case = submit(world)
    client.force_login(world.resident)
    response = client.post(act_url(case, "dispatch"), {"expected_event_count": case.event_count,
                                                      "department": "CGJ"})
    assert response.status_code == 403
    assert "无权执行" in response.context["error"]
    case.refresh_from_db()
    assert case.state == "received"


def test_resident_rates_through_the_form(client, world):
    case = submit(world)
    for actor, action, facts in [(world.dispatcher, "dispatch", {"department": "CGJ"}), (world.handler, "sign", {}),
                                 (world.handler, "contact", {"comment": "已电话联系"}),
                                 (world.handler, "reply", {"comment": "已修复"})]:
        case = step(actor, case, action, **facts)
    client.force_login(world.resident)
    mine = client.get(reverse("cases:mine"))
    assert mine.context["rows"][0]["rate"].action == "callback"
    assert action_buttons(client.get(detail_url(case))) == ["callback", "rework"]

    response = client.post(act_url(case, "callback"), {"expected_event_count": case.event_count,
                                                      "satisfaction": "4", "resolved": "yes"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "closed" and case.satisfaction == 4 and case.resolved is True


def test_out_of_scope_action_post_is_404(client, world):
    case = submit(world, actor=world.grid_a, channel="grid")
    client.force_login(world.grid_b)
    assert client.post(act_url(case, "dispatch"), {"expected_event_count": 1, "department": "CGJ"}).status_code == 404


# ---- worklists ------------------------------------------------------------------------------------------

def test_todo_tab_holds_cases_the_user_can_move_on(client, world):
    waiting = submit(world)
    dispatched = step(world.dispatcher, submit(world, description="路灯坏了"), "dispatch", department="CGJ")

    client.force_login(world.handler)
    response = client.get(reverse("cases:list") + "?tab=todo")
    assert [r["number"] for r in response.context["rows"]] == [dispatched.number]
    assert response.context["tabs"][0] == {"key": "todo", "label": "待我处理", "count": 1}

    client.force_login(world.dispatcher)
    response = client.get(reverse("cases:list") + "?tab=todo")
    assert [r["number"] for r in response.context["rows"]] == [waiting.number]


def test_filters_narrow_the_list(client, world):
    water = submit(world)
    submit(world, description="噪声扰民", category_code="3005")
    client.force_login(world.dispatcher)
    response = client.get(reverse("cases:list"), {"tab": "all", "category": "3001"})
    assert [r["number"] for r in response.context["rows"]] == [water.number]
    response = client.get(reverse("cases:list"), {"tab": "all", "q": water.number})
    assert [r["number"] for r in response.context["rows"]] == [water.number]


def test_export_runs_in_the_background_with_the_lists_filters_for_its_requester_only(client, world):
    from openpyxl import load_workbook

    from civicgrid.reports.tests.helpers import export_through_page

    wanted = submit(world, actor=world.dispatcher, channel="hotline", reporter_name="王女士",
                    reporter_phone="13812345678")
    submit(world, actor=world.dispatcher, channel="hotline", reporter_name="李先生", reporter_phone="13900001111")
    client.force_login(world.dispatcher)
    html = client.get(reverse("cases:list") + f"?tab=all&q={wanted.number}").content.decode()
    assert 'name="kind" value="case_export"' in html and f'name="q" value="{wanted.number}"' in html
    run, response = export_through_page(client, "case_export", tab="all", q=wanted.number)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号" and [r[0] for r in rows[1:]] == [wanted.number] and run.rows == 1
    assert "*******5678" in rows[1] and "13812345678" not in rows[1]
    assert AuditEvent.objects.filter(action="cases.export_cases").count() == 1
    assert run.params["filters"] == {"q": wanted.number} and run.params["tab"] == "all"

    client.force_login(make_user("disp2", "dispatcher", world.tree.district))  # another dispatcher
    assert client.get(f"/reports/{run.pk}/").status_code == 404
    assert client.get(f"/reports/{run.pk}/download/").status_code == 404
    client.force_login(world.resident)
    assert client.post("/reports/request/", {"kind": "case_export", "tab": "all"}).status_code == 403


def test_an_export_larger_than_the_cap_is_refused_with_its_reason(client, world, monkeypatch):
    from civicgrid.cases import export
    from civicgrid.reports.models import ReportRun

    submit(world)
    submit(world)
    monkeypatch.setattr(export, "MAX_ROWS", 1)
    client.force_login(world.dispatcher)
    response = client.post("/reports/request/", {"kind": "case_export", "tab": "all", "next": "/cases/?tab=all"})
    html = response.content.decode()
    assert response.status_code == 422 and 'data-error="export_too_large"' in html and "共 2 件" in html
    assert 'href="/cases/?tab=all"' in html and not ReportRun.objects.exists()


# ---- report form ---------------------------------------------------------------------------------------

def report_data(**extra) -> dict:
    return {"category": "3001", "description": "楼里停水了", "title": "", "region": "", "address": "",
            "contact_preference": "online", "idempotency_key": "k-123", "lat": POINT_A["lat"],
            "lng": POINT_A["lng"], **extra}


def test_report_posted_twice_makes_one_case(client, world):
    client.force_login(world.resident)
    page = client.get(reverse("cases:report"))
    assert "紧急情况请拨打110/119/120" in page.content.decode()
    key = page.context["form"].initial["idempotency_key"]
    assert len(key) == 32

    first = client.post(reverse("cases:report"), report_data(idempotency_key=key))
    second = client.post(reverse("cases:report"), report_data(idempotency_key=key), follow=True)

    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert first.url == detail_url(case)
    assert case.reporter == world.resident and case.channel == "resident" and case.region == world.tree.micro_a
    assert case.number in second.content.decode()


def test_report_by_region_without_a_pin(client, world):
    client.force_login(world.grid_a)
    response = client.post(reverse("cases:report"), report_data(
        lat="", lng="", region=world.tree.grid_a.code, category="0102", description="垃圾成堆"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.region == world.tree.grid_a and case.channel == "grid" and case.case_type == "urban_event"


def test_report_errors_are_chinese_and_create_nothing(client, world):
    client.force_login(world.resident)
    response = client.post(reverse("cases:report"), report_data(category="", description="", lat="", lng=""))
    assert response.status_code == 422
    body = response.content.decode()
    assert "请选择问题类别" in body and "请描述问题" in body and "请在地图上选点,或选择所在网格" in body

    response = client.post(reverse("cases:report"), report_data(lat=10.0, lng=10.0))
    assert response.status_code == 422
    assert "该位置不在本区范围内" in response.content.decode()
    assert Case.objects.count() == 0


def test_report_renders_and_checks_the_category_questions(client, world):
    client.force_login(world.resident)
    fragment = client.get(reverse("cases:report_questions") + "?category=3005").content.decode()
    assert "噪声时段" in fragment and 'value="夜间"' in fragment
    response = client.post(reverse("cases:report"), report_data(category="3005", q_time="凌晨"))
    assert response.status_code == 422 and Case.objects.count() == 0
    response = client.post(reverse("cases:report"), report_data(category="3005", q_time="夜间"))
    assert response.status_code == 302
    assert Case.objects.get().answers == {"time": "夜间"}


def test_hotline_operator_enters_the_caller(client, world):
    client.force_login(world.dispatcher)
    page = client.get(reverse("cases:report")).content.decode()
    assert "来电人姓名" in page and "紧急情况请拨打" not in page
    response = client.post(reverse("cases:report"), report_data(reporter_name="王女士", reporter_phone="13812345678"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "hotline" and case.reporter_name == "王女士" and case.reporter is None


def test_field_worker_chooses_how_the_problem_was_found(client, world):
    client.force_login(world.grid_a)
    page = client.get(reverse("cases:report")).content.decode()
    assert "发现方式" in page and 'name="channel" value="grid"' in page and "checked" in page
    assert "巡查发现" in page and "入户走访" in page and "热线来电" not in page
    response = client.post(reverse("cases:report"), report_data(channel="patrol"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "patrol" and case.reporter == world.grid_a
    response = client.post(reverse("cases:report"), report_data(channel="visit", idempotency_key="k-2"))
    assert response.status_code == 302 and Case.objects.get(pk__gt=case.pk).channel == "visit"


@pytest.mark.parametrize("who, tampered", [("grid_a", "hotline"), ("grid_a", "api"), ("grid_a", "nonsense"),
                                           ("resident", "grid"), ("dispatcher", "patrol")])
def test_a_channel_outside_the_role_is_refused(client, world, who, tampered):
    client.force_login(getattr(world, who))
    extra = {"reporter_name": "王女士", "reporter_phone": "13812345678"} if who == "dispatcher" else {}
    response = client.post(reverse("cases:report"), report_data(channel=tampered, **extra))
    assert response.status_code == 422
    body = response.content.decode()
    assert ("请选择有效的发现方式" if who == "grid_a" else "渠道上报") in body
    assert Case.objects.count() == 0


@pytest.mark.parametrize("who, channel", [("resident", "resident"), ("dispatcher", "hotline")])
def test_residents_and_hotline_have_no_channel_choice(client, world, who, channel):
    client.force_login(getattr(world, who))
    page = client.get(reverse("cases:report"))
    assert page.context["channel"] == channel
    assert "channel" not in page.context["form"].fields and "发现方式" not in page.content.decode()


def test_staff_do_not_see_the_contact_section_and_need_no_contact(client, world):
    police = make_user("pol", "police_liaison", world.tree.community_a)
    for user, channel in ((world.grid_a, "grid"), (police, "police")):
        client.force_login(user)
        page = client.get(reverse("cases:report")).content.decode()
        assert "匿名反映" not in page and "希望的联系方式" not in page and 'data-section="contact"' not in page
        # a contact preference posted anyway (an old page, a tampered form) is not taken
        response = client.post(reverse("cases:report"), report_data(
            contact_preference="phone", is_anonymous="on", reporter_phone="13812345678", idempotency_key=channel))
        assert response.status_code == 302, response.content.decode()[:2000]
        case = Case.objects.get(channel=channel)
        assert case.contact_preference == "none" and not case.is_anonymous and case.reporter_phone == ""


@pytest.mark.parametrize("who", ["resident", "dispatcher"])
def test_residents_and_hotline_callers_are_asked_how_to_be_contacted(client, world, who):
    client.force_login(getattr(world, who))
    page = client.get(reverse("cases:report")).content.decode()
    assert "匿名反映" in page and "希望的联系方式" in page and 'data-section="contact"' in page


# ---- inbox ---------------------------------------------------------------------------------------------

def test_inbox_lists_and_marks_read(client, world):
    case = step(world.dispatcher, submit(world), "dispatch", department="CGJ")
    note = Notification.objects.get(user=world.handler, case=case)
    client.force_login(world.handler)
    response = client.get(reverse("cases:inbox"))
    assert response.context["unread"] == 1 and note.text in response.content.decode()

    assert client.get(reverse("cases:inbox_open", args=[note.pk])).url == detail_url(case)
    note.refresh_from_db()
    assert note.read_at is not None

    client.force_login(world.grid_b)
    assert client.get(reverse("cases:inbox_open", args=[note.pk])).status_code == 404
