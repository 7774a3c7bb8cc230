"""Display conditions of campaign questions, in pure Python: a small subset of XLSForm `relevant`
expressions, parsed into a JSON structure (`when`) that the server and the phone (campaigns.js) evaluate
with the same rules."""

from __future__ import annotations

import re

NUMBER_TYPES = ("integer", "decimal")


class ConditionError(ValueError):
    pass


# --- conditions ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
  | (?P<op>!=|>=|<=|=|>|<)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z][A-Za-z0-9_-]*)
)""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ConditionError(f"条件中无法识别的内容:“{text[pos:pos + 12]}”")
        pos = match.end()
        if match.group("ref") is not None:
            out.append(("ref", match.group("refname").strip()))
        elif match.group("str") is not None:
            out.append(("str", match.group("str")[1:-1]))
        elif match.group("num") is not None:
            out.append(("num", match.group("num")))
        else:
            kind = next(k for k in ("op", "punct", "word") if match.group(k) is not None)
            out.append((kind, match.group(kind)))
    return out


class _Parser:
    def __init__(self, text: str):
        self.items = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self, kind: str, value: str | None = None) -> str:
        item = self.peek()
        if item is None or item[0] != kind or (value is not None and item[1] != value):
            expected = value or {"ref": "${字段名}", "str": "'值'", "punct": "符号"}.get(kind, kind)
            found = "结尾" if item is None else f"“{item[1]}”"
            raise ConditionError(f"条件格式有误:此处应为 {expected},实为{found}")
        self.pos += 1
        return item[1]

    def literal(self) -> str | float:
        item = self.peek()
        if item and item[0] == "str":
            self.pos += 1
            return item[1]
        if item and item[0] == "num":
            self.pos += 1
            return number(item[1])
        if item and item[0] == "word" and item[1] in ("true", "false"):  # true() / false()
            self.pos += 1
            self.take("punct", "(")
            self.take("punct", ")")
            return "yes" if item[1] == "true" else "no"
        raise ConditionError("条件格式有误:比较的值须为数字或带引号的文字,如 'yes'")

    def selected(self, negate: bool) -> dict:
        self.take("word", "selected")
        self.take("punct", "(")
        name = self.take("ref")
        self.take("punct", ",")
        value = self.literal()
        self.take("punct", ")")
        return {"field": name, "op": "not_selected" if negate else "selected", "value": value}

    def term(self) -> dict:
        item = self.peek()
        if item == ("word", "not"):
            self.pos += 1
            self.take("punct", "(")
            term = self.selected(negate=True)
            self.take("punct", ")")
            return term
        if item == ("word", "selected"):
            return self.selected(negate=False)
        name = self.take("ref")
        item = self.peek()
        if item is None or item[0] != "op":
            raise ConditionError("条件格式有误:字段后应为比较符号 = != > >= < <=")
        self.pos += 1
        return {"field": name, "op": item[1], "value": self.literal()}

    def parse(self) -> dict:
        terms, joins = [self.term()], set()
        while self.peek() is not None:
            item = self.peek()
            if item not in (("word", "and"), ("word", "or")):
                raise ConditionError(f"条件格式有误:多余的内容“{item[1]}”")
            joins.add(item[1])
            self.pos += 1
            terms.append(self.term())
        if len(joins) > 1:
            raise ConditionError("一个条件里只能全用 and 或全用 or,不能混用")
        return {"join": joins.pop() if joins else "and", "terms": terms}


def number(text: str) -> int | float:
    """A literal as a number: int when written without a point."""
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def parse_condition(text: str) -> dict | None:
    """`${a} = 'x' and selected(${b}, 'y')` -> {"join": "and", "terms": [{field, op, value}, ...]}.

    Supported: `${f} OP value` (OP one of = != > >= < <=; value a number or quoted text; `''` means
    "not answered"), `selected(${f}, 'v')`, `not(selected(${f}, 'v'))`, joined by only `and` or only `or`."""
    text = (text or "").strip()
    if not text:
        return None
    return _Parser(text).parse()


def condition_text(when: dict | None) -> str:
    """The canonical text of a parsed condition (what is stored as `relevant`)."""
    if not when:
        return ""
    parts = []
    for term in when["terms"]:
        value = term["value"]
        literal = repr(value) if isinstance(value, int | float) else "'" + str(value) + "'"
        if term["op"] == "selected":
            parts.append(f"selected(${{{term['field']}}}, {literal})")
        elif term["op"] == "not_selected":
            parts.append(f"not(selected(${{{term['field']}}}, {literal}))")
        else:
            parts.append(f"${{{term['field']}}} {term['op']} {literal}")
    return f" {when['join']} ".join(parts)


def _term_true(term: dict, value, field_type: str) -> bool:
    op, expected = term["op"], term["value"]
    if op in ("selected", "not_selected"):
        chosen = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
        hit = str(expected) in [str(v) for v in chosen]
        return hit if op == "selected" else not hit
    empty = value is None or value == "" or value == []
    if expected == "":
        return empty if op == "=" else (not empty if op == "!=" else False)
    if empty:
        return op == "!="  # as in XPath: '' != 'yes' is true, '' > 0 is false
    if field_type in NUMBER_TYPES:
        try:
            left, right = float(value), float(expected)
        except (TypeError, ValueError):
            return False
    else:
        left, right = str(value), str(expected)
    return {"=": left == right, "!=": left != right, ">": left > right, ">=": left >= right,
            "<": left < right, "<=": left <= right}[op]


def evaluate(when: dict | None, answers: dict, types: dict[str, str]) -> bool:
    """Whether a condition holds for `answers` (fields not shown must already be left out of them)."""
    if not when:
        return True
    results = (_term_true(t, answers.get(t["field"]), types.get(t["field"], "text")) for t in when["terms"])
    return any(results) if when["join"] == "or" else all(results)


