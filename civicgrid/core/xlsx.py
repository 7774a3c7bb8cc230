"""Writing rows to Excel sheets so that user text stays text (OWASP formula injection).

openpyxl turns any string that starts with "=" into a live formula, and a cell whose text starts with
"+", "-", "@", a tab or a carriage return is run as one by spreadsheet programs once it is edited or
saved as CSV. `write_row` stores such a string as a plain string cell marked "quote prefix" (what Excel
itself does for text typed after an apostrophe): the text shows exactly as entered, no apostrophe
is added, and the project's importers read it back unchanged. Numbers, dates and booleans stay typed.
Every Excel export writes its rows through here (a test in core/tests/test_xlsx.py checks the modules);
every import reads its sheet through `read_rows`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from civicgrid.core import errors

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # as openpyxl's ILLEGAL_CHARACTERS_RE


def text(value: str) -> str:
    """`value` as an .xlsx file can hold it: without the control characters XML refuses (openpyxl would
    fail the whole export for one of them), and with line ends as line feeds (XML reads a carriage
    return back as one anyway)."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL.sub("", value)


def cell(sheet, value):
    """What to put in a row for `value`: strings that a spreadsheet could take for a formula become a
    string cell with the quote prefix; anything else is passed as it is."""
    if not isinstance(value, str):
        return value
    value = text(value)
    if not value.startswith(FORMULA_START):
        return value
    from openpyxl.cell import WriteOnlyCell

    safe = WriteOnlyCell(sheet, value)  # a cell with a place, as both kinds of sheet accept in append
    safe.data_type = "s"  # after the value: assigning "=…" has just made it a formula
    safe.quotePrefix = True
    return safe


def write_row(sheet, values: Iterable) -> None:
    """Append one row of `values` to `sheet` (a normal or a write-only openpyxl worksheet)."""
    sheet.append([cell(sheet, value) for value in values])


def cell_text(value: Any) -> str:
    """A cell as the importers read it: whole floats as integers, dates as ISO days, text stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()


def read_rows(file, columns: Sequence, max_rows: int) -> list[tuple[int, dict[str, str]]]:
    """(Excel row number, {column key: text}) for every non-empty data row of the first sheet, the columns
    found by their headers (`columns`: objects with `key`, `header` and `required`). A file that is no
    workbook, a missing required header, no data row or more than `max_rows` rows is a 422 with its code."""
    from openpyxl import load_workbook

    try:
        if hasattr(file, "seek"):
            file.seek(0)
        workbook = load_workbook(file, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [cell_text(v) for v in next(rows, ())]
        data = list(enumerate(rows, start=2))
        workbook.close()
    except Exception:  # openpyxl raises many kinds for a broken or non-xlsx file
        raise errors.ValidationFailed("无法读取文件,请上传 .xlsx 格式的 Excel 文件", code="import_file_invalid") from None
    missing = [c.header for c in columns if c.required and c.header not in header]
    if missing:
        raise errors.ValidationFailed(
            "表头缺少必填列:" + "、".join(missing) + ",请使用导入模板", code="import_header_missing",
            details=[{"row": 1, "column": h, "code": "header_missing", "message": f"缺少列“{h}”"} for h in missing])
    by_header = {c.header: c.key for c in columns}
    index = {by_header[h]: i for i, h in enumerate(header) if h in by_header}
    result = []
    for number, row in data:
        cells = {key: cell_text(row[i]) if i < len(row) else "" for key, i in index.items()}
        if any(cells.values()):
            result.append((number, cells))
    if not result:
        raise errors.ValidationFailed("文件中没有数据行", code="import_file_empty")
    if len(result) > max_rows:
        raise errors.ValidationFailed(f"一次最多导入{max_rows}行,请拆分文件", code="import_too_many_rows")
    return result
