"""GB/T 4754-2017 national economy industry classification (国民经济行业分类) as data. Pure Python.

The table ships as ``data/gbt4754_2017.csv`` (code, name, level, parent; its header records the source):
20 sections (门类, ``A``-``T``), 97 divisions (大类, 2 digits), 473 groups (中类, 3 digits) and 1381 classes
(小类, 4 digits). An enterprise's industry code is normally a class; any level is a valid code.

Codes are accepted with or without their section letter (``C2614`` = ``2614``) and with blanks; the
letter must then be the code's own section.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"
LEVELS = ("section", "division", "group", "class")
LEVEL_LABELS = {"section": "门类", "division": "大类", "group": "中类", "class": "小类"}


@dataclass(frozen=True)
class Industry:
    code: str  # "C", "26", "261", "2614"
    name: str
    level: str  # one of LEVELS
    parent: str  # "" for a section

    @property
    def section(self) -> str:
        return section_of(self.code) or ""

    @property
    def label(self) -> str:
        """``C2614 有机化学原料制造``: the form used in statistics reports and on screens."""
        prefix = self.code if self.level == "section" else f"{self.section}{self.code}"
        return f"{prefix} {self.name}"


@cache
def _table() -> dict[str, Industry]:
    with DATA.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return {row["code"]: Industry(row["code"], row["name"], row["level"], row["parent"])
            for row in csv.DictReader(lines)}


@cache
def _sections_by_division() -> dict[str, str]:
    return {i.code: i.parent for i in _table().values() if i.level == "division"}


def normalise(code: str) -> str:
    """Upper case, no blanks; a leading section letter before digits is dropped if it is the right one
    (a wrong one is kept, so the code stays invalid)."""
    text = "".join(str(code).split()).upper()
    if len(text) >= 3 and text[0].isalpha() and text[1:].isdigit():
        division_section = _sections_by_division().get(text[1:3])
        if division_section == text[0]:
            return text[1:]
    return text


def lookup(code: str) -> Industry | None:
    return _table().get(normalise(code))


def is_valid(code: str, *, level: str | None = None) -> bool:
    """True for a code in the table (of the given level, if one is given)."""
    found = lookup(code)
    return found is not None and (level is None or found.level == level)


def section_of(code: str) -> str | None:
    """The section letter of any valid code (``2614`` -> ``C``), or None."""
    found = lookup(code)
    if found is None:
        return None
    if found.level == "section":
        return found.code
    return _sections_by_division()[found.code[:2]]


def division_of(code: str) -> str | None:
    """The two-digit division of a valid code below section level, or None."""
    found = lookup(code)
    return None if found is None or found.level == "section" else found.code[:2]


def ancestors(code: str) -> list[Industry]:
    """Section first, down to and including the code itself; empty for an unknown code."""
    chain: list[Industry] = []
    found = lookup(code)
    while found is not None:
        chain.append(found)
        found = _table().get(found.parent) if found.parent else None
    return chain[::-1]


def children(code: str) -> list[Industry]:
    target = normalise(code)
    return [i for i in _table().values() if i.parent == target]


def all_industries(level: str | None = None) -> list[Industry]:
    return [i for i in _table().values() if level is None or i.level == level]


def search(text: str, limit: int = 20) -> list[Industry]:
    """Code prefix (``261``, ``C26``) or Chinese name substring (``电池``), in table order."""
    query = "".join(str(text).split())
    if not query or limit <= 0:
        return []
    code = normalise(query)
    if code.isdigit():
        hits = (i for i in _table().values() if i.level != "section" and i.code.startswith(code))
    elif len(code) == 1 and code.isalpha():
        hits = (i for i in _table().values() if section_of(i.code) == code)
    else:
        hits = (i for i in _table().values() if query in i.name)
    result = []
    for industry in hits:
        result.append(industry)
        if len(result) == limit:
            break
    return result
