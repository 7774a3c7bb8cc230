"""Campaign forms in pure Python (no Django): what a form definition may contain, the simple display
conditions (a subset of XLSForm `relevant` expressions), and the checking of one household's answers.

A definition is JSON:

    {"fields": [{"name": "test_done", "type": "yesno", "label": "是否已完成核酸检测", "hint": "",
                 "required": true, "relevant": "${members_present} > 0"}, ...]}

`normalize_definition` checks it and returns the normalized copy (with `when`, the condition parsed by
conditions.py, that the phone evaluates offline with the same rules as `relevant_fields` here).
`clean_answers` checks answers against it: answers of fields whose condition is false are dropped,
required fields must be answered when shown. Messages are Chinese; errors carry the field name so the UI can put them next to the input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from civicgrid.gridops.campaigns.conditions import (
    ConditionError,
    condition_text,
    evaluate,
    number,
    parse_condition,
)

FIELD_TYPES = ("text", "integer", "decimal", "date", "select_one", "select_multiple", "yesno", "photo")
TYPE_LABELS = {
    "text": "文本", "integer": "整数", "decimal": "小数", "date": "日期", "select_one": "单选",
    "select_multiple": "多选", "yesno": "是/否", "photo": "照片",
}
CHOICE_TYPES = ("select_one", "select_multiple", "yesno")  # fields whose answers are counted per option
NUMBER_TYPES = ("integer", "decimal")
YESNO_CHOICES = ({"value": "yes", "label": "是"}, {"value": "no", "label": "否"})
NEW_PHOTO = "new"  # a photo answer whose picture arrives with the same write
MAX_FIELDS = 100
MAX_CHOICES = 100
MAX_TEXT = 500
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
CHOICE_VALUE = re.compile(r"^[^\s'\"]{1,40}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INTEGER = re.compile(r"^[+-]?\d{1,12}$")
DECIMAL = re.compile(r"^[+-]?(\d{1,12}(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: which field (by position and name) and why."""

    index: int | None  # position in `fields`, None for the definition as a whole
    name: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "code": self.code, "message": self.message}


class DefinitionError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


class AnswerError(Exception):
    """Answers that do not fit the form: `errors` maps a field name (or "__all__") to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


# --- conditions (parsed and evaluated in conditions.py) -----------------------------------------


def relevant_fields(definition: dict, answers: dict) -> list[str]:
    """Names of the fields shown for these answers, in order. A field is shown when its condition holds
    over the answers of the fields shown before it (a hidden field counts as unanswered)."""
    types = {f["name"]: f["type"] for f in definition["fields"]}
    shown: list[str] = []
    visible_answers: dict = {}
    for field in definition["fields"]:
        if evaluate(field.get("when"), visible_answers, types):
            shown.append(field["name"])
            if field["name"] in answers:
                visible_answers[field["name"]] = answers[field["name"]]
    return shown


OP_WORDS = {"=": "为", "!=": "不为", ">": "大于", ">=": "不小于", "<": "小于", "<=": "不大于", "selected": "选了",
            "not_selected": "没有选"}


def condition_label(when: dict | None, fields: dict[str, dict]) -> str:
    """A condition in words, e.g. 当“是否已完成核酸检测”为“否”时填写."""
    if not when:
        return ""
    parts = []
    for term in when["terms"]:
        field = fields.get(term["field"], {"label": term["field"], "type": "text"})
        value = term["value"]
        if value == "" and term["op"] in ("=", "!="):
            parts.append(f"“{field['label']}”{'未填写' if term['op'] == '=' else '已填写'}")
            continue
        if field["type"] in CHOICE_TYPES:
            value = {c["value"]: c["label"] for c in choices_of(field)}.get(str(value), value)
        parts.append(f"“{field['label']}”{OP_WORDS[term['op']]}“{value}”")
    return "当" + ("且" if when["join"] == "and" else "或").join(parts) + "时填写"


# --- definitions -----------------------------------------------------------------------------------


def choices_of(field: dict) -> list[dict]:
    return [dict(c) for c in YESNO_CHOICES] if field["type"] == "yesno" else list(field.get("choices") or [])


def _check_condition(when: dict, index: int, earlier: dict[str, dict]) -> str | None:
    """Why the condition is not valid for the fields before it, or None."""
    for term in when["terms"]:
        name, op, value = term["field"], term["op"], term["value"]
        if name not in earlier:
            return f"条件引用的字段“{name}”不存在或不在本字段之前"
        ref = earlier[name]
        kind = ref["type"]
        if op in ("selected", "not_selected"):
            if kind not in CHOICE_TYPES:
                return f"selected() 只能用于单选、多选或是/否字段,“{name}”是{TYPE_LABELS[kind]}"
        elif value == "":
            if op not in ("=", "!="):
                return "判断是否已填写只能用 = '' 或 != ''"
            continue
        elif kind == "select_multiple":
            return f"多选字段“{name}”请用 selected(${{{name}}}, '值') 判断"
        elif kind in ("text", "photo", "select_one", "yesno") and op not in ("=", "!="):
            return f"{TYPE_LABELS[kind]}字段“{name}”只能用 = 或 != 比较"
        elif kind in NUMBER_TYPES and not isinstance(value, int | float):
            return f"数值字段“{name}”须与数字比较"
        elif kind == "date" and not (isinstance(value, str) and _valid_date(value)):
            return f"日期字段“{name}”须与形如 '2024-05-01' 的日期比较"
        if kind in CHOICE_TYPES and value != "":
            values = {c["value"] for c in choices_of(ref)}
            if str(value) not in values:
                return f"“{value}”不是字段“{name}”的选项(可选:{'、'.join(sorted(values))})"
    return None


def _valid_date(text: str) -> bool:
    if not DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _clean_choices(raw, index: int, name: str, problems: list[Problem]) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(index, name, "choices_required", "单选或多选字段至少需要一个选项"))
        return []
    if len(raw) > MAX_CHOICES:
        problems.append(Problem(index, name, "too_many_choices", f"选项最多 {MAX_CHOICES} 个"))
    out, seen = [], set()
    for item in raw:
        value = str(item.get("value", "") if isinstance(item, dict) else "").strip()
        label = str(item.get("label", "") if isinstance(item, dict) else "").strip() or value
        if not CHOICE_VALUE.match(value):
            problems.append(Problem(index, name, "choice_value_invalid",
                                    f"选项值“{value}”无效:须为 1–40 个字符,不含空格和引号"))
            continue
        if value in seen:
            problems.append(Problem(index, name, "choice_value_duplicate", f"选项值“{value}”重复"))
            continue
        seen.add(value)
        out.append({"value": value, "label": label[:100]})
    return out


def _bound(raw, index: int, name: str, which: str, problems: list[Problem]) -> int | float | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        problems.append(Problem(index, name, "bound_invalid", f"{which}须为数字"))
        return None
    try:
        value = number(str(raw).strip())
    except ValueError:
        problems.append(Problem(index, name, "bound_invalid", f"{which}须为数字"))
        return None
    if not math.isfinite(value):
        problems.append(Problem(index, name, "bound_invalid", f"{which}须为数字"))
        return None
    return value


def normalize_definition(raw) -> dict:
    """Check a definition and return its normalized form; raises DefinitionError listing every problem."""
    problems: list[Problem] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("fields"), list):
        raise DefinitionError([Problem(None, "", "definition_invalid", "表单定义须包含字段列表 fields")])
    if len(raw["fields"]) > MAX_FIELDS:
        problems.append(Problem(None, "", "too_many_fields", f"字段最多 {MAX_FIELDS} 个"))
    fields: list[dict] = []
    earlier: dict[str, dict] = {}
    for index, item in enumerate(raw["fields"]):
        if not isinstance(item, dict):
            problems.append(Problem(index, "", "field_invalid", "字段定义格式有误"))
            continue
        name = str(item.get("name") or "").strip()
        kind = str(item.get("type") or "").strip()
        label = str(item.get("label") or "").strip()
        if not NAME.match(name):
            problems.append(Problem(index, name, "name_invalid",
                                    f"字段名“{name}”无效:须以字母开头,只含字母、数字和下划线,最多 40 个字符"))
        elif name in earlier:
            problems.append(Problem(index, name, "name_duplicate", f"字段名“{name}”重复"))
        if kind not in FIELD_TYPES:
            problems.append(Problem(index, name, "type_invalid", f"不支持的字段类型“{kind}”"))
            continue
        if not label:
            problems.append(Problem(index, name, "label_required", "请填写题目(标签)"))
        field = {"name": name, "type": kind, "label": label[:200], "hint": str(item.get("hint") or "").strip()[:300],
                 "required": bool(item.get("required"))}
        if kind in ("select_one", "select_multiple"):
            field["choices"] = _clean_choices(item.get("choices"), index, name, problems)
        if kind in NUMBER_TYPES:
            low = _bound(item.get("min"), index, name, "最小值", problems)
            high = _bound(item.get("max"), index, name, "最大值", problems)
            if kind == "integer" and any(isinstance(b, float) for b in (low, high)):
                problems.append(Problem(index, name, "bound_invalid", "整数字段的最小值、最大值须为整数"))
            if low is not None and high is not None and low > high:
                problems.append(Problem(index, name, "bounds_inverted", "最小值大于最大值"))
            field["min"], field["max"] = low, high
        relevant = str(item.get("relevant") or "").strip()
        field["relevant"], field["when"] = "", None
        if relevant:
            try:
                when = parse_condition(relevant)
            except ConditionError as exc:
                problems.append(Problem(index, name, "condition_invalid", f"显示条件有误:{exc}"))
            else:
                why = _check_condition(when, index, earlier)
                if why:
                    problems.append(Problem(index, name, "condition_invalid", f"显示条件有误:{why}"))
                else:
                    field["relevant"], field["when"] = condition_text(when), when
        fields.append(field)
        if NAME.match(name) and name not in earlier:
            earlier[name] = field
    if problems:
        raise DefinitionError(problems)
    return {"fields": fields}


def field_map(definition: dict) -> dict[str, dict]:
    return {f["name"]: f for f in definition["fields"]}


# --- answers ---------------------------------------------------------------------------------------


def _clean_value(field: dict, value):
    """The stored form of one answer value, None for "not answered"; raises ValueError with a message."""
    kind = field["type"]
    if value is None or value == "" or value == []:
        return None
    if kind == "text":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("请填写文字")
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"最多 {MAX_TEXT} 个字")
        return text or None
    if kind in NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("请填写数字")
        text = str(value).strip()
        if kind == "integer":
            if isinstance(value, float) and value.is_integer():
                number: int | float = int(value)
            elif isinstance(value, int) or INTEGER.match(text):
                number = int(text)
            else:
                raise ValueError("请填写整数")
        else:
            if not (isinstance(value, int | float) or DECIMAL.match(text)):
                raise ValueError("请填写数字")
            number = float(text)
            if not math.isfinite(number):
                raise ValueError("请填写数字")
        if field.get("min") is not None and number < field["min"]:
            raise ValueError(f"不能小于 {field['min']}")
        if field.get("max") is not None and number > field["max"]:
            raise ValueError(f"不能大于 {field['max']}")
        return number
    if kind == "date":
        if not isinstance(value, str) or not _valid_date(value.strip()):
            raise ValueError("请填写日期,如 2024-05-01")
        return value.strip()
    if kind == "yesno":
        if value is True or value == "yes":
            return "yes"
        if value is False or value == "no":
            return "no"
        raise ValueError("请选择“是”或“否”")
    if kind == "select_one":
        values = [c["value"] for c in field["choices"]]
        if not isinstance(value, str) or value not in values:
            raise ValueError("请从选项中选择")
        return value
    if kind == "select_multiple":
        chosen = value.split() if isinstance(value, str) else value
        if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            raise ValueError("请从选项中选择")
        values = [c["value"] for c in field["choices"]]
        unknown = [v for v in chosen if v not in values]
        if unknown:
            raise ValueError(f"“{unknown[0]}”不是选项")
        return [v for v in values if v in chosen] or None
    if kind == "photo":
        if value == NEW_PHOTO:
            return NEW_PHOTO
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit() or int(value) < 1:
            raise ValueError("照片无效,请重新拍摄")
        return int(value)
    raise ValueError("不支持的字段类型")


def clean_answers(definition: dict, raw) -> dict:
    """The answers as stored: only fields that are shown, values in their stored form. Raises AnswerError
    with one message per field (unknown fields, wrong values, required fields left empty)."""
    if not isinstance(raw, dict):
        raise AnswerError({"__all__": "答卷格式有误"})
    fields = field_map(definition)
    errors: dict[str, str] = {}
    values: dict = {}
    for name, value in raw.items():
        if name not in fields:
            errors[name] = "表单中没有这个字段"
            continue
        try:
            cleaned = _clean_value(fields[name], value)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        if cleaned is not None:
            values[name] = cleaned
    shown = relevant_fields(definition, values)
    for name in shown:
        if fields[name]["required"] and name not in values and name not in errors:
            errors[name] = "必填"
    if errors:
        raise AnswerError(errors)
    return {name: values[name] for name in shown if name in values}


def display_value(field: dict, value) -> str:
    """An answer as people read it: choice labels instead of values."""
    if value is None or value == "" or value == []:
        return ""
    if field["type"] in CHOICE_TYPES:
        labels = {c["value"]: c["label"] for c in choices_of(field)}
        chosen = value if isinstance(value, list) else [value]
        return "、".join(labels.get(v, str(v)) for v in chosen)
    if field["type"] == "photo":
        return "已拍照"
    if field["type"] == "decimal" and isinstance(value, float):
        return f"{value:g}"
    return str(value)
