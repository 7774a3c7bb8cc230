import pytest

from civicgrid.cases.models import Case
from civicgrid.cases.tests.conftest import POINT_A, POINT_B

pytestmark = pytest.mark.django_db


def post(client, path, body, **headers):
    return client.post(path, body, content_type="application/json", headers=headers)


def report(client, world, user, point=POINT_A, key=None, **extra):
    client.force_login(user)
    body = {"description": "路边井盖丢失", "category": "0601", **point, **extra}  # the channel: by role
    headers = {"Idempotency-Key": key} if key else {}
    return post(client, "/api/v1/cases", body, **headers)


def test_create_then_full_api_journey(client, world):
    created = report(client, world, world.resident, key="k-1")
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["state"] == "reported" and case["region_code"] == world.tree.micro_a.code
    assert case["allowed_actions"] == []  # the reporter has nothing to do yet
    cid = case["id"]

    client.force_login(world.dispatcher)
    detail = client.get(f"/api/v1/cases/{cid}").json()
    assert [a["action"] for a in detail["allowed_actions"]][:4] == ["send_to_verify", "file", "reject", "merge"]
    for action, facts in [("file", {}), ("dispatch", {"department": "CGJ"})]:
        response = post(client, f"/api/v1/cases/{cid}/transitions", {"action": action, "facts": facts})
        assert response.status_code == 200, response.content
    assert response.json()["case"]["state"] == "dispatched"
    assert response.json()["event"]["seq"] == 3

    client.force_login(world.handler)
    assert post(client, f"/api/v1/cases/{cid}/transitions", {"action": "sign"}).status_code == 200
    events = client.get(f"/api/v1/cases/{cid}/events").json()
    assert [e["action"] for e in events] == ["submit", "file", "dispatch", "sign"]


def test_retried_create_returns_the_same_case(client, world):
    first = report(client, world, world.resident, key="same")
    again = [report(client, world, world.resident, key="same") for _ in range(9)]
    assert first.status_code == 201 and {r.status_code for r in again} == {200}
    assert {r.json()["id"] for r in again} == {first.json()["id"]}
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who, channel", [("resident", "resident"), ("dispatcher", "hotline")])
def test_the_create_answer_is_the_validated_detail_answer(client, world, who, channel):
    """The new case is answered without re-validation (api/answers.py): it must be exactly what the
    schema makes of the stored case — allowed actions, events, routing with a likely duplicate."""
    user = getattr(world, who)
    assert report(client, world, user, key="earlier", description="小区门口井盖丢失了").status_code == 201
    created = report(client, world, user, key="k", channel=channel, reporter_name="张三")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["routing"]["duplicates"] and body["events"][0]["action"] == "submit"
    detail = client.get(f"/api/v1/cases/{body['id']}")
    assert created["Content-Type"] == detail["Content-Type"]
    assert body == detail.json()
    replay = report(client, world, user, key="k", channel=channel, reporter_name="张三")
    assert replay.status_code == 200 and replay.json() == body


def test_errors_are_specific(client, world):
    response = report(client, world, world.resident, lat=1.0, lng=1.0)
    assert response.status_code == 422 and response.json()["code"] == "location_outside_district"
    response = report(client, world, world.resident, category="nope")
    assert response.json()["code"] == "category_unknown"
    response = report(client, world, world.resident, lat=100)
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    cid = report(client, world, world.resident).json()["id"]
    client.force_login(world.dispatcher)
    missing = post(client, f"/api/v1/cases/{cid}/transitions", {"action": "reject"})
    assert missing.status_code == 422 and missing.json()["code"] == "missing_fields"
    assert missing.json()["details"] == ["reason"]
    illegal = post(client, f"/api/v1/cases/{cid}/transitions", {"action": "close"})
    assert illegal.status_code == 409 and illegal.json()["code"] == "action_not_allowed_in_state"
    client.force_login(world.resident)
    forbidden = post(client, f"/api/v1/cases/{cid}/transitions", {"action": "file"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "role_not_allowed"


def test_stale_expected_event_count_is_409(client, world):
    cid = report(client, world, world.resident).json()["id"]
    client.force_login(world.dispatcher)
    ok = post(client, f"/api/v1/cases/{cid}/transitions", {"action": "file", "expected_event_count": 1})
    assert ok.status_code == 200
    stale = post(client, f"/api/v1/cases/{cid}/transitions",
                 {"action": "dispatch", "facts": {"department": "CGJ"}, "expected_event_count": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "case_changed"


def test_case_permission_matrix(client, world):
    in_a = report(client, world, world.resident).json()["id"]
    in_b = report(client, world, world.resident_b, point=POINT_B).json()["id"]
    client.logout()
    assert client.get(f"/api/v1/cases/{in_a}").status_code == 401

    def sees(user):
        client.force_login(user)
        listed = {c["id"] for c in client.get("/api/v1/cases").json()["items"]}
        codes = {cid: client.get(f"/api/v1/cases/{cid}").status_code for cid in (in_a, in_b)}
        return listed, codes

    from civicgrid.testing import make_user

    auditor = make_user("aud", "audit_admin", world.tree.district)
    assert sees(auditor) == (set(), {in_a: 404, in_b: 404})  # no permission
    assert sees(world.grid_b) == ({in_b}, {in_a: 404, in_b: 200})  # permission, other region
    assert sees(world.grid_a) == ({in_a}, {in_a: 200, in_b: 404})  # permission, same region
    assert sees(world.resident) == ({in_a}, {in_a: 200, in_b: 404})  # a resident sees their own
    assert sees(world.dispatcher)[0] == {in_a, in_b}


def test_department_sees_cases_it_handles_including_co_handling(client, world):
    from civicgrid.testing import make_department, make_user

    water = make_department("GS-WATER-2", "供水")
    water_handler = make_user("water", "department_handler", department=water)
    cid = report(client, world, world.resident, category="3001").json()["id"]
    client.force_login(water_handler)
    assert client.get(f"/api/v1/cases/{cid}").status_code == 404
    client.force_login(world.dispatcher)
    post(client, f"/api/v1/cases/{cid}/transitions",
         {"action": "dispatch", "facts": {"department": "CGJ", "co_departments": ["GS-WATER-2"]}})
    client.force_login(water_handler)
    assert client.get(f"/api/v1/cases/{cid}").status_code == 200
    assert client.get("/api/v1/cases").json()["count"] == 1


def test_categories_endpoint(client, world):
    client.force_login(world.resident)
    cats = client.get("/api/v1/cases/categories").json()
    assert {"code": "0102", "name": "暴露垃圾"}.items() <= next(c for c in cats if c["code"] == "0102").items()


def test_action_labels_follow_the_language(client, world):
    cid = report(client, world, world.resident).json()["id"]
    client.force_login(world.dispatcher)
    labels = {a["action"]: a["label"] for a in client.get(f"/api/v1/cases/{cid}").json()["allowed_actions"]}
    assert labels["file"] == "立案"
    client.cookies["django_language"] = "en"
    labels = {a["action"]: a["label"] for a in client.get(f"/api/v1/cases/{cid}").json()["allowed_actions"]}
    assert labels["file"] == "File"
