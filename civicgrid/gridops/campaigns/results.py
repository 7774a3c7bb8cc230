"""Aggregating answers (pure: lists of answer dicts in, plain dicts out): per-field counts for choice and
yes/no questions, count/sum/mean/min/max for numbers, ranges for dates, and a cross-tab of two choice
questions. queries.py feeds it the answers a viewer may see."""

from __future__ import annotations

import math

from civicgrid.gridops.campaigns import schema


def _share(count: int, base: int) -> float:
    return round(100 * count / base, 1) if base else 0.0


def _values(answer: dict, name: str) -> list:
    value = answer.get(name)
    if value is None or value == "" or value == []:
        return []
    return value if isinstance(value, list) else [value]


def summarize(definition: dict, answers: list[dict]) -> list[dict]:
    """One summary per field, in form order. `answered` counts answers that hold a value for the field;
    `total` is the number of answers (households) summarized."""
    total = len(answers)
    out = []
    for field in definition["fields"]:
        name, kind = field["name"], field["type"]
        present = [a[name] for a in answers if _values(a, name)]
        summary = {"name": name, "label": field["label"], "type": kind, "type_label": schema.TYPE_LABELS[kind],
                   "answered": len(present), "total": total}
        if kind in schema.CHOICE_TYPES:
            counts = {c["value"]: 0 for c in schema.choices_of(field)}
            for value in present:
                for v in (value if isinstance(value, list) else [value]):
                    if v in counts:
                        counts[v] += 1
            summary["options"] = [{"value": c["value"], "label": c["label"], "count": counts[c["value"]],
                                   "share": _share(counts[c["value"]], len(present))}
                                  for c in schema.choices_of(field)]
        elif kind in schema.NUMBER_TYPES:
            numbers = [float(v) for v in present]
            total_sum = math.fsum(numbers)
            summary.update(
                sum=_tidy(total_sum, kind), mean=round(total_sum / len(numbers), 2) if numbers else None,
                min=_tidy(min(numbers), kind) if numbers else None, max=_tidy(max(numbers), kind) if numbers else None)
        elif kind == "date":
            summary.update(min=min(present) if present else None, max=max(present) if present else None)
        out.append(summary)
    return out


def _tidy(value: float, kind: str) -> int | float:
    return int(round(value)) if kind == "integer" else round(value, 4)


def crosstab(definition: dict, answers: list[dict], row: str, col: str) -> dict:
    """Counts of households by the options of two choice questions (a multi-choice answer counts once per
    chosen option). Households that did not answer both are left out; `counted` says how many remain."""
    fields = schema.field_map(definition)
    for name in (row, col):
        if name not in fields or fields[name]["type"] not in schema.CHOICE_TYPES:
            raise ValueError(f"“{name}”不是单选、多选或是/否题")
    row_options, col_options = schema.choices_of(fields[row]), schema.choices_of(fields[col])
    index_r = {c["value"]: i for i, c in enumerate(row_options)}
    index_c = {c["value"]: i for i, c in enumerate(col_options)}
    cells = [[0] * len(col_options) for _ in row_options]
    counted = 0
    for answer in answers:
        rows, cols = _values(answer, row), _values(answer, col)
        if not rows or not cols:
            continue
        counted += 1
        for r in rows:
            for c in cols:
                if r in index_r and c in index_c:
                    cells[index_r[r]][index_c[c]] += 1
    return {
        "row": {"name": row, "label": fields[row]["label"]}, "col": {"name": col, "label": fields[col]["label"]},
        "row_labels": [c["label"] for c in row_options], "col_labels": [c["label"] for c in col_options],
        "cells": cells, "row_totals": [sum(r) for r in cells],
        "col_totals": [sum(r[i] for r in cells) for i in range(len(col_options))],
        "total": sum(sum(r) for r in cells), "counted": counted,
    }
