"""志愿服务证明 (volunteer service certificate): star levels, certificate numbers and the PDF.

No database: the Django layer builds a `Certificate` from its records and stores what it issues.
民政部令第67号 (谁记录谁证明) lets a volunteer ask the recording organisation for a certificate that
states who they are, the hours and content of their service and the issuer, and that can be verified;
民发〔2015〕149号 adds a certificate number and the date (docs/domain: standards-cn.md §6.2,
volunteers-enterprises.md A5).

* `stars` maps cumulative recorded hours to a star level (Fujian rule: ≥100 ★ … ≥1500 ★★★★★).
* `certificate_number` formats ``ZYZM-<issuer code>-<YYYYMMDD>-<6-digit serial>``.
* `render_pdf` draws an A4 certificate in Chinese: the statement, the service lines (the table flows
  onto further pages with its header repeated), issuer and date, and a QR code of ``verify_url`` with
  the URL printed under it. Every page carries the certificate number and "第 N 页 / 共 M 页".

The certificate leaves the system, so its font is embedded: a CJK TrueType font (``PDF_FONT_PATH``,
by default Debian's fonts-wqy-microhei) is registered once per process and subset into each PDF.
The non-embedded CID font STSong-Light is deliberately not used.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

__all__ = [
    "DEFAULT_STAR_THRESHOLDS", "NUMBER_PREFIX", "Certificate", "ServiceLine", "certificate_number",
    "render_pdf", "stars", "verification_qr",
]

DEFAULT_STAR_THRESHOLDS: tuple[int, ...] = (100, 300, 600, 1000, 1500)
NUMBER_PREFIX = "ZYZM"  # 志愿证明
MAX_STARS = 5
_ISSUER_CODE = re.compile(r"[A-Za-z0-9]+")
_MAX_SERIAL = 999_999


@dataclass(frozen=True)
class ServiceLine:
    """One recorded service: the day, what was done, the team, net hours (travel excluded)."""

    date: date
    content: str
    hours: Decimal
    team: str


@dataclass(frozen=True)
class Certificate:
    """Everything printed on one certificate. ``id_masked`` is already masked (core.masking: 2****************4)."""

    number: str
    volunteer_name: str
    id_masked: str
    total_hours: Decimal
    first_date: date | None
    last_date: date | None
    lines: tuple[ServiceLine, ...]
    issuer: str
    issued_on: date
    verify_url: str
    stars: int

    def __post_init__(self):
        if not 0 <= self.stars <= MAX_STARS:
            raise ValueError(f"stars must be 0..{MAX_STARS}, not {self.stars}")
        if self.total_hours < 0:
            raise ValueError("total_hours must not be negative")


# --- star levels and numbers ---------------------------------------------------------------------


def stars(hours: Decimal, thresholds: Sequence[int | Decimal] = DEFAULT_STAR_THRESHOLDS) -> int:
    """The star level (0–5) for cumulative recorded hours: the number of thresholds reached (``>=``).

    ``thresholds`` must hold one to five positive numbers in strictly ascending order.
    """
    thresholds = tuple(thresholds)
    if not 1 <= len(thresholds) <= MAX_STARS:
        raise ValueError(f"thresholds must hold 1 to {MAX_STARS} values, not {len(thresholds)}")
    if any(isinstance(t, bool) or not isinstance(t, int | Decimal) for t in thresholds):
        raise ValueError("thresholds must be integers or Decimals")
    if any(not Decimal(t).is_finite() or t <= 0 for t in thresholds):
        raise ValueError("thresholds must be positive")
    if any(a >= b for a, b in zip(thresholds, thresholds[1:], strict=False)):
        raise ValueError("thresholds must be strictly ascending")
    hours = Decimal(hours)
    if not hours.is_finite() or hours < 0:
        raise ValueError(f"hours must be a non-negative number, not {hours}")
    return sum(1 for t in thresholds if hours >= t)


def certificate_number(issuer_code: str, issued_on: date, serial: int) -> str:
    """``ZYZM-<issuer_code>-<YYYYMMDD>-<serial, 6 digits>``, e.g. ``ZYZM-LY0301-20261129-000123``."""
    if not _ISSUER_CODE.fullmatch(issuer_code or ""):
        raise ValueError(f"issuer_code must be ASCII letters and digits, not {issuer_code!r}")
    if isinstance(serial, bool) or not isinstance(serial, int) or not 1 <= serial <= _MAX_SERIAL:
        raise ValueError(f"serial must be an integer from 1 to {_MAX_SERIAL}, not {serial!r}")
    return f"{NUMBER_PREFIX}-{issuer_code}-{issued_on:%Y%m%d}-{serial:06d}"


def verification_qr(url: str) -> segno.QRCode:
    """The QR code printed on the certificate: a full-size (not micro) QR, error level M or better."""
    if not url:
        raise ValueError("verify_url is required: the certificate must be verifiable")
    return segno.make(url, error="m", micro=False)


# --- font --------------------------------------------------------------------------------------------

_FONT_LOCK = threading.Lock()
_FONTS: dict[str, str] = {}  # font file path -> registered reportlab font name
# reportlab's TTFont keeps per-document subset state: build one certificate at a time per process.
_BUILD_LOCK = threading.Lock()


def _font_name() -> str:
    """Register the configured CJK TrueType font (once per process and path) and return its name."""
    path = str(settings.PDF_FONT_PATH)
    if not Path(path).is_file():
        raise ImproperlyConfigured(
            f"PDF_FONT_PATH (CIVICGRID_PDF_FONT_PATH) points to {path!r}, which does not exist. "
            "Certificates embed a CJK TrueType font: install the Debian package fonts-wqy-microhei "
            "or point the setting at another .ttf/.ttc with Chinese glyphs."
        )
    with _FONT_LOCK:
        name = _FONTS.get(path)
        if name is None:
            name = "CivicgridCJK-" + hashlib.sha1(path.encode()).hexdigest()[:8]
            try:
                # subfontIndex picks the first face of a .ttc collection; ignored for a plain .ttf.
                font = TTFont(name, path, subfontIndex=0)
            except (TTFError, OSError, struct.error) as exc:
                raise ImproperlyConfigured(
                    f"PDF_FONT_PATH (CIVICGRID_PDF_FONT_PATH): {path!r} is not a usable TrueType font "
                    f"({exc}); install fonts-wqy-microhei or point the setting at a CJK .ttf/.ttc."
                ) from exc
            if any(ord(ch) not in font.face.charToGlyph for ch in "志愿服务证明"):
                raise ImproperlyConfigured(
                    f"PDF_FONT_PATH (CIVICGRID_PDF_FONT_PATH): {path!r} has no Chinese glyphs; "
                    "install fonts-wqy-microhei or point the setting at a CJK .ttf/.ttc."
                )
            pdfmetrics.registerFont(font)
            # Markup such as <b> must not fall back to a non-embedded base-14 font.
            pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
            _FONTS[path] = name
        return name


# --- PDF ---------------------------------------------------------------------------------------------

_MARGIN_X = 20 * mm
_MARGIN_TOP = 18 * mm
_MARGIN_BOTTOM = 20 * mm
_QR_SIZE = 32 * mm


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _hours(value: Decimal) -> str:
    """One decimal place, but never drop precision the record has (12.25 stays 12.25)."""
    value = Decimal(value)
    tenth = value.quantize(Decimal("0.1"))
    return f"{tenth}" if tenth == value else f"{value.normalize():f}"


class _QrFlowable(Flowable):
    """A QR code drawn as vector squares (crisp at any zoom or print resolution), quiet zone included."""

    def __init__(self, qr: segno.QRCode, size: float):
        super().__init__()
        self.matrix = [list(row) for row in qr.matrix]
        self.border = 4  # modules of quiet zone, as the QR standard asks
        self.size = size
        self.width = self.height = size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        n = len(self.matrix)
        module = self.size / (n + 2 * self.border)
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for r, row in enumerate(self.matrix):
            y = self.size - (self.border + r + 1) * module
            c = 0
            while c < n:
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < n and row[c]:
                    c += 1
                # A hair of overlap hides anti-aliasing seams between neighbouring runs in viewers.
                canvas.rect((self.border + start) * module, y, (c - start) * module, module * 1.01,
                            stroke=0, fill=1)


def _numbered_canvas(font: str, cert: Certificate):
    """A canvas class that stamps the holder, the number and "第 N 页 / 共 M 页" on every page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(font, 8)
                self.setFillColor(colors.grey)
                self.drawString(_MARGIN_X, 10 * mm, f"志愿服务证明 · {cert.volunteer_name} · 证明编号 {cert.number}")
                self.drawRightString(width - _MARGIN_X, 10 * mm, f"第 {self._pageNumber} 页 / 共 {total} 页")
                super().showPage()
            super().save()

    return NumberedCanvas


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=24, leading=30, alignment=TA_CENTER,
                                spaceBefore=6 * mm, spaceAfter=3 * mm),
        "number": ParagraphStyle("number", parent=base, fontSize=9.5, alignment=TA_RIGHT,
                                 textColor=colors.HexColor("#444444"), spaceAfter=6 * mm),
        "body": ParagraphStyle("body", parent=base, fontSize=12.5, leading=24, firstLineIndent=25),
        "heading": ParagraphStyle("heading", parent=base, fontSize=11, leading=16,
                                  spaceBefore=5 * mm, spaceAfter=2 * mm),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "head": ParagraphStyle("head", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
        "num": ParagraphStyle("num", parent=base, fontSize=9.5, leading=13, alignment=TA_RIGHT),
        "sign": ParagraphStyle("sign", parent=base, fontSize=12, leading=22),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5),
    }


def _statement(cert: Certificate) -> list[tuple[str, bool]]:
    """The certifying sentence as (text, keep_whole) parts: dates, the id, names and numbers never break."""
    parts: list[tuple[str, bool]] = [("兹证明 ", False), (cert.volunteer_name, True),
                                     ("（身份证号 ", False), (cert.id_masked + "）", True)]
    if cert.first_date and cert.last_date and cert.first_date != cert.last_date:
        parts += [("自 ", False), (_cn_date(cert.first_date), True), (" 至 ", False),
                  (_cn_date(cert.last_date), True), (" ", False)]
    elif cert.first_date or cert.last_date:
        parts += [("于 ", False), (_cn_date(cert.first_date or cert.last_date), True), (" ", False)]
    parts += [("参加志愿服务，累计服务时长 ", False), (f"{_hours(cert.total_hours)} 小时", True),
              ("（不含往返路途时间）", False)]
    if cert.stars:
        parts += [("，星级 ", False), ("★" * cert.stars + "。", True)]
    else:
        parts += [("。", False)]
    return parts


# Chinese line-breaking rules (GB/T 15834, W3C clreq): these may not start / end a line.
_NO_LINE_START = set("，。、；：！？）》」』】”’…,.;:!?)")
_NO_LINE_END = set("（《「『【“‘(")
_UNIT = re.compile(r"[A-Za-z0-9.*%/:_\-]+| |.", re.S)


class _Statement(Flowable):
    """A justified Chinese paragraph whose marked parts (dates, id, hours, stars) never break.

    reportlab's CJK wrapping breaks between any two Chinese characters, so "2025年4月5日" could end
    up as "2025年4" / "月5日"; here each marked part is one unit, other text breaks between
    characters (runs of digits and Latin letters stay whole), and punctuation obeys the line-start
    and line-end rules. Every line but the last is justified with character spacing.
    """

    def __init__(self, parts: list[tuple[str, bool]], font: str, size: float, leading: float, indent: float):
        super().__init__()
        self.font, self.size, self.leading, self.indent = font, size, leading, indent
        self.units: list[str] = []
        for text, keep_whole in parts:
            self.units += [text] if keep_whole else _UNIT.findall(text)
        self.lines: list[str] = []

    def _width(self, text: str) -> float:
        return pdfmetrics.stringWidth(text, self.font, self.size)

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        units: list[str] = []
        for unit in self.units:  # a part too long for any line falls back to breaking anywhere
            units += list(unit) if self._width(unit) > avail_width - self.indent else [unit]
        lines: list[list[str]] = [[]]
        used = self.indent
        for unit in units:
            width = self._width(unit)
            line = lines[-1]
            if line and unit != " " and used + width > avail_width:
                # Carry units over to the new line while it would start with closing punctuation or
                # this one end with opening punctuation (keeping at least one unit on this line).
                carried: list[str] = []
                while len(line) > 1 and (
                    next((u for u in carried if u != " "), unit)[0] in _NO_LINE_START
                    or line[-1][-1] in _NO_LINE_END
                ):
                    carried.insert(0, line.pop())
                lines.append(carried)
                used = sum(self._width(u) for u in carried)
            lines[-1].append(unit)
            used += width
        self.lines = ["".join(line).strip() for line in lines]
        self.height = len(self.lines) * self.leading
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        for i, line in enumerate(self.lines):
            x = self.indent if i == 0 else 0
            y = self.height - self.size - i * self.leading  # baselines where a Paragraph puts them
            text = canvas.beginText(x, y)
            text.setFont(self.font, self.size)
            if i < len(self.lines) - 1 and len(line) > 1:
                gap = (self.width - x - self._width(line)) / (len(line) - 1)
                text.setCharSpace(min(max(gap, 0), self.size * 0.5))
            text.textOut(line)
            canvas.drawText(text)


def _lines_table(cert: Certificate, font: str, st: dict[str, ParagraphStyle], width: float) -> Table:
    widths = [27 * mm, None, 40 * mm, 25 * mm]
    widths[1] = width - sum(w for w in widths if w)
    rows = [[Paragraph(h, st["head"]) for h in ("日期", "服务内容", "所属队伍", "时长（小时）")]]
    for line in cert.lines:
        rows.append([
            Paragraph(f"{line.date:%Y-%m-%d}", st["cell"]),
            Paragraph(escape(line.content), st["cell"]),
            Paragraph(escape(line.team), st["cell"]),
            Paragraph(_hours(line.hours), st["num"]),
        ])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),  # a table's own default would be Helvetica (not embedded)
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _closing(cert: Certificate, font: str, st: dict[str, ParagraphStyle], width: float) -> Table:
    """QR code with the URL and the verification line on the left; issuer and date on the right."""
    qr_cell = [
        _QrFlowable(verification_qr(cert.verify_url), _QR_SIZE),
        Spacer(1, 1 * mm),
        Paragraph(escape(cert.verify_url), st["small"]),
        Paragraph("扫码或访问上述网址核验本证明真伪", st["small"]),
    ]
    sign_cell = [
        Spacer(1, 6 * mm),
        Paragraph("出具单位（盖章）：", st["sign"]),
        Paragraph(escape(cert.issuer), st["sign"]),
        Spacer(1, 4 * mm),
        Paragraph(f"出具日期：{_cn_date(cert.issued_on)}", st["sign"]),
    ]
    left = 66 * mm
    table = Table([[qr_cell, sign_cell]], colWidths=[left, width - left])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (0, 0), 0),
        ("LEFTPADDING", (1, 0), (1, 0), 14 * mm),
        ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
    ]))
    return table


def _check_glyphs(cert: Certificate, font: str) -> None:
    """A name printed as empty boxes would make the certificate worthless: refuse instead."""
    covered = pdfmetrics.getFont(font).face.charToGlyph
    texts = [cert.number, cert.volunteer_name, cert.id_masked, cert.issuer, cert.verify_url]
    texts += [text for line in cert.lines for text in (line.content, line.team)]
    missing = sorted({ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in covered})
    if missing:
        raise ValueError(
            f"the certificate font has no glyph for {''.join(missing)!r} "
            f"({', '.join(f'U+{ord(ch):04X}' for ch in missing)}): set PDF_FONT_PATH to a font that covers them"
        )


def render_pdf(cert: Certificate) -> bytes:
    """The certificate as an A4 PDF with the CJK font embedded (subset).

    Raises ImproperlyConfigured when ``settings.PDF_FONT_PATH`` is missing, not a TrueType font or
    has no Chinese glyphs, and ValueError when a character of the certificate's text (a rare
    character in a name, say) is not in the font.
    """
    font = _font_name()
    _check_glyphs(cert, font)
    st = _styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=_MARGIN_X, rightMargin=_MARGIN_X, topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM, title=f"志愿服务证明 {cert.number}", author=cert.issuer,
        subject=f"{cert.volunteer_name} 志愿服务证明", creator="civicgrid", lang="zh-CN",
        initialFontName=font,  # not the canvas default Helvetica, a non-embedded base-14 font
    )
    story: list[Flowable] = [
        Paragraph("志愿服务证明", st["title"]),
        Paragraph(f"证明编号：{escape(cert.number)}", st["number"]),
        _Statement(_statement(cert), font, st["body"].fontSize, st["body"].leading, st["body"].firstLineIndent),
        Paragraph("特此证明。", st["body"]),
    ]
    if cert.lines:
        story += [
            Paragraph(f"志愿服务记录（共 {len(cert.lines)} 条）", st["heading"]),
            _lines_table(cert, font, st, doc.width),
        ]
    story += [Spacer(1, 8 * mm), KeepTogether(_closing(cert, font, st, doc.width))]
    with _BUILD_LOCK:
        doc.build(story, canvasmaker=_numbered_canvas(font, cert))
    return buffer.getvalue()
