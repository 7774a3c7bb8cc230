"""志愿服务证明: star levels, certificate numbers and the PDF (embedded CJK font, text, pages, QR).

No database: the module under test builds its PDF from frozen dataclasses. Django settings are
loaded (pytest-django) because the font path is a setting. The PDF is read back with pypdf; the QR
code is decoded from a pdftoppm rendering with zxing-cpp when poppler-utils is installed. One test
writes test-output/certificate-sample.pdf (and a PNG of its first page) for people to look at.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from civicgrid.volunteers import certificates
from civicgrid.volunteers.certificates import (
    Certificate,
    ServiceLine,
    certificate_number,
    render_pdf,
    stars,
    verification_qr,
)

OUTPUT = Path(os.environ.get("CIVICGRID_TEST_OUTPUT", Path(__file__).resolve().parents[3] / "test-output"))
NUMBER = "ZYZM-LY0301-20261129-000123"
URL = f"https://grid.example.gov.cn/v/{NUMBER}?t=8f3k2q"
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CONTENTS = [
    "社区敬老院陪伴老人、读报聊天",
    "垃圾分类宣传指导",
    "文明交通劝导（白塔区中华大街路口）",
    "助学辅导：小学三年级数学作业辅导及阅读陪伴，兼顾学生心理疏导",
    "防汛物资搬运",
]
TEAMS = ["白塔区阳光志愿服务队", "文圣街道青年突击队", "红十字应急救援队"]


def make_certificate(n_lines: int = 6, base_hours: str = "2.5", **changes) -> Certificate:
    lines = tuple(
        ServiceLine(
            date=date(2025, 3, 1) + timedelta(days=7 * i),
            content=CONTENTS[i % len(CONTENTS)],
            hours=Decimal(base_hours) + i % 3,
            team=TEAMS[i % len(TEAMS)],
        )
        for i in range(n_lines)
    )
    total = sum((line.hours for line in lines), Decimal(0))
    fields = dict(
        number=NUMBER,
        volunteer_name="张晓明",
        id_masked="110***********1234",
        total_hours=total,
        first_date=lines[0].date if lines else None,
        last_date=lines[-1].date if lines else None,
        lines=lines,
        issuer="辽阳市白塔区文圣街道新时代文明实践所",
        issued_on=date(2026, 11, 29),
        verify_url=URL,
        stars=stars(total),
    )
    fields.update(changes)
    return Certificate(**fields)


def text_of(pdf: bytes) -> str:
    """The text of all pages, each run of white space (line breaks included) made one space."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def compact(text: str) -> str:
    """Without any white space: for phrases a line break may fall inside."""
    return re.sub(r"\s+", "", text)


def fonts_of(pdf: bytes) -> list:
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.append(ref.get_object())
    return fonts


# --- star levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ("0", 0), ("99.9", 0), ("100", 1), ("299.5", 1), ("300", 2), ("600", 3),
        ("999.9", 3), ("1000", 4), ("1499.9", 4), ("1500", 5), ("20000", 5),
    ],
)
def test_stars_count_the_thresholds_reached(hours, expected):
    assert stars(Decimal(hours)) == expected


def test_stars_take_custom_thresholds():
    assert stars(Decimal("50"), thresholds=(20, 50, 80)) == 2
    assert stars(Decimal("49.9"), thresholds=[Decimal("20"), Decimal("49.95")]) == 1


@pytest.mark.parametrize(
    "thresholds",
    [(), (100, 100), (300, 100), (0, 100), (-5, 100), (1, 2, 3, 4, 5, 6), (100.0, 200.0), (True, 2)],
)
def test_stars_reject_invalid_thresholds(thresholds):
    with pytest.raises(ValueError):
        stars(Decimal("120"), thresholds=thresholds)


@pytest.mark.parametrize("hours", [Decimal("-0.5"), Decimal("NaN"), Decimal("Infinity")])
def test_stars_reject_impossible_hours(hours):
    with pytest.raises(ValueError):
        stars(hours)


# --- certificate numbers -------------------------------------------------------------------------


def test_certificate_number_format():
    assert certificate_number("LY0301", date(2026, 11, 29), 123) == NUMBER
    assert certificate_number("A", date(2026, 1, 2), 999_999) == "ZYZM-A-20260102-999999"


@pytest.mark.parametrize(
    ("code", "serial"),
    [("", 1), ("LY-03", 1), ("白塔", 1), ("LY0301", 0), ("LY0301", 1_000_000), ("LY0301", -1), ("LY0301", True)],
)
def test_certificate_number_rejects_bad_parts(code, serial):
    with pytest.raises(ValueError):
        certificate_number(code, date(2026, 11, 29), serial)


def test_certificate_rejects_a_star_level_out_of_range():
    with pytest.raises(ValueError):
        make_certificate(stars=6)


# --- the PDF ---------------------------------------------------------------------------------------


def test_pdf_embeds_the_cjk_truetype_font_and_no_other():
    pdf = render_pdf(make_certificate())

    assert pdf.startswith(b"%PDF-")
    fonts = fonts_of(pdf)
    assert fonts, "no fonts on the page"
    for font in fonts:
        assert font["/Subtype"] == "/TrueType"
        assert "WenQuanYiMicroHei" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"], f"{font['/BaseFont']} is not embedded"
    assert len(pdf) < 200_000, f"a short certificate should be a small subset, not {len(pdf)} bytes"


def test_pdf_text_states_identity_hours_number_and_verification():
    cert = make_certificate(total_hours=Decimal("1234.5"), stars=4)

    text = text_of(render_pdf(cert))

    assert "志愿服务证明" in text
    assert "张晓明" in text
    assert "110***********1234" in text
    assert "1234.5 小时" in text
    assert "不含往返路途时间" in compact(text)
    assert "★★★★" in text and "★★★★★" not in text
    assert "2025年3月1日" in text and "2025年4月5日" in text
    assert NUMBER in text
    assert URL in compact(text)  # the URL may wrap under the QR code
    assert "扫码或访问上述网址核验本证明真伪" in compact(text)
    assert "辽阳市白塔区文圣街道新时代文明实践所" in compact(text)
    assert "2026年11月29日" in text
    for heading in ("日期", "服务内容", "所属队伍", "时长"):
        assert heading in text
    assert "助学辅导" in text and "红十字应急救援队" in text


def test_pdf_escapes_markup_in_user_text():
    cert = make_certificate(volunteer_name="李<四>&", lines=(
        ServiceLine(date(2026, 1, 5), "清理<楼道>杂物 & 宣传", Decimal("1.25"), "A&B 队"),
    ), total_hours=Decimal("1.25"), first_date=date(2026, 1, 5), last_date=date(2026, 1, 5))

    text = text_of(render_pdf(cert))

    assert "李<四>&" in text
    assert "于2026年1月5日参加志愿服务" in compact(text)  # one day: no "自 … 至 …"
    assert "清理<楼道>杂物&宣传" in compact(text)
    assert "1.25" in text  # hours are never rounded away


def test_pdf_without_service_lines_still_renders():
    cert = make_certificate(n_lines=0, stars=0)

    text = text_of(render_pdf(cert))

    assert "累计服务时长0.0小时" in compact(text)
    assert "星级" not in text


def test_long_certificate_flows_onto_more_pages_with_the_header_repeated():
    pdf = render_pdf(make_certificate(n_lines=120))

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 1
    rows_seen = 0
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        rows = len(re.findall(r"20\d\d-\d\d-\d\d", text))
        if rows:
            assert "服务内容" in text and "所属队伍" in text, f"table header missing on page {number}"
        rows_seen += rows
        assert "张晓明" in text and NUMBER in text, f"page {number} does not say whose certificate it is"
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
    assert rows_seen == 120
    assert "扫码或访问上述网址核验本证明真伪" in pages[-1].extract_text()
    assert len(pdf) < 500_000


@pytest.mark.parametrize("name", ["李四", "欧阳娜娜", "买买提·艾力", "阿卜杜热合曼·买买提明·阿不都外力"])
def test_statement_lines_keep_dates_whole_and_obey_punctuation_rules(name):
    cert = make_certificate(volunteer_name=name, stars=5)
    parts = certificates._statement(cert)
    flowable = certificates._Statement(parts, certificates._font_name(), 12.5, 24, 25)
    whole = [text for text, keep_whole in parts if keep_whole]

    for width in range(180, 482, 3):  # 482 pt is the text width on A4 with 20 mm margins
        flowable.wrap(width, 1000)

        lines = flowable.lines
        assert "".join(lines).replace(" ", "") == "".join(text for text, _ in parts).replace(" ", "")
        for i, line in enumerate(lines):
            assert line and line[0] not in "，。）、：" and line[-1] not in "（", (width, lines)
            natural = pdfmetrics.stringWidth(line, flowable.font, 12.5) + (25 if i == 0 else 0)
            assert natural <= width + 0.01 or len(line) == 1, (width, line)
        for text in whole:
            if pdfmetrics.stringWidth(text, flowable.font, 12.5) <= width - 25:
                assert any(text in line for line in lines), (width, text, lines)


def test_qr_code_is_a_full_qr_of_the_verification_url():
    qr = verification_qr(URL)

    assert not qr.is_micro
    assert qr.symbol_size(border=0) == segno.make(URL, error="m", micro=False).symbol_size(border=0)
    assert qr.error in {"M", "Q", "H"}
    with pytest.raises(ValueError):
        verification_qr("")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_qr_code_in_the_pdf_decodes_to_the_verification_url(tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    pdf_path = tmp_path / "c.pdf"
    pdf_path.write_bytes(render_pdf(make_certificate()))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", pdf_path, tmp_path / "c"], check=True)

    found = zxingcpp.read_barcodes(Image.open(tmp_path / "c.png"))

    assert [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode] == [URL]


def test_missing_font_file_is_a_configuration_error(settings, tmp_path):
    settings.PDF_FONT_PATH = str(tmp_path / "nope.ttc")

    with pytest.raises(ImproperlyConfigured, match="PDF_FONT_PATH") as excinfo:
        render_pdf(make_certificate())
    assert "fonts-wqy-microhei" in str(excinfo.value)


@pytest.mark.parametrize("content", ["garbage", "truncated font"])
def test_a_file_that_is_not_a_font_is_a_configuration_error(settings, tmp_path, content):
    bogus = tmp_path / "bogus.ttc"
    if content == "garbage":
        bogus.write_bytes(b"not a font at all")
    else:
        bogus.write_bytes(Path(settings.PDF_FONT_PATH).read_bytes()[:5000])
    settings.PDF_FONT_PATH = str(bogus)

    with pytest.raises(ImproperlyConfigured, match="PDF_FONT_PATH"):
        render_pdf(make_certificate())


@pytest.mark.skipif(not Path(LATIN_FONT).is_file(), reason="fonts-dejavu-core is not installed")
def test_a_font_without_chinese_glyphs_is_a_configuration_error(settings):
    settings.PDF_FONT_PATH = LATIN_FONT

    with pytest.raises(ImproperlyConfigured, match="no Chinese glyphs"):
        render_pdf(make_certificate())


def test_a_character_the_font_lacks_is_refused_rather_than_printed_as_a_box():
    cert = make_certificate(volunteer_name="吉\U00020BB7")  # 𠮷 (CJK Ext. B) is not in WenQuanYi Micro Hei

    with pytest.raises(ValueError, match="U\\+20BB7"):
        render_pdf(cert)


def test_the_font_is_registered_once_per_process():
    render_pdf(make_certificate())
    registered = set(pdfmetrics.getRegisteredFontNames())
    cached = dict(certificates._FONTS)

    render_pdf(make_certificate(n_lines=2))

    assert set(pdfmetrics.getRegisteredFontNames()) == registered
    assert certificates._FONTS == cached


def test_sample_certificate_is_saved_for_people_to_look_at():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pdf_path = OUTPUT / "certificate-sample.pdf"
    cert = make_certificate(n_lines=40, base_hours="7.5")  # 340 hours: ★★, two pages
    assert cert.stars == 2

    pdf_path.write_bytes(render_pdf(cert))

    assert pdf_path.stat().st_size < 200_000
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", pdf_path, OUTPUT / "certificate-sample"], check=True
        )
        assert (OUTPUT / "certificate-sample.png").stat().st_size > 0
