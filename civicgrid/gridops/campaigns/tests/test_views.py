"""Campaign pages: what workers and admins see and post, without a browser."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.core import clock
from civicgrid.gridops.campaigns import actions
from civicgrid.gridops.campaigns.models import Campaign, CampaignAnswer
from civicgrid.gridops.campaigns.tests.conftest import GOOD, at
from civicgrid.gridops.campaigns.tests.test_xlsform import workbook

BASE = "/gridops/campaigns"


def logged_in(client, user):
    client.force_login(user)
    return client


def _answer(world, household, actor=None, answers=GOOD, key=None, base=0, device=None, now=None):
    with clock.at(now or at(2, 12)):
        return actions.submit_answer(actor=actor or world.worker_a, campaign=world.campaign, household=household,
                                     answers=answers, base_version=base, idempotency_key=key,
                                     answered_at=device or at(2, 11))


def test_the_worker_sees_the_campaign_and_its_households(client, world):
    page = logged_in(client, world.worker_a)
    _answer(world, world.households_a[0])

    listing = page.get(f"{BASE}/")
    with clock.at(at(3)):
        collect = page.get(f"{BASE}/{world.campaign.pk}/collect/")

    assert listing.status_code == 200 and "疫情入户统计" in listing.content.decode()
    assert collect.status_code == 200
    text = collect.content.decode()
    data = json.loads(text.split('id="campaign-data" type="application/json">')[1].split("</script>")[0])
    assert [(h["number"], h["version"]) for h in data["households"]] == [("HA-001", 1), ("HA-002", 0), ("HA-003", 0)]
    assert data["api"] == f"/api/v1/gridops/campaigns/{world.campaign.pk}/answers" and data["open"] is True
    assert 'data-when="{&quot;join&quot;: &quot;and&quot;' in text  # the condition the phone evaluates
    assert "当“在家成员是否均已完成核酸检测”为“否”时填写" in text


def test_another_grids_worker_gets_404(client, world):
    assert logged_in(client, world.worker_b).get(f"{BASE}/{world.campaign.pk}/collect/").status_code == 404
    assert client.get(f"{BASE}/{world.campaign.pk}/households/{world.households_a[0].pk}/").status_code == 404


def test_the_household_form_saves_without_script(client, world):
    page = logged_in(client, world.worker_a)
    household = world.households_a[1]
    body = {"base_version": "0", "idempotency_key": "form-1", "members_present": "2", "test_done": "no",
            "not_tested_reason": "away", "id_verified": "yes"}

    with clock.at(at(3)):
        first = page.post(f"{BASE}/{world.campaign.pk}/households/{household.pk}/", body)
        again = page.post(f"{BASE}/{world.campaign.pk}/households/{household.pk}/", body)

    assert first.status_code == 302 and again.status_code == 302
    answer = CampaignAnswer.objects.get()
    assert answer.answers == {"members_present": 2, "test_done": "no", "not_tested_reason": "away",
                              "id_verified": "yes"}
    assert answer.revisions.count() == 1


def test_the_household_form_shows_errors_next_to_the_question(client, world):
    page = logged_in(client, world.worker_a)
    with clock.at(at(3)):
        response = page.post(f"{BASE}/{world.campaign.pk}/households/{world.households_a[0].pk}/",
                             {"members_present": "40", "test_done": "yes"})

    assert response.status_code == 422
    text = response.content.decode()
    assert "不能大于 30" in text and "必填" in text
    assert CampaignAnswer.objects.count() == 0


def test_a_conflict_shows_both_values_and_can_be_resolved(client, world):
    household = world.households_a[0]
    _answer(world, household, key="m", device=at(2, 9))
    _answer(world, household, actor=world.grid_worker_a, answers={**GOOD, "members_present": 8}, key="g",
            device=at(2, 8))
    admin = logged_in(client, world.admin_a)

    with clock.at(at(3)):
        detail = admin.get(f"{BASE}/{world.campaign.pk}/households/{household.pk}/").content.decode()
        progress = admin.get(f"{BASE}/{world.campaign.pk}/progress/").content.decode()
        resolved = admin.post(f"{BASE}/{world.campaign.pk}/households/{household.pk}/resolve/", {})

    assert "冲突·未采用" in detail and "本次提交的设备时间较早,保留了原答卷" in detail
    assert '<tr class="differs"><td>在家人数</td><td>8</td><td>3</td></tr>' in detail
    assert 'data-conflict-household="HA-001"' in progress
    assert resolved.status_code == 302 and not CampaignAnswer.objects.get().has_conflict


def test_progress_page_and_its_htmx_fragment(client, world):
    _answer(world, world.households_a[0])
    admin = logged_in(client, world.admin_a)

    page = admin.get(f"{BASE}/{world.campaign.pk}/progress/")
    fragment = admin.get(f"{BASE}/{world.campaign.pk}/progress/?level=micro_grid", headers={"HX-Request": "true"})

    assert page.status_code == 200 and "<html" in page.content.decode()
    text = fragment.content.decode()
    assert "<html" not in text and 'hx-trigger="every 10s"' in text
    assert f'data-unit="{world.tree.micro_a.code}"' in text and '<strong data-field="unit-done">1</strong> / 3' in text


def test_results_page_with_crosstab(client, world):
    _answer(world, world.households_a[0])
    response = logged_in(client, world.admin_a).get(f"{BASE}/{world.campaign.pk}/results/",
                                                    {"row": "test_done", "col": "id_verified"})

    text = response.content.decode()
    assert response.status_code == 200 and "data-crosstab" in text
    assert 'data-field="sum">3<' in text


def test_export_opens_in_excel_with_the_rows(client, world):
    from openpyxl import load_workbook

    _answer(world, world.households_a[0])
    _answer(world, world.households_a[1], answers={"members_present": 1, "test_done": "no",
                                                   "not_tested_reason": "refused", "id_verified": "no"})
    response = logged_in(client, world.admin_a).get(f"{BASE}/{world.campaign.pk}/export/")

    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["答卷", "进度", "汇总", "冲突"]
    rows = list(book["答卷"].iter_rows(values_only=True))
    assert rows[0][:10] == ("户编号", "地址", "户室", "微网格", "网格编码", "在家人数", "在家成员是否均已完成核酸检测",
                            "未检测原因", "是否已核验身份证件", "备注")
    assert [r[:9] for r in rows[1:]] == [
        ("HA-001", "幸福里3号楼101", "101", "微网格A", world.tree.grid_a.code, 3, "是", None, "是"),
        ("HA-002", "幸福里3号楼201", "101", "微网格A", world.tree.grid_a.code, 1, "否", "拒绝检测", "否"),
    ]
    assert list(book["进度"].iter_rows(values_only=True))[-1] == ("合计", None, 2, 3, 66.7, 0)
    assert ("在家人数", "整数", 2, "合计", 4, None) in list(book["汇总"].iter_rows(values_only=True))


def test_create_design_import_and_publish(client, world):
    admin = logged_in(client, world.admin_a)
    with clock.at(at(1)):
        created = admin.post(f"{BASE}/new/", {"title": "燃气安全排查", "kind": "screening",
                                              "targets": [world.tree.grid_a.code], "start_date": "2024-05-01",
                                              "end_date": "2024-05-20", "template": "blank"})
    campaign = Campaign.objects.get(title="燃气安全排查")
    assert created.status_code == 302 and campaign.status == "draft"

    bad = admin.post(f"{BASE}/{campaign.pk}/form/", {
        "f-0-order": "1", "f-0-name": "fuel", "f-0-type": "select_one", "f-0-label": "用气方式", "f-0-choices": "",
        "f-1-order": "2", "f-1-name": "alarm", "f-1-type": "yesno", "f-1-label": "报警器", "f-1-relevant": "${x} = 'a'",
        "f-2-order": "3", "f-2-name": "", "f-2-label": ""})
    assert bad.status_code == 422
    assert "单选或多选字段至少需要一个选项" in bad.content.decode()
    assert "条件引用的字段“x”不存在" in bad.content.decode()

    good = admin.post(f"{BASE}/{campaign.pk}/form/", {
        "f-0-order": "2", "f-0-name": "alarm", "f-0-type": "yesno", "f-0-label": "报警器", "f-0-required": "1",
        "f-0-relevant": "${fuel} != 'none'",
        "f-1-order": "1", "f-1-name": "fuel", "f-1-type": "select_one", "f-1-label": "用气方式",
        "f-1-choices": "pipeline=管道燃气\nnone=不用燃气"})
    assert good.status_code == 302
    assert [f["name"] for f in Campaign.objects.get(pk=campaign.pk).fields()] == ["fuel", "alarm"]

    rejected = admin.post(f"{BASE}/{campaign.pk}/import/", {
        "file": SimpleUploadedFile("f.xlsx", workbook([["text", "x", "", "", "", "", "", ""]]))})
    assert rejected.status_code == 422 and 'data-row="2"' in rejected.content.decode()
    imported = admin.post(f"{BASE}/{campaign.pk}/import/", {"file": SimpleUploadedFile("f.xlsx", workbook())})
    assert imported.status_code == 302 and len(Campaign.objects.get(pk=campaign.pk).fields()) == 9

    with clock.at(at(1)):
        admin.post(f"{BASE}/{campaign.pk}/transition/publish/")
    assert Campaign.objects.get(pk=campaign.pk).status == "active"
    assert admin.get(f"{BASE}/{campaign.pk}/form/").status_code == 302  # frozen


@pytest.mark.parametrize("user,status", [("worker_a", 403), ("admin_b", 404)])
def test_managing_pages_are_closed_to_others(client, world, user, status):
    page = logged_in(client, getattr(world, user))
    assert page.get(f"{BASE}/{world.campaign.pk}/export/").status_code == status


def test_the_service_worker_covers_the_campaign_pages(client):
    response = client.get(f"{BASE}/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/gridops/campaigns/"
    assert "/static/campaigns/campaigns.js" in response.content.decode()
