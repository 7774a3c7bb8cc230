import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Attachment, Case
from civicgrid.cases.tests.conftest import POINT_A
from civicgrid.cases.uploads import photos
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


# --- metadata that must not survive cleaning ------------------------------------------------------------

SECRETS = [b"PhoneMaker", b"secret-comment", b"secret-xmp", b"secret-iptc", b"secret-text", b"secret-itxt",
           b"secret-ztxt", b"secret-icc"]


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def swapped_icc() -> bytes:
    """A small RGB display profile whose red and green primaries are sRGB's green and red, so a pixel that
    is red in the file is green once converted to sRGB (and its description carries a planted secret)."""
    import struct

    def xyz(x, y, z):
        return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in (x, y, z))

    desc = b"secret-icc"
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(desc) + 1) + desc + b"\0" + b"\0" * 12 + b"\0" * 67),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)), (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        *[(name, b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0") for name in (b"rTRC", b"gTRC", b"bTRC")],
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for name, data in tags:
        table += name + struct.pack(">II", offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp"
              + b"\0" * 24 + struct.pack(">I", 0) + xyz(0.9642, 1.0, 0.8249)[8:] + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + body


def planted_jpeg(colour=(200, 30, 30), orientation: int | None = None, icc: bytes | None = None) -> bytes:
    """A JPEG carrying EXIF (maker, GPS), an ICC profile, XMP (APP1), IPTC (APP13) and a comment (COM)."""
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG", exif=exif, icc_profile=icc or swapped_icc())
    data = out.getvalue()
    xmp = _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>secret-xmp</x:xmpmeta>")
    iim = b"\x1c\x02\x78" + len(b"secret-iptc").to_bytes(2, "big") + b"secret-iptc"  # 2:120 caption
    iptc = _segment(0xED, b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0" + len(iim).to_bytes(4, "big") + iim)
    comment = _segment(0xFE, b"secret-comment")
    return data[:2] + xmp + iptc + comment + data[2:]


def planted_png(mode="RGB", colour=(200, 30, 30)) -> bytes:
    """A PNG carrying an ICC profile (iCCP), tEXt, zTXt, iTXt (with XMP) and EXIF (eXIf)."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-text")
    info.add_text("Author", "secret-ztxt", zip=True)
    info.add_itxt("Description", "secret-itxt")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret-xmp</x:xmpmeta>")
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    out = io.BytesIO()
    Image.new(mode, (64, 48), colour).save(out, "PNG", pnginfo=info, exif=exif, icc_profile=swapped_icc())
    return out.getvalue()


def planted_webp() -> bytes:
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    out = io.BytesIO()
    Image.new("RGBA", (64, 48), (200, 30, 30, 128)).save(
        out, "WEBP", exif=exif, icc_profile=swapped_icc(), xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>", lossless=True)
    return out.getvalue()


def jpeg_markers(data: bytes) -> list[int]:
    """The segment markers before the image data (start of scan)."""
    markers, at = [], 2
    while data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return markers


def png_chunks(data: bytes) -> set[bytes]:
    chunks, at = set(), 8
    while at < len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        chunks.add(data[at + 4:at + 8])
        at += 12 + length
    return chunks


def webp_chunks(data: bytes) -> set[bytes]:
    chunks, at = set(), 12
    while at < len(data):
        length = int.from_bytes(data[at + 4:at + 8], "little")
        chunks.add(data[at:at + 4])
        at += 8 + length + (length % 2)
    return chunks


def test_planted_files_carry_every_kind_of_metadata():
    """The fixtures are what they claim: otherwise the tests below would prove nothing."""
    assert {0xE1, 0xE2, 0xED, 0xFE} <= set(jpeg_markers(planted_jpeg()))
    assert all(secret in planted_jpeg() for secret in (b"PhoneMaker", b"secret-comment", b"secret-xmp",
                                                       b"secret-iptc", b"secret-icc"))
    assert {b"iCCP", b"tEXt", b"zTXt", b"iTXt", b"eXIf"} <= png_chunks(planted_png())
    assert {b"ICCP", b"EXIF", b"XMP "} <= webp_chunks(planted_webp())


def test_jpeg_keeps_only_pixels():
    clean = photos.clean(planted_jpeg())
    assert set(jpeg_markers(clean.content)) <= {0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD}  # JFIF, tables, frame
    assert [secret for secret in SECRETS if secret in clean.content] == []
    assert clean.lat == pytest.approx(41.12, abs=1e-4)  # read before it was dropped


@pytest.mark.parametrize("mode, colour", [("RGB", (200, 30, 30)), ("RGBA", (200, 30, 30, 128)), ("P", 5)])
def test_png_keeps_only_pixels(mode, colour):
    clean = photos.clean(planted_png(mode, colour))
    assert png_chunks(clean.content) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    assert [secret for secret in SECRETS if secret in clean.content] == []


def test_webp_keeps_only_pixels():
    clean = photos.clean(planted_webp())
    assert webp_chunks(clean.content) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
    assert [secret for secret in SECRETS if secret in clean.content] == []
    assert Image.open(io.BytesIO(clean.content)).getpixel((0, 0))[3] == 128  # the transparency stays


def test_colours_are_converted_from_the_embedded_profile_to_srgb():
    """Red in a file whose profile says its red is sRGB green shows green once the profile is gone."""
    for data in (planted_jpeg(colour=(255, 0, 0)), planted_png(colour=(255, 0, 0))):
        red, green, blue = Image.open(io.BytesIO(photos.clean(data).content)).convert("RGB").getpixel((32, 24))
        assert green > 200 and red < 60 and blue < 60


def test_an_srgb_profile_leaves_the_colours_as_they_were():
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    pixel = Image.open(io.BytesIO(photos.clean(planted_jpeg(colour=(40, 120, 200), icc=srgb)).content)).getpixel((32, 24))
    assert all(abs(a - b) <= 4 for a, b in zip(pixel, (40, 120, 200), strict=True))


def test_exif_orientation_is_applied_before_it_is_dropped():
    clean = photos.clean(planted_jpeg(orientation=6))  # 6: the camera was turned; show rotated 90° clockwise
    assert Image.open(io.BytesIO(clean.content)).size == (48, 64)
    assert 0xE1 not in jpeg_markers(clean.content)
