"""Online service requests through the service_request workflow, 补正, 公对公, delivery and 好差评."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.models import Case, CaseEvent, FollowUp
from civicgrid.core import errors
from civicgrid.publicservice.actions import requests
from civicgrid.publicservice.actions.requests import RequestInput
from civicgrid.publicservice.models import Material, ServiceRequest
from civicgrid.publicservice.tests.conftest import PDF, png


def apply(ps, **kw):
    data = {"item_code": "HK01", "office_code": "PCS1", "applicant_name": "张三", "phone": "13800000001",
            "answers": {"reason": "遗失"}, "uploads": {"id_card": png()}, "delivery": "mail",
            "mail_address": "浦东新区世纪大道100号", "mail_city": "上海市", **kw}
    return requests.apply(actor=ps.resident, data=RequestInput(**data))[0]


def test_apply_goes_to_the_office_with_cleaned_materials(ps):
    sr = apply(ps, uploads={"id_card": png(), "statement": PDF})
    assert sr.case.state == "received" and sr.case.department == ps.police.department
    assert sr.case.case_type == "service_request" and sr.case.reporter == ps.resident
    kinds = sorted(Material.objects.filter(request=sr).values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "image/png"]


@pytest.mark.parametrize(("uploads", "code"), [
    ({"id_card": b"GIF89a fake"}, "material_type_unsupported"),
    ({"id_card": b"MZ\x90\x00 an exe renamed .pdf"}, "material_type_unsupported"),
    ({"statement": PDF}, "material_required"),
    ({"id_card": png(), "other": PDF}, "material_unknown"),
])
def test_bad_materials_are_refused_and_nothing_is_written(ps, uploads, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        apply(ps, uploads=uploads)
    assert exc.value.code == code
    assert Case.objects.count() == 0 and ServiceRequest.objects.count() == 0


def test_too_large_material_is_refused(ps, settings):
    settings.PUBLICSERVICE_MAX_MATERIAL_BYTES = 100
    with pytest.raises(errors.ValidationFailed) as exc:
        apply(ps, uploads={"id_card": PDF + b" " * 200})
    assert exc.value.code == "material_too_large" and Case.objects.count() == 0


def test_mail_needs_an_address(ps):
    with pytest.raises(errors.ValidationFailed) as exc:
        apply(ps, mail_address="")
    assert exc.value.code == "mail_address_required"


def test_full_journey_with_correction_cross_office_document_and_mail(ps):
    sr = apply(ps)
    requests.accept(actor=ps.clerk, request_id=sr.pk)
    sr.refresh_from_db()
    promised = sr.promised_at
    assert sr.case.state == "reviewing" and promised is not None
    requests.request_correction(actor=ps.clerk, request_id=sr.pk, note="请补充遗失说明")
    with pytest.raises(errors.NotFound):
        requests.supplement(actor=ps.resident_b, request_id=sr.pk, uploads={"statement": PDF})
    requests.supplement(actor=ps.resident, request_id=sr.pk, uploads={"statement": PDF})
    sr.refresh_from_db()
    assert sr.case.state == "reviewing" and sr.promised_at >= promised
    requests.approve(actor=ps.clerk, request_id=sr.pk)
    doc = requests.request_document(actor=ps.clerk, request_id=sr.pk, department_code=ps.social.department.code,
                                    document="参保证明")
    with pytest.raises(errors.Conflict) as exc:
        requests.conclude(actor=ps.clerk, request_id=sr.pk, result="户口簿已补办")
    assert exc.value.code == "documents_pending"
    with pytest.raises(errors.NotFound):
        requests.provide_document(actor=ps.clerk, document_id=doc.pk, reply="x")  # not addressed to them
    requests.provide_document(actor=ps.clerk_b, document_id=doc.pk, reply="已核实")
    requests.conclude(actor=ps.clerk, request_id=sr.pk, result="户口簿已补办")
    with pytest.raises(errors.ValidationFailed) as exc:
        requests.deliver(actor=ps.clerk, request_id=sr.pk)
    assert exc.value.code == "tracking_number_required"
    requests.deliver(actor=ps.clerk, request_id=sr.pk, tracking_number="SF1234567890")
    requests.rate(actor=ps.resident, request_id=sr.pk, satisfaction=5)
    sr.refresh_from_db()
    assert sr.case.state == "closed" and sr.tracking_number == "SF1234567890" and sr.case.satisfaction == 5
    actions = list(CaseEvent.objects.filter(case=sr.case).values_list("action", flat=True))
    assert actions == ["submit", "assign_office", "accept", "request_correction", "supplement", "approve",
                       "request_document", "provide_document", "conclude", "deliver", "rate", "close"]


def test_correction_after_its_deadline_is_refused_and_lapses(ps):
    sr = apply(ps)
    requests.accept(actor=ps.clerk, request_id=sr.pk)
    requests.request_correction(actor=ps.clerk, request_id=sr.pk, note="缺遗失说明")
    ServiceRequest.objects.filter(pk=sr.pk).update(correction_due_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(errors.ValidationFailed) as exc:
        requests.supplement(actor=ps.resident, request_id=sr.pk, uploads={"statement": PDF})
    assert exc.value.code == "correction_overdue"
    assert Material.objects.filter(request=sr).count() == 1
    assert requests.lapse_corrections() == 1
    sr.refresh_from_db()
    assert sr.case.state == "lapsed" and not sr.case.is_open


def test_bad_rating_needs_call_back_and_rectification(ps):
    sr = apply(ps, delivery="counter", mail_address="", mail_city="")
    for step in (requests.accept, requests.approve):
        step(actor=ps.clerk, request_id=sr.pk)
    requests.conclude(actor=ps.clerk, request_id=sr.pk, result="已补办")
    requests.deliver(actor=ps.clerk, request_id=sr.pk)
    requests.rate(actor=ps.resident, request_id=sr.pk, satisfaction=1, comment="跑了两趟")
    with pytest.raises(errors.Conflict) as exc:
        requests.archive(actor=ps.clerk, request_id=sr.pk)
    assert exc.value.code == "bad_rating_needs_call_back"
    requests.call_back(actor=ps.clerk, request_id=sr.pk, method="phone", comment="已致歉,约定上门送达")
    sr.refresh_from_db()
    assert sr.case.state == "rectifying" and sr.case.rework_count == 1
    requests.finish_rectification(actor=ps.clerk, request_id=sr.pk, comment="已整改")
    sr.refresh_from_db()
    assert sr.case.state == "closed" and FollowUp.objects.filter(case=sr.case, method="phone").count() == 1


def test_other_office_and_other_resident_cannot_see_a_request(ps):
    sr = apply(ps)
    with pytest.raises(errors.NotFound):
        requests.accept(actor=ps.clerk_b, request_id=sr.pk)
    with pytest.raises(errors.NotFound):
        requests.withdraw(actor=ps.resident_b, request_id=sr.pk, reason="x")
    sr.refresh_from_db()
    assert sr.case.state == "received" and sr.case.event_count == 2


def test_generic_case_steps_cannot_bypass_the_request_rows(ps):
    from civicgrid.cases.actions import transition_case

    sr = apply(ps)
    with pytest.raises(errors.Conflict) as exc:
        transition_case(actor=ps.clerk, case_id=sr.case_id, action="accept")
    assert exc.value.code == "case_managed_by_app"
    sr.refresh_from_db()
    assert sr.case.state == "received" and sr.promised_at is None


def test_the_fast_look_up_agrees_with_the_scoped_query(ps):
    from civicgrid.publicservice.actions._common import REQUEST_RELATED
    from civicgrid.testing import fetch_disagreements, make_user

    shared = apply(ps)  # the police office's, with a document asked of the social-insurance office (公对公)
    requests.accept(actor=ps.clerk, request_id=shared.pk)
    requests.approve(actor=ps.clerk, request_id=shared.pk)
    requests.request_document(actor=ps.clerk, request_id=shared.pk, department_code=ps.social.department.code,
                              document="参保证明")
    other = requests.apply(actor=ps.resident_b, data=RequestInput(
        item_code="SB01", office_code="SBS1", applicant_name="李四", phone="13800000002",
        answers={"reason": "遗失"}, uploads={"id_card": png()}))[0]
    users = [ps.admin, ps.resident, ps.resident_b, ps.clerk, ps.clerk_b, ps.dispatcher, ps.leader,
             make_user("ps_grid", "grid_worker", ps.tree.grid_a), make_user("ps_none")]
    ids = [shared.pk, other.pk, other.pk + 1000, "x"]
    assert fetch_disagreements(ServiceRequest, users, ids, REQUEST_RELATED) == []
    assert fetch_disagreements(ServiceRequest, users, ids, REQUEST_RELATED, "publicservice.handle_request") == []
