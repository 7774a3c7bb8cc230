"""Writing rows to Excel sheets so that user text stays text (OWASP formula injection).

openpyxl turns any string that starts with "=" into a live formula, and a cell whose text starts with
"+", "-", "@", a tab or a carriage return is run as one by spreadsheet programs once it is edited or
saved as CSV. `write_row` stores such a string as a plain string cell marked "quote prefix" (what Excel
itself does for text typed after an apostrophe): the text shows exactly as entered, no apostrophe
is added, and the project's importers read it back unchanged. Numbers, dates and booleans stay typed.
Every Excel export writes its rows through here (a test in core/tests/test_xlsx.py checks the modules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
