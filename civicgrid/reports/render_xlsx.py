"""A report as an .xlsx workbook: one sheet per section (rows through core.xlsx, formula-safe), with an
openpyxl chart beside the table of every section that has one."""

from __future__ import annotations

import re
from io import BytesIO

from civicgrid.core import xlsx
from civicgrid.reports.sections import Report

BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, used: set[str]) -> str:
    base = BAD_SHEET_CHARS.sub("", title)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def _chart(sheet, section, rows: int):
    from openpyxl.chart import BarChart, LineChart, Reference

    spec = section.chart
    bars = [i for i, s in enumerate(spec["series"]) if s.get("type", "bar") == "bar"]
    lines = [i for i, s in enumerate(spec["series"]) if s.get("type") == "line"]
    first_row, last_row = 4, 3 + rows  # title, blank line, header, then data
    categories = Reference(sheet, min_col=1, min_row=first_row, max_row=last_row)
    chart = None
    if bars:
        chart = BarChart()
        chart.type = "bar" if spec.get("horizontal") else "col"
        for i in bars:
            chart.add_data(Reference(sheet, min_col=i + 2, min_row=first_row - 1, max_row=last_row), titles_from_data=True)
        chart.set_categories(categories)
    if lines:
        line = LineChart()
        for i in lines:
            line.add_data(Reference(sheet, min_col=i + 2, min_row=first_row - 1, max_row=last_row), titles_from_data=True)
        line.set_categories(categories)
        if chart is None:
            chart = line
        else:
            line.y_axis.axId = 200
            line.y_axis.title = "%"
            line.y_axis.crosses = "max"
            chart += line
    chart.title = section.title
    chart.width, chart.height = 22, 11
    sheet.add_chart(chart, f"{chr(ord('A') + len(section.columns) + 1)}3")


def render(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    cover = workbook.create_sheet(_sheet_title("封面", used))
    xlsx.write_row(cover, [report.title])
    xlsx.write_row(cover, [report.subtitle])
    xlsx.write_row(cover, [])
    for i, section in enumerate(report.sections, start=1):
        xlsx.write_row(cover, [f"{i}. {section.title}"])
    cover["A1"].font = Font(size=16, bold=True)
    for section in report.sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        xlsx.write_row(sheet, [section.title])
        xlsx.write_row(sheet, [section.note])
        xlsx.write_row(sheet, list(section.columns))
        for row in section.rows:
            xlsx.write_row(sheet, ["" if v is None else v for v in row])
        sheet["A1"].font = Font(size=13, bold=True)
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 24 if section.chart else 18
        if section.key == "patrol_compliance" or section.columns[:1] == ("#",):
            sheet.column_dimensions["B"].width = 24
        if section.chart and section.rows:
            _chart(sheet, section, len(section.rows))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
