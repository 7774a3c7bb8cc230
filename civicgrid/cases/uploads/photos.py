"""Photo uploads: the type is checked from the bytes (not the name), the size is limited, the GPS
position in the EXIF data is read (to suggest the place) and the photo is re-encoded from its pixels
alone: the copy that is stored and shown keeps no EXIF, XMP, IPTC, ICC profile, comment or text chunk."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings

from civicgrid.core import errors

SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_PIXELS = 40_000_000


@dataclass
class CleanPhoto:
    content: bytes  # re-encoded sRGB pixels only, no metadata
    content_type: str
    extension: str
    sha256: str
    lat: float | None
    lng: float | None


def sniff(head: bytes) -> str | None:
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _ratio(value) -> float:
    try:
        return float(value)
    except TypeError:  # old Pillow: (num, den) tuples
        return value[0] / value[1]


def _gps(image) -> tuple[float | None, float | None]:
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not reject the photo
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None

    def degrees(dms, ref) -> float:
        d, m, s = (_ratio(x) for x in dms)
        value = d + m / 60 + s / 3600
        return -value if ref in ("S", "W") else value

    try:
        lat, lng = degrees(gps[2], gps.get(1, "N")), degrees(gps[4], gps.get(3, "E"))
    except (TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None, None
    return round(lat, 7), round(lng, 7)


def _pixels(image, kind: str):
    """The image's pixels alone, in sRGB: colours converted from an embedded ICC profile (then dropped;
    untagged pixels are read as sRGB), JPEG as RGB, PNG and WebP as RGB or RGBA."""
    from PIL import ImageCms

    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    mode = "RGBA" if alpha and kind != "image/jpeg" else "RGB"
    icc = image.info.get("icc_profile")
    pixels = None
    if icc:
        source = image if image.mode in ("RGB", "RGBA", "CMYK", "L") else image.convert(mode)
        try:
            pixels = ImageCms.profileToProfile(source, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                               ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pixels = None  # a broken or unusual profile: keep the numbers as they are
    if pixels is None or pixels.mode != mode:
        pixels = (image if pixels is None else pixels).convert(mode)
    # the savers copy a JPEG comment (COM), an ICC profile, PNG text and EXIF from `info`: leave nothing
    pixels.info = {}
    return pixels


def clean(data: bytes) -> CleanPhoto:
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = getattr(settings, "CASE_MAX_PHOTO_BYTES", 10 * 1024 * 1024)
    if len(data) > limit:
        raise errors.ValidationFailed(f"照片过大(最大 {limit // (1024 * 1024)} MB)", code="photo_too_large")
    kind = sniff(data[:16])
    if kind is None:
        raise errors.ValidationFailed("只能上传 JPEG、PNG 或 WebP 格式的照片", code="photo_type_unsupported")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        lat, lng = _gps(image)
        image = ImageOps.exif_transpose(image)  # turn the pixels as the EXIF orientation says, before it goes
        pixels = _pixels(image, kind)
        out = io.BytesIO()
        if kind == "image/jpeg":
            pixels.save(out, "JPEG", quality=88, optimize=True)
        elif kind == "image/png":
            pixels.save(out, "PNG", optimize=True)
        else:
            pixels.save(out, "WEBP", quality=88)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise errors.ValidationFailed("照片文件已损坏或无法识别", code="photo_unreadable") from None
    content = out.getvalue()
    return CleanPhoto(content=content, content_type=kind, extension=EXTENSIONS[kind],
                      sha256=hashlib.sha256(content).hexdigest(), lat=lat, lng=lng)
