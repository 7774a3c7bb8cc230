"""The recognition API and pages: the public board and notices without login, objections, the scoped
nomination routes (out of reach 404, denied 403 with nothing changed) and specific 4xx codes."""

import pytest

from civicgrid.recognition import actions
from civicgrid.recognition.models import Nomination, Objection
from civicgrid.recognition.tests.conftest import later, nomination_input, to_notice

pytestmark = pytest.mark.django_db
API = "/api/v1/recognition"
BODY = {"source": "other", "nominee_name": "李大姐", "nominee_phone": "13800002222", "region_code": "211004001001",
        "category": "filial", "title": "照顾瘫痪婆婆二十年", "story": "二十年如一日照顾瘫痪在床的婆婆。",
        "relation": "邻居", "consent": {"name": True, "photo": False, "story": True}}


def test_submit_and_steps_through_the_api(client, rworld):
    w = rworld
    client.force_login(w.resident)
    r = client.post(f"{API}/nominations", BODY, content_type="application/json", headers={"Idempotency-Key": "a1"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["state"], body["nominee_phone"], body["consent"]["name"]) == ("submitted", "*******2222", True)
    pk = body["id"]
    no_consent = {**BODY, "consent": {"name": True, "photo": True, "story": False}}
    r = client.post(f"{API}/nominations", no_consent, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "consent_required")
    client.force_login(w.community)
    r = client.post(f"{API}/nominations/{pk}/transitions", {"action": "verify"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "consent_confirmation_required")
    r = client.post(f"{API}/nominations/{pk}/transitions",
                    {"action": "verify", "consent": {"name": False, "photo": False, "story": True}},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "verified"
    client.force_login(w.community_b)
    assert client.get(f"{API}/nominations/{pk}").status_code == 404
    r = client.post(f"{API}/nominations/{pk}/transitions", {"action": "approve"}, content_type="application/json")
    assert r.status_code == 404
    client.force_login(w.community)
    r = client.post(f"{API}/nominations/{pk}/transitions", {"action": "approve"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
    assert Nomination.objects.get(pk=pk).state == "verified"
    client.force_login(w.office)
    r = client.post(f"{API}/nominations/{pk}/transitions", {"action": "approve"}, content_type="application/json")
    assert r.json()["state"] == "notice"
    r = client.post(f"{API}/nominations/{pk}/transitions", {"action": "list"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "notice_not_over")


def test_public_notices_and_objections_without_login(client, rworld):
    w = rworld
    n = to_notice(w, actions.submit_nomination(actor=w.resident, data=nomination_input()))
    notices = client.get(f"{API}/public/notices").json()
    assert [(i["id"], i["name"]) for i in notices] == [(n.pk, "滕学民")]
    assert "13800001111" not in str(notices)
    r = client.post(f"{API}/public/notices/{n.pk}/objections",
                    {"contact_name": "王", "contact_phone": "1390000", "body": "不实"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "contact_phone_invalid")
    r = client.post(f"{API}/public/notices/{n.pk}/objections",
                    {"contact_name": "王", "contact_phone": "13900005555", "body": "不实"}, content_type="application/json")
    assert r.status_code == 201
    r = client.post(f"{API}/public/notices/{n.pk}/objections",
                    {"contact_name": "王", "contact_phone": "13900005555", "body": "再说一遍"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "objection_duplicate")
    with later(8):
        r = client.post(f"{API}/public/notices/{n.pk}/objections",
                        {"contact_name": "王", "contact_phone": "13900005555", "body": "又一条"},
                        content_type="application/json")
        assert (r.status_code, r.json()["code"]) == (422, "notice_period_over")
        client.force_login(w.office)
        r = client.post(f"{API}/nominations/{n.pk}/transitions", {"action": "list"}, content_type="application/json")
        assert (r.status_code, r.json()["code"]) == (409, "objection_unanswered")
        objection = client.get(f"{API}/nominations/{n.pk}/objections").json()[0]
        assert objection["contact_phone"] == "*******5555"
        r = client.post(f"{API}/objections/{objection['id']}/answer", {"outcome": "dismissed", "answer": "属实"},
                        content_type="application/json")
        assert r.status_code == 200
        assert client.post(f"{API}/nominations/{n.pk}/transitions", {"action": "list"},
                           content_type="application/json").json()["state"] == "listed"
    client.logout()
    board = client.get(f"{API}/public/board").json()
    assert [i["name"] for i in board["items"]] == ["滕学民"] and board["period"] == "month"
    person = client.get(f"{API}/public/people/" + board["items"][0]["person_url"].split("/")[-2])
    assert person.status_code == 200 and len(person.json()["items"]) == 1
    assert Objection.objects.count() == 1
    assert client.get(f"{API}/nominations").status_code == 401
    assert client.get(f"{API}/public/board?month=2026-13").status_code == 422


def test_pages_public_resident_and_staff(client, rworld):
    w = rworld
    assert client.get("/recognition/").status_code == 200
    assert client.get("/recognition/notices/").status_code == 200
    assert client.get("/recognition/nominate/").status_code == 302  # login first
    client.force_login(w.resident)
    page = client.get("/recognition/nominate/")
    assert page.status_code == 200 and "被推荐人同意公开事迹" in page.content.decode()
    form = {"source": "self", "nominee_name": "滕学民", "nominee_phone": "13800001111", "region_code": "211004001001",
            "category": "helping", "title": "照顾老人", "story": "每周为孤寡老人买菜。", "idempotency_key": "k9"}
    r = client.post("/recognition/nominate/", form)
    assert r.status_code == 422 and "须取得被推荐人本人同意" in r.content.decode()
    r = client.post("/recognition/nominate/", {**form, "consent_story": "on", "consent_name": "on"})
    assert r.status_code == 302
    n = Nomination.objects.get()
    assert client.get("/recognition/my/").content.decode().count(f'data-nomination="{n.pk}"') == 1
    assert client.get(f"/recognition/{n.pk}/").status_code == 200  # the nominator sees it
    assert client.get("/recognition/work/").status_code == 403
    client.force_login(w.community_b)
    assert client.get(f"/recognition/{n.pk}/").status_code == 404
    assert client.post(f"/recognition/{n.pk}/verify/").status_code == 404
    client.force_login(w.community)
    assert f'data-nomination="{n.pk}"' in client.get("/recognition/work/").content.decode()
    assert client.post(f"/recognition/{n.pk}/verify/").status_code == 302
    n.refresh_from_db()
    assert n.state == "verified"
