"""Evidence at workflow steps: upload then reference, the same checks as intake photos, the spec's
requirement enforced (422 attachments_required), who may attach, the case page's before/after columns."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Attachment, Case, CaseEvent
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.cases.tests.test_photos import jpeg_with_gps
from civicgrid.cases.uploads import evidence
from civicgrid.core import errors
from civicgrid.demo.evidence import photo_bytes
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"


def pdf_with_metadata() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out)
    doc.setAuthor("张三 13800000000")
    doc.setTitle("整改报告")
    doc.drawString(100, 750, "rectified")
    doc.save()
    return out.getvalue()


def upload(client, cid, data, name="p.jpg", key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"{API}/{cid}/attachments", {"file": SimpleUploadedFile(name, data)}, headers=headers)


def post(client, path, body):
    return client.post(path, body, content_type="application/json")


def handling_case(world, photos=()):
    """A grid worker's report, dispatched to CGJ and signed: the handler's 处理反馈 is next."""
    case = actions.submit_case(actor=world.grid_a, data=IntakeInput(
        description="小区门口有成堆垃圾", channel="grid", category_code="0102", photos=list(photos), **POINT_A)).case
    for actor, action, facts in [(world.dispatcher, "file", {}), (world.dispatcher, "dispatch", {"department": "CGJ"}),
                                 (world.handler, "sign", {})]:
        actions.transition_case(actor=actor, case_id=case.pk, action=action, facts=facts)
    return Case.objects.get(pk=case.pk)


def test_feedback_needs_an_uploaded_photo_checked_like_an_intake_photo(client, world):
    case = handling_case(world)
    client.force_login(world.handler)
    missing = post(client, f"{API}/{case.pk}/transitions", {"action": "feedback", "comment": "已清运"})
    assert missing.status_code == 422 and missing.json()["code"] == "attachments_required"
    made_up = post(client, f"{API}/{case.pk}/transitions",
                   {"action": "feedback", "comment": "已清运", "facts": {"attachments": ["处置后照片"]}})
    assert made_up.status_code == 422 and made_up.json()["code"] == "attachments_invalid"

    first = upload(client, case.pk, jpeg_with_gps(), key="photo-1")
    again = upload(client, case.pk, jpeg_with_gps(), key="photo-1")  # the phone's retry
    assert first.status_code == 201 and again.status_code == 201, first.content
    body = first.json()
    assert again.json()["id"] == body["id"] and Attachment.objects.filter(case=case).count() == 1
    assert body["pending"] is True and body["lat"] == pytest.approx(41.12, abs=1e-4)
    stored = Attachment.objects.get(pk=body["id"])
    content = stored.file.read()
    assert b"PhoneMaker" not in content and len(Image.open(io.BytesIO(content)).getexif()) == 0
    assert Case.objects.get(pk=case.pk).event_count == case.event_count  # the optimistic lock still holds

    done = post(client, f"{API}/{case.pk}/transitions",
                {"action": "feedback", "comment": "已清运", "facts": {"attachments": [body["id"]]},
                 "expected_event_count": case.event_count})
    assert done.status_code == 200, done.content
    event = CaseEvent.objects.get(case=case, action="feedback")
    assert event.data["attachments"] == [body["id"]] and event.data["attachment_sha256"] == [stored.sha256]
    stored.refresh_from_db()
    assert stored.pending is False and stored.event_id == event.pk


def test_an_upload_serves_one_step_of_its_uploader(client, world):
    case = handling_case(world)
    other = make_user("hdl2", "department_handler", department=world.cg)
    client.force_login(other)
    theirs = upload(client, case.pk, photo_bytes("x")).json()["id"]
    client.force_login(world.handler)
    refused = post(client, f"{API}/{case.pk}/transitions",
                   {"action": "feedback", "comment": "好", "facts": {"attachments": [theirs]}})
    assert refused.status_code == 422 and refused.json()["code"] == "attachments_invalid"
    mine = upload(client, case.pk, photo_bytes("y")).json()["id"]
    assert post(client, f"{API}/{case.pk}/transitions",
                {"action": "feedback", "comment": "好", "facts": {"attachments": [mine]}}).status_code == 200
    client.force_login(world.grid_a)  # 核查 cannot reuse the handler's photo
    reused = post(client, f"{API}/{case.pk}/transitions", {"action": "verify", "facts": {"attachments": [mine]}})
    assert reused.status_code == 422 and reused.json()["code"] == "attachments_invalid"


def test_who_may_attach(client, world):
    case = handling_case(world)
    client.force_login(world.leader)  # sees the case, plays no part in it
    assert upload(client, case.pk, photo_bytes("l")).json()["code"] == "not_a_case_party"
    client.force_login(world.grid_b)  # another grid: the case does not exist for them
    assert upload(client, case.pk, photo_bytes("b")).status_code == 404
    client.force_login(world.dispatcher)  # on the case, but no step of theirs takes files now
    response = upload(client, case.pk, photo_bytes("d"))
    assert response.status_code == 409 and response.json()["code"] == "no_step_takes_attachments"
    client.force_login(world.handler)
    response = upload(client, case.pk, b"GIF89a" + b"\0" * 64)
    assert response.status_code == 422 and response.json()["code"] == "attachment_type_unsupported"
    response = upload(client, case.pk, pdf_with_metadata(), name="r.pdf")  # urban events take photos only
    assert response.status_code == 422 and response.json()["code"] == "attachment_type_unsupported"


def test_safety_hazard_takes_a_pdf_report_stripped_of_its_metadata(client, world):
    case = actions.submit_case(actor=world.grid_a, data=IntakeInput(
        description="楼道堆放杂物堵塞消防通道", channel="grid", case_type="safety_hazard", **POINT_A)).case
    assert case.workflow.version == 2
    client.force_login(world.grid_a)
    notice = upload(client, case.pk, pdf_with_metadata(), name="整改通知书.pdf").json()
    assert notice["content_type"] == "application/pdf" and notice["name"] == "整改通知书.pdf"
    content = Attachment.objects.get(pk=notice["id"]).file.read()
    assert b"13800000000" not in content and content.startswith(b"%PDF-")
    response = post(client, f"{API}/{case.pk}/transitions", {"action": "issue_notice", "facts": {
        "responsible_party": "物业", "deadline": "2031-01-01", "attachments": [notice["id"]]}})
    assert response.status_code == 200, response.content
    broken = upload(client, case.pk, b"%PDF-1.4 broken")
    assert broken.status_code in (409, 422)  # grid worker acknowledges next: nothing of theirs takes files


def test_cases_in_flight_keep_their_workflow_version(world):
    from civicgrid.cases.models import WorkflowDefinition
    from civicgrid.cases.workflow import registry

    old = registry.get("urban_event", 1)
    row = WorkflowDefinition.objects.create(key="urban_event", version=1, label=old.label, spec=old.to_dict(),
                                            checksum=old.checksum())
    pinned = handling_case(world)
    Case.objects.filter(pk=pinned.pk).update(workflow=row)
    fresh = handling_case(world)
    assert fresh.workflow.version == 2
    for case in (pinned, fresh):
        files = [evidence.upload(actor=world.handler, case_id=case.pk, data=photo_bytes(str(case.pk))).pk]
        actions.transition_case(actor=world.handler, case_id=case.pk, action="feedback", comment="好",
                                facts={"attachments": files})
    # v1: the centre may pass the check from its desk (with a photo); v2: only the field verifier on site
    photo = evidence.upload(actor=world.dispatcher, case_id=pinned.pk, data=photo_bytes("d")).pk
    actions.transition_case(actor=world.dispatcher, case_id=pinned.pk, action="verify", facts={"attachments": [photo]})
    with pytest.raises(errors.Forbidden):
        actions.transition_case(actor=world.dispatcher, case_id=fresh.pk, action="verify", facts={"attachments": [1]})


def test_the_form_takes_files_and_the_page_shows_before_and_after(client, world):
    case = handling_case(world, photos=[photo_bytes("before")])
    client.force_login(world.handler)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'accept="image/jpeg,image/png,image/webp"' in page
    assert "上传功能稍后提供" not in page
    url = f"/cases/{case.pk}/act/feedback/"
    empty = client.post(url, {"comment": "已清运", "expected_event_count": case.event_count})
    assert empty.status_code == 422 and "请上传现场照片" in empty.content.decode()
    assert not Attachment.objects.filter(pending=True).exists()
    bad = client.post(url, {"comment": "已清运", "expected_event_count": case.event_count,
                            "attachments": [SimpleUploadedFile("a.gif", b"GIF89a" + b"\0" * 64)]})
    assert bad.status_code == 422 and not Attachment.objects.filter(pending=True).exists()
    done = client.post(url, {"comment": "已清运", "expected_event_count": case.event_count,
                             "attachments": [SimpleUploadedFile("a.jpg", photo_bytes("a1")),
                                             SimpleUploadedFile("b.jpg", photo_bytes("a2"))]})
    assert done.status_code == 302, done.content.decode()[:500]
    page = client.get(f"/cases/{case.pk}/").content.decode()
    before = page[page.index('data-side="before"'):page.index('data-side="after"')]
    after = page[page.index('data-side="after"'):]
    assert before.count("<img") == 1 and after[:after.index("</section>")].count("<img") == 2
    assert "处理反馈" in after and "附件:</span>2 个" in page.replace(":", ":")


def test_a_refused_step_keeps_no_upload(world):
    case = handling_case(world)
    with pytest.raises(errors.Conflict):
        evidence.transition_with_files(actor=world.handler, case_id=case.pk, action="feedback", comment="好",
                                       uploads=[("a.jpg", photo_bytes("z"))], expected_event_count=1)
    assert not Attachment.objects.filter(case=case).exists()
