"""Uploaded materials: the type is read from the bytes, never the file name; photos are re-encoded from
their pixels (cases.uploads.photos: no EXIF or other metadata kept); PDFs (scans) are checked for a PDF header and
trailer and kept as sent; the size is limited (PUBLICSERVICE_MAX_MATERIAL_BYTES)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings

from civicgrid.cases.uploads import photos
from civicgrid.core import errors


@dataclass
class CleanMaterial:
    key: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return photos.sniff(data[:16])


def clean(key: str, data: bytes) -> CleanMaterial:
    limit = settings.PUBLICSERVICE_MAX_MATERIAL_BYTES
    if len(data) > limit:
        raise errors.ValidationFailed(f"材料文件过大(最大 {limit // (1024 * 1024)} MB)", code="material_too_large",
                                      details={"key": key})
    if not data:
        raise errors.ValidationFailed("材料文件为空", code="material_empty", details={"key": key})
    kind = sniff(data)
    if kind is None:
        raise errors.ValidationFailed("材料只能是 PDF 扫描件或 JPEG/PNG/WebP 照片", code="material_type_unsupported",
                                      details={"key": key})
    if kind == "application/pdf":
        if b"%%EOF" not in data[-1024:]:
            raise errors.ValidationFailed("PDF 文件不完整或已损坏", code="material_unreadable", details={"key": key})
        return CleanMaterial(key, data, kind, "pdf", hashlib.sha256(data).hexdigest())
    try:
        photo = photos.clean(data)
    except errors.ValidationFailed as exc:
        code = "material_too_large" if exc.code == "photo_too_large" else "material_unreadable"
        raise errors.ValidationFailed(exc.message, code=code, details={"key": key}) from None
    return CleanMaterial(key, photo.content, photo.content_type, photo.extension, photo.sha256)


def check_set(item, uploads: dict[str, bytes], *, correction: bool = False) -> list[CleanMaterial]:
    """Every upload cleaned, before anything is written; unknown keys refused; on first application every
    required material must be there (a 补正 brings only what was asked for)."""
    known = {m["key"]: m for m in item.materials}
    unknown = sorted(set(uploads) - set(known))
    if unknown:
        raise errors.ValidationFailed(f"未知的材料:{'、'.join(unknown)}", code="material_unknown",
                                      details={"keys": unknown})
    if not correction:
        missing = [m["label"] for key, m in known.items() if m.get("required") and not uploads.get(key)]
        if missing:
            raise errors.ValidationFailed(f"请上传:{'、'.join(missing)}", code="material_required",
                                          details={"missing": missing})
    elif not uploads:
        raise errors.ValidationFailed("请上传补正材料", code="material_required")
    return [clean(key, data) for key, data in uploads.items() if data]
