"""XLSForm import: an .xlsx in the field-data-collection standard (https://xlsform.org) becomes a campaign
form definition (schema.py).

Supported on the `survey` sheet: types text, integer, decimal, date, select_one <list>, select_multiple
<list>, image (photo); columns name, label (a Chinese `label::…` column such as `label::Chinese (zh)` or
`label::zh` is preferred), hint, required, relevant (the simple conditions of
conditions.parse_condition) and constraint (only `. >= n` / `. <= n`). The `choices` sheet gives the
lists; a select_one over exactly the values yes/no becomes a yes/no field. Metadata rows (start, end,
today, deviceid, …) and notes are skipped with a warning. The sheet is checked row by row here, then
against schema.normalize_definition, then by pyxform itself (the reference converter, whose messages are
English); every problem is reported with its sheet and row, and nothing is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO

from civicgrid.core import errors
from civicgrid.gridops.campaigns import schema

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
TYPES = {"text": "text", "string": "text", "integer": "integer", "int": "integer", "decimal": "decimal",
         "date": "date", "image": "photo", "photo": "photo"}
SELECTS = {"select_one": "select_one", "select one": "select_one", "select_multiple": "select_multiple",
           "select all that apply": "select_multiple"}
SKIPPED = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email",
           "audit", "note", "start-geopoint"}
CHINESE = re.compile(r"zh|chinese|中文|汉语|简体", re.IGNORECASE)
ROW_IN_MESSAGE = re.compile(r"\[row\s*:\s*(\d+)\]\s*", re.IGNORECASE)
TRUE = {"yes", "true", "true()", "1", "y", "是"}
FALSE = {"", "no", "false", "false()", "0", "n", "否"}
BOUND = re.compile(r"^\.\s*(>=|<=)\s*([+-]?\d+(?:\.\d+)?)$")


@dataclass
class ImportedForm:
    definition: dict
    title: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Rows:
    headers: dict[str, int]  # normalized header -> column index
    rows: list[tuple[int, list]]  # (sheet row number, cell values)


def _problem(sheet: str, row: int | None, reason: str) -> dict:
    return {"sheet": sheet, "row": row, "reason": reason}


def _fail(problems: list[dict]) -> errors.ValidationFailed:
    first = problems[0]
    where = f"{first['sheet']} 表第 {first['row']} 行:" if first["row"] else f"{first['sheet']} 表:"
    return errors.ValidationFailed(f"XLSForm 表格有误,未导入。{where}{first['reason']}", code="xlsform_invalid",
                                   details=problems)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sheet(workbook, name: str):
    for sheet in workbook.worksheets:
        if sheet.title.strip().lower() == name:
            return sheet
    return None


def _read(sheet) -> _Rows:
    values = list(sheet.iter_rows(values_only=True))
    header_cells = values[0] if values else ()
    headers: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        text = _text(cell)
        if text:
            key, _, lang = text.partition("::")
            headers.setdefault(f"{key.strip().lower()}::{lang.strip()}" if lang else key.strip().lower(), index)
    rows = []
    for number, row in enumerate(values[1:], start=2):
        cells = [_text(c) for c in row]
        if any(cells):
            rows.append((number, cells))
    return _Rows(headers, rows)


def _language_column(headers: dict[str, int], base: str) -> int | None:
    """The Chinese `base::…` column if any, else the plain `base` column, else the first `base::…`."""
    localized = [(h, i) for h, i in headers.items() if h.startswith(f"{base}::")]
    for header, index in localized:
        if CHINESE.search(header.partition("::")[2]):
            return index
    if base in headers:
        return headers[base]
    return localized[0][1] if localized else None


def _cell(cells: list, index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _choices(workbook, problems: list[dict]) -> dict[str, list[dict]]:
    sheet = _sheet(workbook, "choices")
    if sheet is None:
        return {}
    data = _read(sheet)
    list_col = data.headers.get("list_name", data.headers.get("list name"))
    name_col = data.headers.get("name")
    label_col = _language_column(data.headers, "label")
    if list_col is None or name_col is None:
        problems.append(_problem("choices", 1, "choices 表须有 list_name 和 name 列"))
        return {}
    lists: dict[str, list[dict]] = {}
    for number, cells in data.rows:
        list_name, value = _cell(cells, list_col), _cell(cells, name_col)
        if not list_name or not value:
            problems.append(_problem("choices", number, "选项行缺少 list_name 或 name"))
            continue
        options = lists.setdefault(list_name, [])
        if any(o["value"] == value for o in options):
            problems.append(_problem("choices", number, f"列表“{list_name}”中选项“{value}”重复"))
            continue
        options.append({"value": value, "label": _cell(cells, label_col) or value, "row": number})
    return lists


def _kind(type_text: str) -> tuple[str | None, str]:
    """(our type, list name) for an XLSForm type; (None, "") when unsupported."""
    text = re.sub(r"\s+", " ", type_text.strip().lower())
    if text in TYPES:
        return TYPES[text], ""
    for prefix, kind in SELECTS.items():
        if text.startswith(prefix + " "):
            list_name = type_text.strip()[len(prefix):].strip()
            if " or_other" in list_name:
                return None, ""
            return kind, list_name
    return None, ""


def _bounds(constraint: str) -> dict | None:
    out: dict = {}
    for part in re.split(r"\s+and\s+", constraint.strip()):
        match = BOUND.match(part.strip())
        if not match:
            return None
        out["min" if match.group(1) == ">=" else "max"] = match.group(2)
    return out


def _survey(workbook, lists: dict[str, list[dict]], problems: list[dict], warnings: list[str]) -> list[tuple[int, dict]]:
    sheet = _sheet(workbook, "survey")
    if sheet is None:
        problems.append(_problem("survey", None, "缺少 survey 工作表"))
        return []
    data = _read(sheet)
    type_col, name_col = data.headers.get("type"), data.headers.get("name")
    label_col, hint_col = _language_column(data.headers, "label"), _language_column(data.headers, "hint")
    if type_col is None or name_col is None or label_col is None:
        problems.append(_problem("survey", 1, "survey 表须有 type、name 和 label 列"))
        return []
    required_col, relevant_col = data.headers.get("required"), data.headers.get("relevant")
    constraint_col = data.headers.get("constraint")
    if len(data.rows) > MAX_ROWS:
        problems.append(_problem("survey", None, f"题目过多(最多 {MAX_ROWS} 行)"))
        return []
    fields: list[tuple[int, dict]] = []
    for number, cells in data.rows:
        type_text, name = _cell(cells, type_col), _cell(cells, name_col)
        if not type_text:
            problems.append(_problem("survey", number, "缺少题型(type)"))
            continue
        if type_text.strip().lower() in SKIPPED:
            warnings.append(f"survey 表第 {number} 行:{type_text} 类型不需要入户填写,已忽略")
            continue
        kind, list_name = _kind(type_text)
        if kind is None:
            problems.append(_problem("survey", number, f"不支持的题型“{type_text}”(支持 text、integer、decimal、"
                                                       "date、select_one、select_multiple、image)"))
            continue
        if not name:
            problems.append(_problem("survey", number, "缺少字段名(name)"))
            continue
        label = _cell(cells, label_col)
        if not label:
            problems.append(_problem("survey", number, f"字段“{name}”缺少题目(label)"))
            continue
        required = _cell(cells, required_col).lower()
        if required not in TRUE | FALSE:
            problems.append(_problem("survey", number, f"required 列的值“{required}”无效,请填 yes 或留空"))
            continue
        item = {"name": name, "type": kind, "label": label, "hint": _cell(cells, hint_col),
                "required": required in TRUE, "relevant": _cell(cells, relevant_col)}
        if list_name:
            if list_name not in lists:
                problems.append(_problem("survey", number, f"choices 表中没有选项列表“{list_name}”"))
                continue
            options = lists[list_name]
            if kind == "select_one" and sorted(o["value"] for o in options) == ["no", "yes"]:
                item["type"] = "yesno"
            else:
                item["choices"] = [{"value": o["value"], "label": o["label"]} for o in options]
        constraint = _cell(cells, constraint_col)
        if constraint:
            bounds = _bounds(constraint) if kind in schema.NUMBER_TYPES else None
            if bounds is None:
                problems.append(_problem("survey", number, f"约束“{constraint}”不受支持:仅数值题支持 . >= 数值、"
                                                           ". <= 数值(可用 and 连接)"))
                continue
            item.update(bounds)
        fields.append((number, item))
    return fields


def _pyxform_check(data: bytes, problems: list[dict]) -> None:
    """Run the reference converter; its errors carry "[row : N]" when it knows the row."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=BytesIO(data), file_type=".xlsx", form_name="data")
    except PyXFormError as exc:
        message = str(exc)
        match = ROW_IN_MESSAGE.search(message)
        problems.append(_problem("survey", int(match.group(1)) if match else None,
                                 ROW_IN_MESSAGE.sub("", message).strip()))
    except Exception as exc:  # noqa: BLE001 - any converter failure means the sheet is not a valid XLSForm
        problems.append(_problem("survey", None, f"XLSForm 转换失败:{exc}"))


def read_xlsform(data: bytes) -> ImportedForm:
    """The campaign form in an XLSForm workbook; raises ValidationFailed(code="xlsform_invalid") with
    details `[{sheet, row, reason}]` listing every problem found."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise _fail([_problem("survey", None, f"文件过大(最大 {MAX_BYTES // (1024 * 1024)} MB)")])
    try:
        workbook = load_workbook(BytesIO(data), data_only=True)
    except Exception:  # noqa: BLE001 - not a readable .xlsx
        raise _fail([_problem("survey", None, "无法读取文件:请上传 .xlsx 格式的 XLSForm 表格")]) from None
    problems: list[dict] = []
    warnings: list[str] = []
    lists = _choices(workbook, problems)
    rows = _survey(workbook, lists, problems, warnings)
    if not problems and not rows:
        problems.append(_problem("survey", None, "表中没有可入户填写的题目"))
    if problems:
        raise _fail(problems)
    try:
        definition = schema.normalize_definition({"fields": [item for _, item in rows]})
    except schema.DefinitionError as exc:
        raise _fail([_problem("survey", rows[p.index][0] if p.index is not None else None, p.message)
                     for p in exc.problems]) from None
    _pyxform_check(data, problems)
    if problems:
        raise _fail(problems)
    title = ""
    settings = _sheet(workbook, "settings")
    if settings is not None:
        info = _read(settings)
        title_col = _language_column(info.headers, "form_title")
        if info.rows and title_col is not None:
            title = _cell(info.rows[0][1], title_col)
    return ImportedForm(definition=definition, title=title[:100], warnings=warnings)
