import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.cases import actions, photos
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Attachment, Case
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.core import errors


def jpeg_with_gps(lat=41.12, lng=123.12) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: must not survive
    gps = {1: "N", 2: (int(lat), int(lat * 60) % 60, (lat * 3600) % 60), 3: "E",
           4: (int(lng), int(lng * 60) % 60, (lng * 3600) % 60)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_gps_is_read_and_metadata_stripped():
    clean = photos.clean(jpeg_with_gps())
    assert clean.lat == pytest.approx(41.12, abs=1e-4) and clean.lng == pytest.approx(123.12, abs=1e-4)
    stored = Image.open(io.BytesIO(clean.content))
    assert len(stored.getexif()) == 0 and b"PhoneMaker" not in clean.content


@pytest.mark.parametrize("data, code", [
    (b"GIF89a" + b"\0" * 100, "photo_type_unsupported"),
    (b"%PDF-1.4 not a photo", "photo_type_unsupported"),
    (b"\xff\xd8\xff\xe0" + b"garbage" * 10, "photo_unreadable"),
])
def test_bad_files_are_refused(data, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        photos.clean(data)
    assert exc.value.code == code


def test_too_large_is_refused(settings):
    settings.CASE_MAX_PHOTO_BYTES = 100
    with pytest.raises(errors.ValidationFailed) as exc:
        photos.clean(jpeg_with_gps())
    assert exc.value.code == "photo_too_large"


@pytest.mark.django_db
def test_photo_api_attaches_and_suggests_location(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="垃圾", channel="resident", category_code="0102", **POINT_A)).case
    client.force_login(world.resident)
    suggestion = client.post("/api/v1/cases/photo-location",
                             {"photo": SimpleUploadedFile("x.jpg", jpeg_with_gps(), "image/jpeg")})
    assert suggestion.status_code == 200 and suggestion.json()["region_code"] == world.tree.micro_a.code
    response = client.post(f"/api/v1/cases/{case.pk}/photos",
                           {"photo": SimpleUploadedFile("x.jpg", jpeg_with_gps(), "image/jpeg")},
                           headers={"Idempotency-Key": "p1"})
    assert response.status_code == 201, response.content
    again = client.post(f"/api/v1/cases/{case.pk}/photos",
                        {"photo": SimpleUploadedFile("x.jpg", jpeg_with_gps(), "image/jpeg")},
                        headers={"Idempotency-Key": "p1"})
    assert again.json()["id"] == response.json()["id"] and Attachment.objects.count() == 1
    stored = Attachment.objects.get()
    assert b"PhoneMaker" not in stored.file.read()
    case.refresh_from_db()
    assert case.events.last().action == "attach"
    client.force_login(world.grid_b)
    outsider = client.post(f"/api/v1/cases/{case.pk}/photos",
                           {"photo": SimpleUploadedFile("x.jpg", jpeg_with_gps(), "image/jpeg")})
    assert outsider.status_code == 404
    bad = client.post("/api/v1/cases/photo-location", {"photo": SimpleUploadedFile("x.gif", b"GIF89a....", "image/gif")})
    assert bad.status_code == 422 and bad.json()["code"] == "photo_type_unsupported"


@pytest.mark.django_db
def test_report_page_takes_photos_and_their_place(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.resident)
    form = {"category": "0102", "description": "楼下垃圾堆了三天", "contact_preference": "online",
            "idempotency_key": "form-1"}
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg")
    response = client.post("/cases/report/", {**form, "photos": [photo]})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.region == world.tree.micro_a  # placed by the photo's GPS position
    stored = Attachment.objects.get(case=case)
    assert stored.lat == pytest.approx(41.12, abs=1e-4) and b"PhoneMaker" not in stored.file.read()


@pytest.mark.django_db
def test_a_bad_photo_refuses_the_whole_report(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.resident)
    form = {"category": "0102", "description": "垃圾", "contact_preference": "online", "idempotency_key": "form-2",
            "region": world.tree.grid_a.code}
    bad = SimpleUploadedFile("a.gif", b"GIF89a" + b"\0" * 64, "image/gif")
    response = client.post("/cases/report/", {**form, "photos": [bad]})
    assert response.status_code == 422 and "只能上传" in response.content.decode()
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_case_photos_are_served_only_within_scope(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = actions.submit_case(actor=world.resident, data=IntakeInput(
        description="垃圾", channel="resident", category_code="0102", photos=[jpeg_with_gps()], **POINT_A)).case
    photo = Attachment.objects.get(case=case)
    url = f"/cases/{case.pk}/photos/{photo.pk}/"
    client.force_login(world.grid_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"PhoneMaker" not in b"".join(response.streaming_content)
    client.force_login(world.grid_b)
    assert client.get(url).status_code == 404
