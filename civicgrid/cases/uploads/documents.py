"""Document uploads (PDF): the type is read from the bytes, the size is limited, and the stored copy is
rewritten from its pages alone — no document information (author, title, software, dates), no XMP
metadata, no annotations or page actions (which can carry scripts and links)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings

from civicgrid.core import errors

PDF = "application/pdf"
_PAGE_KEYS_DROPPED = ("/Metadata", "/PieceInfo", "/Annots", "/AA")


@dataclass
class CleanDocument:
    content: bytes
    content_type: str
    extension: str
    sha256: str
    lat: float | None = None  # a document carries no position; the same shape as a cleaned photo
    lng: float | None = None


def is_pdf(head: bytes) -> bool:
    return head[:5] == b"%PDF-"


def clean(data: bytes) -> CleanDocument:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    limit = settings.CASE_MAX_PHOTO_BYTES
    if len(data) > limit:
        raise errors.ValidationFailed(f"文件过大(最大 {limit // (1024 * 1024)} MB)", code="document_too_large")
    if not is_pdf(data):
        raise errors.ValidationFailed("只能上传 PDF 文件", code="document_type_unsupported")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise errors.ValidationFailed("不能上传加密的 PDF 文件", code="document_encrypted")
        writer = PdfWriter()
        for page in reader.pages:
            for key in _PAGE_KEYS_DROPPED:
                if key in page:
                    del page[key]
            writer.add_page(page)
        if not len(writer.pages):
            raise errors.ValidationFailed("PDF 文件没有页面", code="document_unreadable")
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise errors.ValidationFailed("PDF 文件已损坏或无法识别", code="document_unreadable") from None
    content = out.getvalue()
    return CleanDocument(content=content, content_type=PDF, extension="pdf",
                         sha256=hashlib.sha256(content).hexdigest())
