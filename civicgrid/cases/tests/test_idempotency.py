"""The same Idempotency-Key with a different body is 422 `idempotency_key_reused` and writes nothing; the same
key with the same body keeps answering with the first case or photo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Attachment, Case, CaseEvent
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.cases.tests.test_photos import jpeg_with_gps
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent, IdempotencyKey

pytestmark = pytest.mark.django_db


def post_case(client, user, key, **extra):
    client.force_login(user)
    body = {"description": "路边井盖丢失", "category": "0601", **POINT_A, **extra}
    return client.post("/api/v1/cases", body, content_type="application/json", headers={"Idempotency-Key": key})


def counts() -> tuple[int, int, int, int]:
    return (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count(),
            IdempotencyKey.objects.count())


@pytest.mark.parametrize("change", [{"description": "路灯不亮"}, {"category": "0102"}, {"lat": 41.13},
                                    {"address": "幸福里5号楼"}, {"title": "另一件事"}, {"is_anonymous": True}])
def test_a_second_different_report_with_the_same_key_is_refused(client, world, change):
    first = post_case(client, world.resident, "phone-1")
    assert first.status_code == 201
    before = counts()
    again = post_case(client, world.resident, "phone-1", **change)
    assert again.status_code == 422 and again.json()["code"] == "idempotency_key_reused", again.content
    assert counts() == before


def test_the_same_report_in_another_key_order_is_a_replay(client, world):
    first = post_case(client, world.resident, "phone-1", address="幸福里", title="井盖")
    client.force_login(world.resident)
    reordered = client.post("/api/v1/cases", '{"title": "井盖", "lng": 123.12, "address": "幸福里", "lat": 41.12, '
                            '"category": "0601", "description": "路边井盖丢失"}', content_type="application/json",
                            headers={"Idempotency-Key": "phone-1"})
    assert reordered.status_code == 200 and reordered.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1


def test_the_action_refuses_a_reused_key_with_a_different_photo(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = IntakeInput(description="垃圾", channel="resident", category_code="0102", photos=[jpeg_with_gps()],
                       **POINT_A)
    first = actions.submit_case(actor=world.resident, data=data, idempotency_key="k")
    same = IntakeInput(description="垃圾", channel="resident", category_code="0102", photos=[jpeg_with_gps()],
                       **POINT_A)
    assert actions.submit_case(actor=world.resident, data=same, idempotency_key="k").case.pk == first.case.pk
    other = IntakeInput(description="垃圾", channel="resident", category_code="0102",
                        photos=[jpeg_with_gps(lat=41.13)], **POINT_A)
    with pytest.raises(errors.ValidationFailed) as exc:
        actions.submit_case(actor=world.resident, data=other, idempotency_key="k")
    assert exc.value.code == "idempotency_key_reused"
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_different_photo_with_the_same_key_is_refused(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="垃圾", channel="resident", category_code="0102", **POINT_A)).case
    client.force_login(world.resident)

    def upload(photo: bytes, case_id=case.pk):
        return client.post(f"/api/v1/cases/{case_id}/photos", {"photo": SimpleUploadedFile("x.jpg", photo, "image/jpeg")},
                           headers={"Idempotency-Key": "p1"})

    first = upload(jpeg_with_gps())
    assert first.status_code == 201
    assert upload(jpeg_with_gps()).json()["id"] == first.json()["id"]  # the same file: the first photo
    events = CaseEvent.objects.count()
    other = upload(jpeg_with_gps(lat=41.13))
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    second_case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="又有垃圾", channel="resident", category_code="0102", **POINT_A)).case
    elsewhere = upload(jpeg_with_gps(), case_id=second_case.pk)  # the same file on another case
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "idempotency_key_reused"
    assert Attachment.objects.count() == 1 and CaseEvent.objects.count() == events + 1  # + the new case's submit


def test_the_report_page_refuses_a_reused_key_with_a_different_report(client, world):
    client.force_login(world.resident)
    form = {"description": "家里停水两天了", "category": "3001", "lat": 41.12, "lng": 123.12,
            "contact_preference": "online", "idempotency_key": "page-1"}
    assert client.post(reverse("cases:report"), form).status_code == 302
    again = client.post(reverse("cases:report"), {**form, "description": "楼道灯坏了"})
    assert again.status_code == 422 and "该幂等键已用于另一个不同的请求" in again.content.decode()
    assert Case.objects.count() == 1
