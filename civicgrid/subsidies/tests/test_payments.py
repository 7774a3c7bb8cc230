"""Disbursements one by one through the API: persons encrypted, masked, linked to residents; bad input."""

from decimal import Decimal

import pytest

from civicgrid.core.models import AuditEvent
from civicgrid.people.models import Resident, id_number_hash
from civicgrid.subsidies.models import Beneficiary, Disbursement
from civicgrid.subsidies.tests.conftest import bad_checksum, person_id

URL = "/api/v1/subsidies/disbursements"


def _body(**extra):
    return {"programme": "unemployment_insurance", "amount": "1576.00", "currency": "CNY", "paid_on": "2026-03-16",
            "name": "王小明", "id_number": person_id(11), **extra}


@pytest.fixture
def rsj(client, sworld):
    client.force_login(sworld.rsj_officer)
    return client


def test_a_person_is_paid_encrypted_masked_and_linked_to_the_resident(rsj, sworld):
    resident = Resident.objects.create(region=sworld.tree.micro_a, name="王小明", gender="M", id_number=person_id(11),
                                       id_number_hash=id_number_hash(person_id(11)))
    response = rsj.post(URL, _body(), content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person_name"], body["id_number"], body["resident_linked"], body["can_reveal"]) == (
        "王**", "2****************" + person_id(11)[-1], True, True)
    assert Decimal(body["amount"]) == Decimal("1576.00") and body["currency"] == "CNY"
    beneficiary = Beneficiary.objects.get()
    assert beneficiary.resident_id == resident.pk
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM subsidies_beneficiary")
        assert person_id(11) not in cursor.fetchone()[0]  # encrypted at rest
    again = rsj.post(URL, _body(), content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json()["id"] == body["id"] and Disbursement.objects.count() == 1
    reveal = rsj.post(f"{URL}/{body['id']}/reveal", {"reason": "核对发放账户"}, content_type="application/json")
    assert reveal.json() == {"id_number": person_id(11)}
    event = AuditEvent.objects.get(action="subsidies.reveal_recipient")
    assert (event.reason, event.fields, event.object_type) == ("核对发放账户", "id_number", "subsidies.beneficiary")


@pytest.mark.parametrize("change, status, code", [
    ({"id_number": bad_checksum(person_id(11))}, 422, "id_number_checksum"),
    ({"currency": None}, 422, "currency_required"),
    ({"currency": ""}, 422, "currency_required"),
    ({"currency": "USD"}, 422, "currency_mismatch"),
    ({"programme": "no_such_programme"}, 422, "programme_unknown"),
    ({"amount": "-5"}, 422, "amount_invalid"),
    ({"amount": None}, 422, "amount_invalid"),
    ({"paid_on": "2099-01-01"}, 422, "paid_on_future"),
    ({"name": ""}, 422, "name_required"),
])
def test_bad_input_is_a_clear_422_and_writes_nothing(rsj, change, status, code):
    response = rsj.post(URL, _body(**change), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["message"]
    assert not Disbursement.objects.exists() and not Beneficiary.objects.exists()


def test_same_id_number_under_another_name_is_refused(rsj):
    assert rsj.post(URL, _body(), content_type="application/json").status_code == 201
    response = rsj.post(URL, _body(name="李四"), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "beneficiary_name_mismatch")
    assert Disbursement.objects.count() == 1


def test_enterprise_payment_and_unknown_enterprise(rsj, sworld):
    body = {"programme": "job_stabilisation_refund", "amount": "6000", "currency": "人民币", "paid_on": "2026-03-16",
            "uscc": sworld.ent_a.uscc}
    response = rsj.post(URL, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["enterprise_name"] == sworld.ent_a.name
    response = rsj.post(URL, {**body, "uscc": "91211004MA0QX0X00Q"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "enterprise_unknown")


def test_reveal_needs_a_reason_and_the_permission(client, rsj, sworld):
    pk = rsj.post(URL, _body(), content_type="application/json").json()["id"]
    assert rsj.post(f"{URL}/{pk}/reveal", {"reason": ""}, content_type="application/json").status_code == 422
    client.force_login(sworld.leader)  # sees the disbursement, may not unmask
    shown = client.get(f"{URL}/{pk}").json()
    assert shown["can_reveal"] is False and "*" in shown["id_number"]
    response = client.post(f"{URL}/{pk}/reveal", {"reason": "看看"}, content_type="application/json")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="subsidies.reveal_recipient").exists()
