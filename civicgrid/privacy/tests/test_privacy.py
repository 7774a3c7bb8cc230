"""PIPL rights end to end: a resident's copy, a staff copy on their behalf, correction through the case
loop, anonymisation after retention with the case chain still verifying, and the inventory."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from civicgrid.cases import actions as case_actions
from civicgrid.cases.chain import verify_case
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.tests.conftest import world  # noqa: F401  (fixture)
from civicgrid.cases.tests.test_integrity import submit
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.models import AuditEvent
from civicgrid.ops.manifest import stored_models
from civicgrid.privacy import actions
from civicgrid.privacy.inventory import ENTRIES
from civicgrid.testing import make_user


def close_long_ago(world, case):  # noqa: F811 (the world fixture is imported)
    Case.objects.filter(pk=case.pk).update(is_open=False, state="closed",
                                           closed_at=timezone.now() - timedelta(days=6 * 365))


@pytest.mark.django_db
def test_a_resident_downloads_everything_held_about_them(client, world):  # noqa: F811
    world.resident.phone = "13912345678"
    world.resident.save()
    case = submit(world)
    client.force_login(world.resident)
    data = json.loads(client.get("/privacy/my-data.json").content)
    sections = {s["key"]: s for s in data["sections"]}
    assert sections["account"]["rows"][0][2] == "13912345678"  # their own phone, in full: it is their copy
    assert [row[0] for row in sections["cases"]["rows"]] == [case.number]
    pdf = client.get("/privacy/my-data.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(pdf.content)).pages)
    assert case.number in text and "个人信息副本" in text
    assert AuditEvent.objects.filter(action="privacy.export_own", actor=world.resident).count() == 2


@pytest.mark.django_db
def test_another_residents_cases_are_not_in_my_copy(world):  # noqa: F811
    submit(world)
    data = actions.export_own_data(actor=world.resident_b)
    assert {s["key"]: s["rows"] for s in data["sections"]}["cases"] == []


@pytest.mark.django_db
def test_staff_export_needs_the_permission_and_a_reason(client, world):  # noqa: F811
    security = make_user("sec", "security_admin", world.tree.district)
    client.force_login(world.dispatcher)
    assert client.get("/privacy/subject-export/").status_code == 403
    client.force_login(security)
    short = client.post("/privacy/subject-export/", {"username": "res", "reason": "要", "format": "json"})
    assert short.status_code == 422
    ok = client.post("/privacy/subject-export/", {"username": "res", "reason": "书面申请 2026-118", "format": "json"})
    assert ok.status_code == 200 and json.loads(ok.content)["subject"]["username"] == "res"
    entry = AuditEvent.objects.get(action="privacy.export_subject")
    assert entry.actor == security and entry.reason == "书面申请 2026-118"


@pytest.mark.django_db
def test_a_correction_request_becomes_a_case_on_the_citizen_request_loop(client, world):  # noqa: F811
    client.force_login(world.resident)
    response = client.post("/privacy/correction/", {"section": "account", "wrong": "姓名写错了",
                                                    "wanted": "张三丰", "idempotency_key": "corr-1"})
    case = Case.objects.get(category__code="3090")
    assert response.status_code == 302 and case.reporter == world.resident
    assert case.case_type == "citizen_request" and "张三丰" in case.description


@pytest.mark.django_db
def test_anonymisation_after_retention_keeps_the_case_and_its_chain(world):  # noqa: F811
    case = submit(world)
    case_actions.transition_case(actor=world.dispatcher, case_id=case.pk, action="dispatch",
                                 facts={"department": "CGJ"})
    Case.objects.filter(pk=case.pk).update(reporter_name="李四", reporter_phone="13800000000")
    fresh = submit(world, idempotency_key="fresh")
    close_long_ago(world, case)
    done = actions.anonymise_expired()
    assert done["cases"] == 1
    case.refresh_from_db()
    assert (case.reporter_id, case.reporter_name, case.reporter_phone) == (None, "", "")
    reporter_events = CaseEvent.objects.filter(case=case, seq=1).get()
    assert reporter_events.actor_id is None and reporter_events.actor_name == "已匿名"
    assert CaseEvent.objects.filter(case=case).last().action == "anonymise"
    assert verify_case(case) is None  # the chain still verifies, tombstone included
    fresh.refresh_from_db()
    assert fresh.reporter_id == world.resident.pk  # open and recent: untouched
    assert actions.anonymise_expired()["cases"] == 0  # nothing left to do: a second run changes nothing


@pytest.mark.django_db
def test_a_tampered_event_is_still_caught_after_anonymisation(world):  # noqa: F811
    case = submit(world)
    case_actions.transition_case(actor=world.dispatcher, case_id=case.pk, action="dispatch",
                                 facts={"department": "CGJ"})
    close_long_ago(world, case)
    actions.anonymise_expired()
    CaseEvent.objects.filter(case=case, seq=2).update(comment="改过")  # the dispatcher's event, not redacted
    assert verify_case(case) == 2


@pytest.mark.django_db
def test_switched_off_resident_accounts_are_anonymised_staff_are_not(world):  # noqa: F811
    old = timezone.now() - timedelta(days=4 * 365)
    for user in (world.resident_b, world.handler):
        type(user).objects.filter(pk=user.pk).update(is_active=False, date_joined=old, last_login=old,
                                                     phone="13700000000")
    assert actions.anonymise_expired()["accounts"] == 1
    world.resident_b.refresh_from_db()
    world.handler.refresh_from_db()
    assert world.resident_b.username.startswith("anon-") and world.resident_b.phone == ""
    assert not world.resident_b.has_usable_password()
    assert world.handler.username == "hdl"


def test_every_encrypted_field_is_in_the_inventory():
    listed = {(e.model, e.field) for e in ENTRIES}
    encrypted = {(m._meta.label, f.name) for m in stored_models() for f in m._meta.concrete_fields
                 if isinstance(f, EncryptedTextField)}
    assert encrypted - listed == set()


@pytest.mark.django_db
def test_the_inventory_page_names_purposes_and_readers(client, world):  # noqa: F811
    client.force_login(world.resident)
    text = client.get("/privacy/inventory/").content.decode()
    assert "身份证号(加密,掩码显示)" in text and "网格服务与走访" in text
    row = next(r for r in text.split("<tr>") if "居民电话" in r)
    assert "网格员" in row and "<td>居民、" not in row  # unmasking is field work's, never another resident's
    assert "resident" not in text
