"""Campaign API: the permission matrix, answer sync with idempotency keys, conflicts, XLSForm upload,
progress, results and export."""

from __future__ import annotations

import base64
from io import BytesIO

import pytest
from django.test import Client

from civicgrid.core import clock
from civicgrid.gridops.campaigns.models import Campaign, CampaignAnswer, CampaignPhoto, CampaignRevision
from civicgrid.gridops.campaigns.tests.conftest import GOOD, at
from civicgrid.gridops.campaigns.tests.test_xlsform import workbook
from civicgrid.people.tests.factories import bearer
from civicgrid.testing import make_user

BASE = "/api/v1/gridops/campaigns"


def client_for(user) -> Client:
    return Client(headers=bearer(user)) if user is not None else Client()


def _post(client, path, body, **headers):
    return client.post(f"{BASE}{path}", body, content_type="application/json", headers=headers)


@pytest.fixture
def viewers(world):
    """anonymous / no permission / right role in the other community / right role in the same place."""
    return {
        "anonymous": None,
        "no_permission": make_user("auditor", "audit_admin", world.tree.district),
        "other_worker": world.worker_b,
        "worker": world.worker_a,
        "other_admin": world.admin_b,
        "admin": world.admin_a,
        "leader": make_user("leader", "leader", world.tree.district),
    }


READS = ["", "/progress", "/results"]
EXPECTED_READ = {"anonymous": 401, "no_permission": 404, "other_worker": 404, "worker": 200, "other_admin": 404,
                 "admin": 200, "leader": 200}


@pytest.mark.parametrize("viewer", list(EXPECTED_READ))
@pytest.mark.parametrize("path", READS)
def test_reading_a_campaign(world, viewers, viewer, path):
    response = client_for(viewers[viewer]).get(f"{BASE}/{world.campaign.pk}{path}")

    assert response.status_code == EXPECTED_READ[viewer]


@pytest.mark.parametrize("viewer,expected", [
    ("anonymous", 401), ("no_permission", 404), ("other_worker", 404), ("other_admin", 404),
    ("leader", 404), ("worker", 201),
])
def test_answering_a_household(world, viewers, viewer, expected):
    body = {"household_id": world.households_a[0].pk, "answers": GOOD, "idempotency_key": f"k-{viewer}"}

    with clock.at(at(2)):
        response = _post(client_for(viewers[viewer]), f"/{world.campaign.pk}/answers", body)

    assert response.status_code == expected
    assert CampaignAnswer.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize("viewer,expected", [
    ("anonymous", 401), ("no_permission", 404), ("other_admin", 404), ("worker", 403), ("leader", 403),
    ("admin", 200),
])
def test_closing_a_campaign(world, viewers, viewer, expected):
    with clock.at(at(3)):
        response = _post(client_for(viewers[viewer]), f"/{world.campaign.pk}/transitions", {"action": "close"})

    assert response.status_code == expected
    assert Campaign.objects.get(pk=world.campaign.pk).status == ("closed" if expected == 200 else "active")


@pytest.mark.parametrize("viewer,expected", [("worker", 403), ("leader", 403), ("other_admin", 404), ("admin", 200)])
def test_exporting(world, viewers, viewer, expected):
    response = client_for(viewers[viewer]).get(f"{BASE}/{world.campaign.pk}/export")

    assert response.status_code == expected


def test_the_list_shows_each_user_the_campaigns_reaching_their_area(world, viewers):
    def titles(viewer):
        body = client_for(viewers[viewer]).get(BASE).json()
        return sorted((c["id"], c["can_manage"]) for c in body["items"])

    assert titles("worker") == [(world.campaign.pk, False)]
    assert titles("admin") == [(world.campaign.pk, True)]
    assert titles("leader") == sorted([(world.campaign.pk, False), (world.campaign_b.pk, False)])
    assert titles("no_permission") == []


def test_a_draft_is_invisible_to_workers(world):
    admin = client_for(world.admin_a)
    with clock.at(at(1)):
        response = _post(admin, "", {"title": "燃气排查", "target_codes": [world.tree.micro_a.code],
                                     "start_date": "2024-05-01", "end_date": "2024-05-31", "template": "gas_safety"})
    assert response.status_code == 201
    draft = response.json()
    assert (draft["status"], len(draft["form"]["fields"])) == ("draft", 6)

    assert client_for(world.worker_a).get(f"{BASE}/{draft['id']}").status_code == 404


def test_the_same_key_three_times_answers_201_then_200_200_and_stores_once(world):
    worker = client_for(world.worker_a)
    body = {"household_id": world.households_a[1].pk, "answers": GOOD, "base_version": 0,
            "answered_at": "2024-05-02T09:30:00+08:00"}

    with clock.at(at(2, 12)):
        statuses = [_post(worker, f"/{world.campaign.pk}/answers", body, **{"Idempotency-Key": "phone-1-7"})
                    for _ in range(3)]

    assert [r.status_code for r in statuses] == [201, 200, 200]
    assert [r.json()["replayed"] for r in statuses] == [False, True, True]
    assert statuses[0].json()["revision_id"] == statuses[2].json()["revision_id"]
    assert (CampaignAnswer.objects.count(), CampaignRevision.objects.count()) == (1, 1)


def test_a_stale_write_from_a_second_device_is_reported_as_a_conflict(world):
    micro, grid = client_for(world.worker_a), client_for(world.grid_worker_a)
    household = world.households_a[0].pk
    with clock.at(at(2, 12)):
        _post(micro, f"/{world.campaign.pk}/answers", {"household_id": household, "answers": GOOD,
                                                       "idempotency_key": "m1", "answered_at": "2024-05-02T10:00:00+08:00"})
        late = _post(grid, f"/{world.campaign.pk}/answers", {
            "household_id": household, "answers": {**GOOD, "members_present": 5}, "idempotency_key": "g1",
            "answered_at": "2024-05-02T11:00:00+08:00"})

    assert late.status_code == 201
    assert {k: late.json()[k] for k in ("outcome", "conflict", "has_conflict", "version")} == {
        "outcome": "conflict_applied", "conflict": True, "has_conflict": True, "version": 2}

    detail = client_for(world.admin_a).get(f"{BASE}/{world.campaign.pk}/answers/{household}").json()
    conflict = detail["revisions"][0]
    assert conflict["is_conflict"] and conflict["previous_by"] == "worker_a"
    assert [r for r in conflict["rows"] if r["differs"]] == [
        {"label": "在家人数", "mine": "5", "theirs": "3", "differs": True}]


def test_invalid_answers_answer_422_with_the_field(world):
    with clock.at(at(2)):
        response = _post(client_for(world.worker_a), f"/{world.campaign.pk}/answers",
                         {"household_id": world.households_a[0].pk, "answers": {"members_present": -1}})

    assert response.status_code == 422
    assert response.json()["details"] == {"members_present": "不能小于 0", "test_done": "必填", "id_verified": "必填"}


def test_a_photo_arrives_as_a_data_url(world):
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    admin = client_for(world.admin_a)
    with clock.at(at(1)):
        campaign = _post(admin, "", {"title": "燃气", "target_codes": [world.tree.micro_a.code], "template": "gas_safety",
                                     "start_date": "2024-05-01", "end_date": "2024-05-31"}).json()
        _post(admin, f"/{campaign['id']}/transitions", {"action": "publish"})
    answers = {"fuel": "pipeline", "alarm": "yes", "hazards": ["valve"], "occupants": 3, "checked_on": "2024-05-02",
               "photo": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()}

    with clock.at(at(2)):
        response = _post(client_for(world.worker_a), f"/{campaign['id']}/answers",
                         {"household_id": world.households_a[0].pk, "answers": answers})

    assert response.status_code == 201
    assert response.json()["answers"]["photo"] == CampaignPhoto.objects.get().pk


def test_xlsform_upload(world):
    admin = client_for(world.admin_a)
    with clock.at(at(1)):
        campaign = _post(admin, "", {"title": "导入", "target_codes": [world.tree.micro_a.code],
                                     "start_date": "2024-05-01", "end_date": "2024-05-31"}).json()

    bad = admin.post(f"{BASE}/{campaign['id']}/xlsform",
                     {"file": _upload(workbook([["text", "x", "", "", "", "", "", ""]]))})
    good = admin.post(f"{BASE}/{campaign['id']}/xlsform", {"file": _upload(workbook())})

    assert bad.status_code == 422
    assert bad.json()["details"] == [{"sheet": "survey", "row": 2, "reason": "字段“x”缺少题目(label)"}]
    assert good.status_code == 200
    assert [f["label"] for f in good.json()["form"]["fields"]][:2] == ["在家人数", "是否已完成核酸检测"]


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("form.xlsx", data)


def test_progress_and_households_for_the_worker(world):
    worker = client_for(world.worker_a)
    with clock.at(at(2)):
        _post(worker, f"/{world.campaign.pk}/answers", {"household_id": world.households_a[0].pk, "answers": GOOD})

    rows = worker.get(f"{BASE}/{world.campaign.pk}/households").json()
    progress = client_for(world.admin_a).get(f"{BASE}/{world.campaign.pk}/progress").json()

    assert [(r["number"], r["version"]) for r in rows["items"]] == [("HA-001", 1), ("HA-002", 0), ("HA-003", 0)]
    assert progress["rows"] == [{"code": world.tree.grid_a.code, "name": "网格A", "total": 3, "done": 1,
                                 "percent": 33.3, "conflicts": 0}]


def test_results_with_a_crosstab(world):
    with clock.at(at(2)):
        _post(client_for(world.worker_a), f"/{world.campaign.pk}/answers",
              {"household_id": world.households_a[0].pk, "answers": GOOD})

    body = client_for(world.admin_a).get(f"{BASE}/{world.campaign.pk}/results",
                                         {"row": "test_done", "col": "id_verified"}).json()
    bad = client_for(world.admin_a).get(f"{BASE}/{world.campaign.pk}/results", {"row": "note", "col": "test_done"})

    assert body["crosstab"]["cells"] == [[1, 0], [0, 0]]
    assert body["fields"][0]["sum"] == 3
    assert bad.status_code == 422


def test_a_draft_is_listed_only_for_those_who_may_manage_it(world):
    street = make_user("street_a", "street_admin", world.tree.street_a)
    with clock.at(at(1)):
        _post(client_for(street), "", {"title": "街道草稿", "target_codes": [world.tree.street_a.code],
                                       "start_date": "2024-05-01", "end_date": "2024-05-31"})

    def titles(user):
        return sorted(c["title"] for c in client_for(user).get(BASE).json()["items"])

    assert titles(street) == ["疫情入户统计", "街道草稿"]
    assert titles(world.admin_a) == ["疫情入户统计"]  # the draft's region is the street: not theirs to manage
    assert titles(world.worker_a) == ["疫情入户统计"]
