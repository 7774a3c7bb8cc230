"""GeoReport v2 through the test client: shapes in XML and JSON, POST rules and errors, filters,
extensions, updates, keys. The live-server round trip with a third-party client is test_live.py."""

import json
from datetime import timedelta

import pytest
from defusedxml import ElementTree

from civicgrid.cases.models import Case, Category
from civicgrid.cases.workflow import registry
from civicgrid.core import clock
from civicgrid.open311 import mapping
from civicgrid.open311.models import ApiKey
from civicgrid.open311.tests.conftest import OUTSIDE, POINT_A, validate

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def post(client, w, fmt="json", key=None, headers=None, **fields):
    body = {"api_key": w.key if key is None else key, "service_code": "0102", **POINT_A,
            "description": "路边有成堆垃圾", **fields}
    return client.post(f"{BASE}/requests.{fmt}", body, headers=headers or {})


def errors_of(response, fmt="json"):
    if fmt == "json":
        return response.json()
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors"
    return [{"code": e.findtext("code"), "description": e.findtext("description")} for e in root.findall("error")]


def test_discovery_in_both_formats(client, o311):
    body = client.get(f"{BASE}/discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["formats"] == ["text/xml", "application/json"]
    response = client.get(f"{BASE}/discovery.xml")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_services_are_the_published_categories(client, o311):
    services = client.get(f"{BASE}/services.json").json()
    validate("services", services)
    expected = sorted(Category.objects.filter(case_type="urban_event", parent__isnull=False, is_active=True)
                      .values_list("code", flat=True))
    assert [s["service_code"] for s in services] == expected and len(expected) > 5
    garbage = next(s for s in services if s["service_code"] == "0102")
    assert garbage == {"service_code": "0102", "service_name": "暴露垃圾", "description": "道路、绿地等公共区域有成堆暴露垃圾",
                       "metadata": False, "type": "realtime", "keywords": "urban_event,市容环境", "group": "市容环境",
                       "groups": ["市容环境"]}
    root = ElementTree.fromstring(client.get(f"{BASE}/services.xml").content)
    assert [s.findtext("service_code") for s in root.findall("service")] == expected
    assert root.find("service/metadata").text in ("true", "false")
    # a dispute category is not a public service
    assert client.get(f"{BASE}/services/2004.json").status_code == 404


def test_service_definition(client, o311):
    Category.objects.filter(code="0102").update(questions=[
        {"key": "kind", "label": "垃圾类型", "type": "multi", "required": True, "choices": ["生活", "建筑"]},
        {"key": "seen", "label": "发现日期", "type": "date", "required": False}])
    body = client.get(f"{BASE}/services/0102.json").json()
    validate("service-definition", body)
    assert body["attributes"][0] == {"variable": True, "code": "kind", "datatype": "multivaluelist", "required": True,
                                     "datatype_description": "", "order": 1, "description": "垃圾类型",
                                     "values": [{"key": "生活", "name": "生活"}, {"key": "建筑", "name": "建筑"}]}
    assert body["attributes"][1]["datatype"] == "datetime"
    root = ElementTree.fromstring(client.get(f"{BASE}/services/0102.xml").content)
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == ["生活", "建筑"]
    assert root.findtext("attributes/attribute/required") == "true"


def test_post_becomes_a_case_on_channel_open311_and_never_shows_the_reporter(client, o311):
    response = post(client, o311, first_name="三", last_name="张", phone="13900001111", email="z@example.org",
                    address_string="新华街1号")
    assert response.status_code == 201, response.content
    [answer] = response.json()
    case = Case.objects.get(number=answer["service_request_id"])
    assert (case.channel, case.case_type, case.category.code) == ("open311", "urban_event", "0102")
    assert case.reporter_name == "张 三" and case.reporter_phone == "13900001111"
    assert case.region == o311.tree.micro_a and case.created_by.username.startswith("open311-")
    text = client.get(f"{BASE}/requests/{case.number}.json?extensions=true").content.decode()
    for private in ("张", "13900001111", "z@example.org", case.created_by.username):
        assert private not in text
    [item] = json.loads(text)
    validate("request", {k: v for k, v in item.items() if k not in ("extended_attributes", "notes")})
    assert item["status"] == "open" and item["address"] == "新华街1号"
    assert item["extended_attributes"]["channel"] == "open311"
    assert item["extended_attributes"]["extended_state"] == mapping.extended_state("urban_event", case.state)
    assert item["notes"][0]["type"] == "submitted"


def test_post_attributes_in_both_encodings(client, o311):
    Category.objects.filter(code="0102").update(questions=[
        {"key": "kind", "label": "垃圾类型", "type": "multi", "required": True, "choices": ["生活", "建筑"]},
        {"key": "seen", "label": "发现日期", "type": "date", "required": False}])
    missing = post(client, o311)
    assert missing.status_code == 400 and errors_of(missing)[0]["code"] == "answer_required"
    ok = post(client, o311, **{"attribute[kind][]": ["生活", "建筑"], "attribute[seen]": "2026-12-01T08:00:00+08:00"})
    assert ok.status_code == 201, ok.content
    case = Case.objects.get(number=ok.json()[0]["service_request_id"])
    assert case.answers == {"kind": ["生活", "建筑"], "seen": "2026-12-01"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors_in_the_spec_format(client, o311, fmt):
    cases = Case.objects.count()
    for fields, status, code in (
        ({"service_code": "9999"}, 404, "404"),
        ({"service_code": ""}, 400, "400"),
        ({"lat": "", "long": ""}, 400, "400"),
        ({"long": ""}, 400, "400"),
        (OUTSIDE, 400, "400"),
        ({"lat": "nan"}, 400, "400"),
        ({"jurisdiction_id": "999999"}, 404, "404"),
        ({"description": "长" * 4001}, 400, "400"),
    ):
        response = post(client, o311, fmt=fmt, **fields)
        assert response.status_code == status, (fields, response.content)
        [error] = errors_of(response, fmt)
        assert str(error["code"]) == code and error["description"], fields
    for key in ("", "o311_wrong", "x" * 200):
        response = post(client, o311, fmt=fmt, key=key)
        assert response.status_code == 403 and str(errors_of(response, fmt)[0]["code"]) == "403"
    assert Case.objects.count() == cases


def test_address_only_places_the_case_at_the_jurisdiction(client, o311):
    response = post(client, o311, lat="", long="", address_string="街道A某路口", jurisdiction_id=o311.tree.street_a.code)
    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()[0]["service_request_id"]).region == o311.tree.street_a
    # a street's key may not post in the other street
    from civicgrid.open311 import actions
    raw, _ = actions.issue_key(actor=o311.admin, name="街道A", jurisdiction_code=o311.tree.street_a.code)
    response = post(client, o311, key=raw, jurisdiction_id=o311.tree.street_b.code)
    assert response.status_code == 403


def test_retry_with_the_same_key_makes_one_case(client, o311):
    first = post(client, o311, headers={"Idempotency-Key": "r-1"})
    again = post(client, o311, headers={"Idempotency-Key": "r-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    by_device = [post(client, o311, device_id="phone-7", client_request_id="42") for _ in range(2)]
    assert by_device[0].json() == by_device[1].json()
    assert Case.objects.filter(channel="open311").count() == 2


def test_rate_limit_per_key(client, o311):
    ApiKey.objects.filter(pk=o311.key_row.pk).update(rate_per_minute=2)
    assert [post(client, o311, description=f"第{i}件").status_code for i in range(2)] == [201, 201]
    refused = post(client, o311, description="第3件")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert errors_of(refused)[0]["code"] == 429


def test_revoked_key_is_refused(client, o311):
    client.force_login(o311.dispatcher)
    assert client.post(f"/api/v1/open311/keys/{o311.key_row.pk}/revoke").status_code == 403
    client.force_login(o311.admin)
    assert client.post(f"/api/v1/open311/keys/{o311.key_row.pk}/revoke").json()["is_active"] is False
    client.logout()
    assert post(client, o311).status_code == 403


def test_key_admin_api_shows_the_key_once(client, o311):
    client.force_login(o311.admin)
    issued = client.post("/api/v1/open311/keys", {"name": "第三方应用", "jurisdiction_id": o311.tree.street_b.code},
                         content_type="application/json")
    assert issued.status_code == 201
    raw = issued.json()["api_key"]
    assert raw.startswith("o311_") and issued.json()["jurisdiction_id"] == o311.tree.street_b.code
    listed = client.get("/api/v1/open311/keys").json()
    assert raw not in json.dumps(listed) and {k["name"] for k in listed} == {"随手拍", "第三方应用"}
    bad = client.post("/api/v1/open311/keys", {"name": "x", "jurisdiction_id": "000"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "jurisdiction_unknown"
    client.force_login(o311.dispatcher)
    assert client.get("/api/v1/open311/keys").status_code == 403


def test_requests_filters(client, o311):
    numbers = [post(client, o311, description=f"第{i}件").json()[0]["service_request_id"] for i in range(3)]
    listed = client.get(f"{BASE}/requests.json").json()
    validate("requests", listed)
    assert [r["service_request_id"] for r in listed] == numbers[::-1]
    picked = client.get(f"{BASE}/requests.json", {"service_request_id": f"{numbers[0]},{numbers[2]}",
                                                   "status": "closed"}).json()
    assert {r["service_request_id"] for r in picked} == {numbers[0], numbers[2]}  # the id list overrides the rest
    assert len(client.get(f"{BASE}/requests.json", {"status": "open"}).json()) == 3
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    assert len(client.get(f"{BASE}/requests.json", {"page_size": "2", "page": "2"}).json()) == 1
    assert client.get(f"{BASE}/requests.json", {"service_code": "0101"}).json() == []
    now = clock.now()
    before = (now - timedelta(hours=1)).isoformat(timespec="seconds")
    after = (now + timedelta(hours=1)).isoformat(timespec="seconds")
    assert client.get(f"{BASE}/requests.json", {"end_date": before}).json() == []
    assert len(client.get(f"{BASE}/requests.json", {"start_date": before, "end_date": after}).json()) == 3
    assert client.get(f"{BASE}/requests.json", {"updated_after": after}).json() == []
    for params in ({"start_date": "2026-01-01"}, {"start_date": "yesterday"},
                   {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
                   {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
                   {"status": "pending"}, {"page_size": "0"}, {"page": "x"}, {"updated_after": "x"}):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 400, params
        assert response.json()[0]["code"] == 400
    root = ElementTree.fromstring(client.get(f"{BASE}/requests.xml").content)
    assert [r.findtext("service_request_id") for r in root.findall("request")] == numbers[::-1]
    assert client.get(f"{BASE}/requests/nope.json").status_code == 404
    assert client.get(f"{BASE}/tokens/abc.json").status_code == 404
    assert client.get(f"{BASE}/requests.html").status_code == 404


def test_only_published_case_types_are_listed(client, o311, settings):
    number = post(client, o311).json()[0]["service_request_id"]
    Case.objects.filter(number=number).update(case_type="dispute")
    assert client.get(f"{BASE}/requests.json").json() == []
    assert client.get(f"{BASE}/requests/{number}.json").status_code == 404


def test_updates_feed(client, o311):
    number = post(client, o311).json()[0]["service_request_id"]
    updates = client.get(f"{BASE}/servicerequestupdates.json").json()
    assert [(u["service_request_id"], u["status"]) for u in updates] == [(number, "FOR_TRIAGE")]
    assert updates[0]["update_id"].isdigit()
    root = ElementTree.fromstring(client.get(f"{BASE}/servicerequestupdates.xml").content)
    assert root.tag == "service_request_updates" and root.findtext("request_update/service_request_id") == number


def test_every_state_of_a_published_workflow_is_mapped(settings):
    for case_type, states in mapping.STATES.items():
        assert set(states) == {s.key for s in registry.get(case_type).states}, case_type
        assert set(states.values()) <= {mapping.FOR_TRIAGE, mapping.OPEN, mapping.INVESTIGATING, mapping.IN_PROGRESS,
                                        mapping.ACTION_SCHEDULED, mapping.FIXED} | mapping.CLOSING
    assert set(settings.OPEN311_CASE_TYPES) <= set(mapping.STATES)


def test_client_updates_are_kept_once_and_told_to_the_handlers(client, o311):
    from civicgrid.cases.actions import transition_case
    from civicgrid.cases.models import Notification
    from civicgrid.open311.models import ClientUpdate
    from civicgrid.testing import make_user

    number = post(client, o311).json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    transition_case(actor=o311.dispatcher, case_id=case.pk, action="file")
    transition_case(actor=o311.dispatcher, case_id=case.pk, action="dispatch", facts={"department": "CGJ"})
    handler = make_user("hdl", "department_handler", department=case.__class__.objects.get(pk=case.pk).department)
    body = {"api_key": o311.key, "service_request_id": number, "update_id": "fms-77", "status": "still open",
            "description": "垃圾还在,已经三天了", "updated_datetime": "2026-12-06T10:00:00+08:00"}
    first = client.post(f"{BASE}/servicerequestupdates.json", body)
    again = client.post(f"{BASE}/servicerequestupdates.xml", body)
    assert (first.status_code, again.status_code) == (400, 400)  # "STILL_OPEN" is no extended state
    body["status"] = "investigating"
    first = client.post(f"{BASE}/servicerequestupdates.json", body)
    again = client.post(f"{BASE}/servicerequestupdates.json", body)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    update = ClientUpdate.objects.get()
    assert (update.case, update.status, update.description) == (case, "INVESTIGATING", "垃圾还在,已经三天了")
    assert Notification.objects.filter(user=handler, kind="open311_update").count() == 1
    case.refresh_from_db()
    assert case.state == "dispatched"  # a client's update never moves the case
    for fields, status in (({"service_request_id": "nope"}, 404), ({"update_id": ""}, 400), ({"api_key": "x"}, 403)):
        assert client.post(f"{BASE}/servicerequestupdates.json", {**body, **fields}).status_code == status


def test_client_updates_show_on_the_case_page_for_staff_escaped(client, o311):
    from django.utils import timezone

    from civicgrid.open311.models import ClientUpdate

    number = post(client, o311).json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    page = f"/cases/{case.pk}/"
    client.force_login(o311.dispatcher)
    assert 'id="open311-updates"' not in client.get(page).content.decode()  # nothing posted: no section
    for update_id, fields in (("fms-1", {"description": "<script>alert(1)</script>垃圾还在\n第二行",
                                         "updated_datetime": "2026-12-06T10:00:00+08:00",
                                         "media_url": "javascript:alert(2)"}),
                              ("fms-2", {"status": "fixed", "media_url": "https://fms.example/p/1.jpg"})):
        body = {"api_key": o311.key, "service_request_id": number, "update_id": update_id, **fields}
        assert client.post(f"{BASE}/servicerequestupdates.json", body).status_code == 201
    first, second = ClientUpdate.objects.order_by("id")
    html = client.get(page).content.decode()
    section = html[html.index('id="open311-updates"'):]
    section = section[:section.index("</section>")]
    assert section.count("随手拍") == 2  # the client application's name on each update
    assert "&lt;script&gt;alert(1)&lt;/script&gt;垃圾还在<br>第二行" in section and "<script>alert" not in section
    assert f"{timezone.localtime(first.created_at):%Y-%m-%d %H:%M}" in section
    assert "2026-12-06 10:00" in section  # the client's own time
    assert 'href="javascript:' not in section and "javascript:alert(2)" in section  # shown, never a link
    assert 'href="https://fms.example/p/1.jpg"' in section and ">FIXED<" in section
    assert section.index('data-open311-update="fms-1"') < section.index('data-open311-update="fms-2"')
    assert second.case_id == case.pk


def test_input_the_guard_refuses_answers_in_the_open311_error_format(client, o311):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}?service_code=01%0002")
        assert response.status_code == 400
        [error] = errors_of(response, fmt)
        assert str(error["code"]) == "400" and error["description"].startswith("nul_byte")
    response = post(client, o311, description="a\x00b")
    assert response.status_code == 400 and errors_of(response)[0]["description"].startswith("nul_byte")


def test_a_method_an_endpoint_does_not_take_answers_405_in_the_error_format(client, o311):
    response = client.delete(f"{BASE}/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert errors_of(response) == [{"code": 405, "description": "method DELETE is not allowed here"}]
    response = client.put(f"{BASE}/requests.xml")
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
    assert errors_of(response, "xml")[0]["code"] == "405"


def test_last_used_is_kept_to_the_minute_without_a_write_per_request(client, o311):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert post(client, o311).status_code == 201
    first = ApiKey.objects.get(pk=o311.key_row.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as seen:
        assert post(client, o311, description="一分钟内第二件").status_code == 201
    assert not [q for q in seen.captured_queries if "last_used_at" in q["sql"] and "UPDATE" in q["sql"]]
    assert ApiKey.objects.get(pk=o311.key_row.pk).last_used_at == first
    with clock.at(clock.now() + timedelta(minutes=2)):
        assert post(client, o311, description="两分钟后").status_code == 201
    assert ApiKey.objects.get(pk=o311.key_row.pk).last_used_at > first
