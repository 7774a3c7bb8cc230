"""The enterprise API (/api/v1/enterprises): the list shape and scope, 404 outside reach, 403 for the
leader's writes, bad input with its codes and nothing written, Idempotency-Key on creates, the public
approvals catalogue, metrics reads audit-logged, pre-check reports keeping their rule-set version."""

from datetime import date

import pytest

from civicgrid.core.models import AuditEvent
from civicgrid.enterprises import actions
from civicgrid.enterprises.models import Enterprise, Patent, PrecheckReport, Qualification, RuleSetVersion
from civicgrid.enterprises.precheck import shipped
from civicgrid.enterprises.tests.conftest import make_uscc

pytestmark = pytest.mark.django_db

API = "/api/v1/enterprises"


def call(client, user, method, path, body=None, **headers):
    client.force_login(user)
    if method == "get":
        return client.get(API + path, body or {})
    return getattr(client, method)(API + path, body or {}, content_type="application/json", headers=headers)


def enterprise_body(seq: int, **extra) -> dict:
    return {"uscc": make_uscc(seq), "name": f"接口企业{seq}", "park": "PA", "industry_code": "C2614", **extra}


def test_list_is_scoped_and_in_the_house_shape(client, zworld):
    w = zworld
    body = call(client, w.officer_a, "get", "/enterprises").json()
    assert set(body) == {"count", "items", "next"} and body["count"] == 1
    assert body["items"][0]["uscc"] == w.ent_a.uscc and "is_abnormal_operation" not in body["items"][0]
    assert call(client, w.officer_zone, "get", "/enterprises").json()["count"] == 2
    assert call(client, w.contact_b, "get", "/enterprises").json()["count"] == 1
    assert call(client, w.resident, "get", "/enterprises").json()["count"] == 0


@pytest.mark.parametrize("who", ["officer_b", "contact_b", "resident"])
def test_outside_reach_is_404_everywhere(client, zworld, who):
    w = zworld
    user = getattr(w, who)
    pk = w.ent_a.pk
    before = (Enterprise.objects.get(pk=pk).name, Qualification.objects.count(), Patent.objects.count())
    for method, path, body in [
        ("get", f"/enterprises/{pk}", None),
        ("get", f"/enterprises/{pk}/metrics", None),
        ("get", f"/enterprises/{pk}/qualifications", None),
        ("get", f"/enterprises/{pk}/patents", None),
        ("get", f"/enterprises/{pk}/precheck", None),
        ("put", f"/enterprises/{pk}", enterprise_body(1, name="改名")),
        ("put", f"/enterprises/{pk}/metrics/2024", {"staff": 10}),
        ("post", f"/enterprises/{pk}/qualifications", {"kind": "tech_sme", "issued_on": "2024-04-01"}),
        ("post", f"/enterprises/{pk}/patents", {"kind": "invention", "number": "201710601862.3", "title": "x",
                                                "granted_on": "2019-01-01"}),
        ("post", f"/enterprises/{pk}/credit-flags", {"is_abnormal_operation": True}),
    ]:
        response = call(client, user, method, path, body)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"
    assert (Enterprise.objects.get(pk=pk).name, Qualification.objects.count(), Patent.objects.count()) == before


def test_leader_reads_and_gets_403_on_writes(client, zworld):
    w = zworld
    pk = w.ent_a.pk
    assert call(client, w.leader, "get", f"/enterprises/{pk}").status_code == 200
    assert call(client, w.leader, "get", f"/enterprises/{pk}/metrics").status_code == 200
    for method, path, body in [
        ("post", "/enterprises", enterprise_body(8)),
        ("put", f"/enterprises/{pk}", enterprise_body(1, name="改名")),
        ("put", f"/enterprises/{pk}/metrics/2024", {"staff": 10}),
        ("post", f"/enterprises/{pk}/qualifications", {"kind": "tech_sme", "issued_on": "2024-04-01"}),
        ("post", f"/enterprises/{pk}/credit-flags", {"is_abnormal_operation": True}),
        ("post", f"/enterprises/{pk}/precheck", None),
    ]:
        response = call(client, w.leader, method, path, body)
        assert response.status_code == 403, (method, path)
    assert Enterprise.objects.count() == 2 and not Enterprise.objects.get(pk=pk).is_abnormal_operation


@pytest.mark.parametrize(("body", "code"), [
    ({"uscc": "9111010855138508"}, "uscc_length"),
    ({"uscc": "91110108551385I82Q"}, "uscc_forbidden_character"),
    ({"uscc": "91110108551385082A"}, "uscc_check_character"),
    ({"industry_code": "Z9999"}, "industry_code_unknown"),
    ({"park": "NOPE"}, "park_unknown"),
])
def test_register_bad_input_codes(client, zworld, body, code):
    response = call(client, zworld.officer_a, "post", "/enterprises", enterprise_body(20, **body))
    assert response.status_code == 422 and response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "details"}
    assert Enterprise.objects.count() == 2


def test_register_with_idempotency_key(client, zworld):
    first = call(client, zworld.officer_a, "post", "/enterprises", enterprise_body(21), **{"Idempotency-Key": "r-21"})
    again = call(client, zworld.officer_a, "post", "/enterprises", enterprise_body(21), **{"Idempotency-Key": "r-21"})
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Enterprise.objects.filter(uscc=make_uscc(21)).count() == 1
    assert first.json()["industry_code"] == "C2614"


def test_metrics_codes_and_audited_reads(client, zworld):
    w = zworld
    pk = w.ent_a.pk
    bad = call(client, w.contact_a, "put", f"/enterprises/{pk}/metrics/2024", {"staff": -3})
    assert bad.status_code == 422 and bad.json()["code"] == "metrics_negative"
    share = call(client, w.contact_a, "put", f"/enterprises/{pk}/metrics/2024", {"revenue": "100", "rd_expense": "101"})
    assert share.status_code == 422 and share.json()["code"] == "metrics_share_above_100"
    ok = call(client, w.contact_a, "put", f"/enterprises/{pk}/metrics/2024", {"revenue": "20000000", "staff": 50})
    assert ok.status_code == 200 and ok.json()["reported_by"] == "contact_a"
    before = AuditEvent.objects.filter(action="enterprises.read_metrics").count()
    body = call(client, w.officer_a, "get", f"/enterprises/{pk}/metrics").json()
    assert body["items"][0]["staff"] == 50 and body["credit"] == {"is_abnormal_operation": False,
                                                                  "is_serious_violation": False}
    assert AuditEvent.objects.filter(action="enterprises.read_metrics").count() == before + 1


def test_qualification_and_patent_codes(client, zworld):
    w = zworld
    pk = w.ent_a.pk
    bad = call(client, w.officer_a, "post", f"/enterprises/{pk}/qualifications",
               {"kind": "high_tech_enterprise", "issued_on": "2024-05-01", "valid_until": "2024-04-01"})
    assert bad.status_code == 422 and bad.json()["code"] == "valid_until_before_issue"
    ok = call(client, w.officer_a, "post", f"/enterprises/{pk}/qualifications",
              {"kind": "high_tech_enterprise", "issued_on": "2024-05-01"}, **{"Idempotency-Key": "q1"})
    assert ok.status_code == 201 and ok.json()["valid_until"] == "2027-04-30"
    again = call(client, w.officer_a, "post", f"/enterprises/{pk}/qualifications",
                 {"kind": "high_tech_enterprise", "issued_on": "2024-05-01"}, **{"Idempotency-Key": "q1"})
    assert again.json()["id"] == ok.json()["id"] and Qualification.objects.count() == 1
    wrong = call(client, w.officer_a, "post", f"/enterprises/{pk}/patents",
                 {"kind": "design", "number": "201710601862.3", "title": "外观", "granted_on": "2019-01-01"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "patent_type_digit"
    assert Patent.objects.count() == 0


def test_record_days_outside_1900_to_2099_are_422_and_old_ones_are_kept(client, zworld):
    w = zworld
    pk = w.ent_a.pk
    for body in ({"kind": "high_tech_enterprise", "issued_on": "0001-01-01"},
                 {"kind": "high_tech_enterprise", "issued_on": "2024-05-01", "valid_until": "9999-12-31"}):
        answer = call(client, w.officer_a, "post", f"/enterprises/{pk}/qualifications", body)
        assert (answer.status_code, answer.json()["code"]) == (422, "invalid_input")
    assert Qualification.objects.count() == 0
    old = call(client, w.officer_a, "post", f"/enterprises/{pk}/patents",
               {"kind": "invention", "number": "201710601862.3", "title": "一种芳烃分离装置", "granted_on": "1998-06-01"})
    assert old.status_code == 201 and old.json()["granted_on"] == "1998-06-01"


def test_approvals_catalogue_is_public(client, zworld):
    actions.save_approval_item(actor=zworld.admin, data=actions.ApprovalInput(
        code="GX-1", name="建筑工程施工许可证核发", department="GXJFJ", statutory_days=7, promised_days=3,
        materials=["施工合同"], legal_basis="《中华人民共和国建筑法》第七条"))
    client.logout()
    body = client.get(API + "/approvals", {"q": "施工"}).json()
    assert body["count"] == 1 and body["items"][0]["promised_days"] == 3
    assert client.get(API + "/approvals/GX-1").status_code == 200
    assert client.get("/enterprises/approvals/?q=施工").status_code == 200
    assert client.get(API + "/enterprises").status_code == 401


def test_a_past_report_keeps_its_ruleset_version(client, zworld):
    w = zworld
    actions.seed_rulesets(actor=w.admin)
    assert actions.seed_rulesets(actor=w.admin) == []  # nothing changed: nothing published again
    actions.report_metrics(actor=w.officer_a, enterprise_id=w.ent_a.pk, year=date.today().year - 1,
                           values={"revenue": "30000000", "staff": 60, "tech_staff": 12, "rd_expense": "1500000"})
    first = call(client, w.officer_a, "post", f"/enterprises/{w.ent_a.pk}/precheck")
    assert first.status_code == 201
    tiers = {r["tier"]: r for r in first.json()}
    assert set(tiers) == set(shipped.data()) and all(r["ruleset_version"] == 1 for r in tiers.values())
    old = PrecheckReport.objects.get(pk=tiers["tech_sme"]["id"])
    rules = dict(shipped.data()["tech_sme"], name="科技型中小企业(新版)")
    published = actions.publish_ruleset(actor=w.admin, rules=rules, note="测试新版本")
    assert published.version == 2
    with pytest.raises(Exception):  # noqa: B017 — only an admin publishes
        actions.publish_ruleset(actor=w.officer_a, rules=rules)
    call(client, w.officer_a, "post", f"/enterprises/{w.ent_a.pk}/precheck")
    old.refresh_from_db()
    assert old.ruleset.version == 1
    latest = {r["tier"]: r for r in call(client, w.officer_a, "get", f"/enterprises/{w.ent_a.pk}/precheck").json()}
    assert latest["tech_sme"]["ruleset_version"] == 2 and latest["high_tech_enterprise"]["ruleset_version"] == 1
    assert RuleSetVersion.objects.filter(tier="tech_sme").count() == 2


def test_bad_ruleset_is_refused(zworld):
    from civicgrid.core import errors

    with pytest.raises(errors.ValidationFailed) as exc:
        actions.publish_ruleset(actor=zworld.admin, rules={"tier": "x", "name": "x", "criteria": [{"bogus": 1}]})
    assert exc.value.code == "ruleset_invalid"


def test_admin_catalogue_routes(client, zworld):
    w = zworld
    kind = call(client, w.admin, "post", "/qualification-kinds", {"code": "city_gazelle", "name": "市级瞪羚企业",
                                                                  "level": "city", "validity_years": 2})
    assert kind.status_code == 201 and kind.json()["validity_years"] == 2
    assert call(client, w.officer_zone, "post", "/qualification-kinds",
                {"code": "x", "name": "x", "level": "city"}).status_code == 403
    item = call(client, w.admin, "put", "/approvals/GX-9", {"name": "施工许可", "department": "GXJFJ",
                                                             "statutory_days": 7, "promised_days": 9})
    assert item.status_code == 422 and item.json()["code"] == "promised_exceeds_statutory"
    area = call(client, w.admin, "post", "/zone/areas", {"effective_from": "2010-11-01", "area_km2": "31.04"})
    assert area.status_code == 201
    rules = dict(shipped.data()["little_giant"])
    published = call(client, w.admin, "post", "/rulesets", {"rules": rules, "note": "首版"})
    assert published.status_code == 201 and published.json()["version"] == 1
    bad = call(client, w.admin, "post", "/rulesets", {"rules": {"tier": "x"}})
    assert bad.status_code == 422 and bad.json()["code"] == "ruleset_invalid"
    assert [r["tier"] for r in call(client, w.leader, "get", "/rulesets").json()] == ["little_giant"]
    assert call(client, w.leader, "post", "/rulesets", {"rules": rules}).status_code == 403
