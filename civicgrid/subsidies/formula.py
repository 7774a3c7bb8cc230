"""Amount formulas as data: a small declarative expression over the pre-check fact vocabulary, evaluated in
Decimal. Pure Python, no Django, never `eval`: a formula is JSON that `parse_formula` checks (raising
`FormulaError` with a Chinese message) and `amount` walks.

An expression is one of

* a number (``0.6``) or a numeric string (``"1000.00"``);
* ``{"fact": name}`` — a fact of `civicgrid.enterprises.precheck.facts.FACTS` (a bool fact reads 1 or 0);
* ``{"add": [e, ...]}``, ``{"mul": [e, ...]}``, ``{"min": [e, ...]}``, ``{"max": [e, ...]}`` (two or more),
  ``{"sub": [a, b]}``;
* ``{"if": name, "then": e, "else": e}`` — on a bool fact;
* ``{"band": name, "bands": [{"up_to": x, "value": e}, ..., {"value": e}]}`` — by a numeric fact, the
  first band whose ``up_to`` it does not exceed (the last band is open-ended).

A formula is ``{"expr": e, "places": 2, "cap": x}`` (``places`` defaults to 2, rounding half up; ``cap``
optional, a ceiling on the amount). A fact the expression needs and the facts do not give makes the
amount unknown (`MissingFact`), never zero. ``describe`` gives the formula in Chinese for the pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from civicgrid.enterprises.precheck.facts import FACTS

LISTS = ("add", "mul", "min", "max")
MAX_DEPTH = 12
LIMIT = Decimal("1e12")
_SYMBOL = {"add": " + ", "mul": " × "}


class FormulaError(ValueError):
    """A formula that cannot be published (the message is Chinese)."""


class MissingFact(LookupError):
    """The facts lack a value the formula needs (`fact` names it)."""

    def __init__(self, fact: str) -> None:
        self.fact = fact
        super().__init__(fact)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FormulaError(f"{value!r} 不是数值")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FormulaError(f"{value!r} 不是数值") from None
    if not number.is_finite():
        raise FormulaError(f"{value!r} 不是有限数值")
    if abs(number) >= LIMIT or (number and abs(number) < Decimal("1e-6")):
        raise FormulaError(f"{value!r} 超出可用范围(绝对值 10^-6 至 10^12)")
    return number


def _fact(name: Any) -> str:
    if not isinstance(name, str) or name not in FACTS:
        raise FormulaError(f"未知的事实项 {name!r}(见事实词表)")
    return name


def _check(e: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError("公式嵌套过深")
    if isinstance(e, int | float | str) and not isinstance(e, bool):
        _decimal(e)
        return
    if not isinstance(e, dict) or not e:
        raise FormulaError(f"无法识别的表达式 {e!r}")
    if "fact" in e:
        if set(e) != {"fact"}:
            raise FormulaError("fact 表达式只能有 fact 一项")
        _fact(e["fact"])
        return
    if "if" in e:
        if set(e) != {"if", "then", "else"}:
            raise FormulaError("if 表达式需要 if、then、else 三项")
        if FACTS[_fact(e["if"])].unit != "bool":
            raise FormulaError(f"if 的条件须为是/否类事实,{e['if']} 不是")
        _check(e["then"], depth + 1)
        _check(e["else"], depth + 1)
        return
    if "band" in e:
        if set(e) != {"band", "bands"}:
            raise FormulaError("band 表达式需要 band 与 bands 两项")
        if FACTS[_fact(e["band"])].unit == "bool":
            raise FormulaError("band 须按数值类事实分档")
        bands = e["bands"]
        if not isinstance(bands, list) or not bands:
            raise FormulaError("bands 应为非空列表")
        last = None
        for index, band in enumerate(bands):
            if not isinstance(band, dict) or "value" not in band:
                raise FormulaError("每个分档需要 value")
            is_last = index == len(bands) - 1
            if is_last != ("up_to" not in band) or set(band) - {"up_to", "value"}:
                raise FormulaError("除最后一档外每档须有 up_to,最后一档不设上限")
            if not is_last:
                edge = _decimal(band["up_to"])
                if last is not None and edge <= last:
                    raise FormulaError("分档应按 up_to 从小到大排列")
                last = edge
            _check(band["value"], depth + 1)
        return
    if len(e) != 1:
        raise FormulaError(f"无法识别的表达式 {sorted(e)}")
    (op, args), = e.items()
    if op == "sub":
        if not isinstance(args, list) or len(args) != 2:
            raise FormulaError("sub 需要两个参数")
    elif op in LISTS:
        if not isinstance(args, list) or len(args) < 2:
            raise FormulaError(f"{op} 至少需要两个参数")
    else:
        raise FormulaError(f"未知的运算 {op!r},可用:add、sub、mul、min、max、if、band、fact")
    for arg in args:
        _check(arg, depth + 1)


def parse_formula(data: Any) -> dict:
    """Check a formula; returns it unchanged (it is its own canonical form)."""
    if not isinstance(data, dict) or "expr" not in data or set(data) - {"expr", "places", "cap"}:
        raise FormulaError("公式应为 {expr, places, cap} 形式")
    places = data.get("places", 2)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 2:
        raise FormulaError("places 应为 0 至 2 的整数")
    if "cap" in data and _decimal(data["cap"]) <= 0:
        raise FormulaError("cap 应为正数")
    _check(data["expr"])
    return data


def _read(name: str, facts: Mapping[str, Any]) -> Decimal:
    value = facts.get(name)
    if value is None:
        raise MissingFact(name)
    if isinstance(value, bool):
        return Decimal(int(value))
    return Decimal(str(value))


def _eval(e: Any, facts: Mapping[str, Any]) -> Decimal:
    if not isinstance(e, dict):
        return Decimal(str(e))
    if "fact" in e:
        return _read(e["fact"], facts)
    if "if" in e:
        return _eval(e["then"] if _read(e["if"], facts) else e["else"], facts)
    if "band" in e:
        x = _read(e["band"], facts)
        band = next(b for b in e["bands"] if "up_to" not in b or x <= Decimal(str(b["up_to"])))
        return _eval(band["value"], facts)
    (op, args), = e.items()
    values = [_eval(a, facts) for a in args]
    if op == "add":
        return sum(values, Decimal(0))
    if op == "sub":
        return values[0] - values[1]
    if op == "mul":
        result = Decimal(1)
        for v in values:
            result *= v
        return result
    return min(values) if op == "min" else max(values)


def amount(formula: dict, facts: Mapping[str, Any]) -> Decimal:
    """The amount the formula gives for the facts (never negative); raises MissingFact."""
    value = _eval(formula["expr"], facts)
    if "cap" in formula:
        value = min(value, Decimal(str(formula["cap"])))
    value = max(value, Decimal(0))
    return value.quantize(Decimal(1).scaleb(-formula.get("places", 2)), rounding=ROUND_HALF_UP)


def _text(e: Any) -> str:
    if not isinstance(e, dict):
        return f"{Decimal(str(e)).normalize():f}"
    if "fact" in e:
        return FACTS[e["fact"]].label
    if "if" in e:
        return f"({FACTS[e['if']].label}为 {_text(e['then'])},否则 {_text(e['else'])})"
    if "band" in e:
        parts = [f"≤{b['up_to']}: {_text(b['value'])}" if "up_to" in b else f"其余: {_text(b['value'])}"
                 for b in e["bands"]]
        return f"按{FACTS[e['band']].label}分档({';'.join(parts)})"
    (op, args), = e.items()
    if op in _SYMBOL:
        return "(" + _SYMBOL[op].join(_text(a) for a in args) + ")"
    if op == "sub":
        return f"({_text(args[0])} − {_text(args[1])})"
    return ("较小值" if op == "min" else "较大值") + "(" + "、".join(_text(a) for a in args) + ")"


def describe(formula: dict) -> str:
    text = _text(formula["expr"])
    if not isinstance(formula["expr"], dict):
        text = f"定额 {text} 元"
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    if "cap" in formula:
        text += f",最高 {Decimal(str(formula['cap'])).normalize():f} 元"
    return text
