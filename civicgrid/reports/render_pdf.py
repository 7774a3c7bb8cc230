"""A report as an A4 PDF: the same sections as the workbook, each a table, with a chart drawn server-side
(reportlab graphics). The PDF leaves the system, so its CJK TrueType font (PDF_FONT_PATH, by default
fonts-wqy-microhei's .ttc, face 0) is embedded as a subset; no base-14 font is used anywhere."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from civicgrid.reports.sections import Report, Section

PALETTE = [colors.HexColor(c) for c in ("#b3261e", "#667085", "#1570ef", "#12b76a", "#f79009")]
_LOCK = threading.Lock()
_BUILD = threading.Lock()  # reportlab's TTFont keeps per-document subset state: one build at a time


def font_name() -> str:
    path = str(settings.PDF_FONT_PATH)
    if not Path(path).is_file():
        raise ImproperlyConfigured(f"PDF_FONT_PATH {path!r} does not exist (install fonts-wqy-microhei)")
    name = "CivicgridReport-" + hashlib.sha1(path.encode()).hexdigest()[:8]
    with _LOCK:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    return name


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _table(section: Section, font: str, width: float) -> Table:
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    rows = [[Paragraph(escape(str(c)), cell) for c in section.columns]]
    rows += [[Paragraph(escape(_text(v)), cell) for v in row] for row in section.rows]
    first = 10 * mm if section.columns[:1] == ("#",) else min(40 * mm, width * 0.3)
    rest = (width - first) / max(len(section.columns) - 1, 1)
    table = Table(rows, colWidths=[first] + [rest] * (len(section.columns) - 1), repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f4f7")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#98a2b3")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _number(value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _chart(section: Section, font: str, width: float) -> Drawing | None:
    spec = section.chart
    bars = [s for s in spec["series"] if s.get("type", "bar") == "bar"]
    lines = [s for s in spec["series"] if s.get("type") == "line"]
    categories = [str(c) for c in spec["categories"]]
    if not categories:
        return None
    height = max(70 * mm, 7 * mm * len(categories)) if spec.get("horizontal") else 70 * mm
    drawing = Drawing(width, height + 18 * mm)
    drawing.initialFontName = font  # the renderer's starting state would name Helvetica (not embedded)
    plot_x, plot_y = (38 * mm if spec.get("horizontal") else 14 * mm), 10 * mm
    plot_w, plot_h = width - plot_x - 8 * mm, height - 6 * mm
    if bars:
        chart = HorizontalBarChart() if spec.get("horizontal") else VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = plot_x, plot_y, plot_w, plot_h
        chart.data = [[_number(v) for v in s["values"]] for s in bars]
        chart.categoryAxis.categoryNames = categories
        chart.categoryAxis.labels.fontName = font
        chart.categoryAxis.labels.fontSize = 6.5
        if spec.get("horizontal"):
            chart.categoryAxis.reverseDirection = 1
            chart.categoryAxis.labels.boxAnchor = "e"
        else:
            chart.categoryAxis.labels.angle = 30 if len(categories) > 8 else 0
            chart.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 8 else "n"
        chart.valueAxis.labels.fontName = font
        chart.valueAxis.labels.fontSize = 6.5
        chart.valueAxis.valueMin = 0
        for i in range(len(bars)):
            chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
            chart.bars[i].strokeColor = None
        drawing.add(chart)
    if lines:
        line = HorizontalLineChart()
        line.x, line.y, line.width, line.height = plot_x, plot_y, plot_w, plot_h
        line.data = [[_number(v) for v in s["values"]] for s in lines]
        line.categoryAxis.categoryNames = categories
        line.categoryAxis.visible = not bars
        line.categoryAxis.labels.fontName = font
        line.valueAxis.valueMin, line.valueAxis.valueMax = 0, 100
        line.valueAxis.visible = not bars
        line.valueAxis.labels.fontName = font
        for i in range(len(lines)):
            line.lines[i].strokeColor = PALETTE[(len(bars) + i) % len(PALETTE)]
            line.lines[i].strokeWidth = 1.5
        drawing.add(line)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 7
    legend.x, legend.y = plot_x, height + 16 * mm
    legend.alignment, legend.columnMaximum, legend.dx, legend.dy = "right", 2, 6, 6
    legend.deltax = 34 * mm
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], s["name"]) for i, s in enumerate(bars + lines)]
    drawing.add(legend)
    if lines and bars:
        drawing.add(String(plot_x + plot_w, plot_y + plot_h + 2 * mm, "折线:0–100%", fontName=font, fontSize=7,
                           textAnchor="end"))
    return drawing


def render(report: Report) -> bytes:
    font = font_name()
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4 * mm)
    heading = ParagraphStyle("heading", parent=base, fontSize=12, leading=16, spaceBefore=5 * mm, spaceAfter=2 * mm)
    note = ParagraphStyle("note", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#475467"))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=report.title, subject=report.subtitle, creator="civicgrid",
                            lang="zh-CN", initialFontName=font)

    def footer(canvas, document):
        canvas.setFont(font, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(16 * mm, 9 * mm, report.title)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"第 {document.page} 页")

    story = [Paragraph(escape(report.title), title), Paragraph(escape(report.subtitle), base)]
    for i, section in enumerate(report.sections):
        block = [Paragraph(escape(f"{i + 1}. {section.title}"), heading)]
        if section.note:
            block.append(Paragraph(escape(section.note), note))
        if section.chart:
            drawing = _chart(section, font, doc.width)
            if drawing is not None:
                block += [drawing, Spacer(1, 2 * mm)]
        story.append(KeepTogether(block))
        story.append(_table(section, font, doc.width))
    with _BUILD:
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
