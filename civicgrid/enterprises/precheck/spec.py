"""Pre-check rule sets as data (docs/enterprises/precheck.md). Pure Python, no Django.

A rule set is a JSON-serialisable dict that an admin can publish as a new version without a deploy;
`parse_ruleset` checks it and builds immutable `RuleSet`/`Criterion` objects, raising `RuleSetError`
with a Chinese message naming the criterion at fault. `RuleSet.to_dict()` gives the canonical data back.

Criterion kinds (every criterion has ``key``, ``label``, ``kind``, ``source`` and ``confidence``):

* ``threshold`` — ``fact`` compared with ``threshold`` by ``op``;
* ``ratio`` — ``numerator`` / ``denominator`` × 100 compared with ``threshold`` (percent) by ``op``;
  the gap names the numerator amount still missing;
* ``banded`` — like threshold/ratio, but the threshold depends on ``band_fact``: ``bands`` in ascending
  order, each ``{"up_to": x, "threshold": t}`` (band fact ≤ x), ``{"below": x, ...}`` (< x), the last
  one open-ended ``{"threshold": t}``;
* ``boolean`` — ``fact`` must equal ``expected`` (true/false);
* ``exists`` — at least one of ``facts`` is non-zero / true;
* ``score`` — the sum of ``components`` (each: ``key``, ``label``, ``max_points`` and ``alternatives``,
  each alternative a value — ``fact`` or ``numerator``/``denominator`` — with ``bands`` of
  ``{"min": x, "points": p}`` in descending order; the best alternative counts) compared with
  ``threshold`` by ``op``;
* ``manual`` — a person judges; with an optional ``fact``/``op``/``threshold`` recording the judgement;
* ``any_of`` / ``all_of`` — ``criteria``: sub-criteria (alternative routes, or a group).

Optional on any criterion: ``unit``, ``notes``, ``when`` (a condition or a list of conditions
``{"fact": f, "op": o, "value": v}``: when one is false the criterion does not apply), ``review: true``
(a pass of the automatic part still needs a person: it becomes ``manual``).
Confidence marks are those of the domain notes: ``S`` (official text), ``S2`` (secondary source),
``M`` (background knowledge), ``D`` (design choice).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from civicgrid.enterprises.precheck.facts import FACTS

KINDS = ("threshold", "ratio", "banded", "boolean", "exists", "score", "manual", "any_of", "all_of")
OPS = (">=", ">", "<=", "<", "==")
CONFIDENCE = ("S", "S2", "M", "D")


class RuleSetError(ValueError):
    """A rule set that cannot be published; ``criterion`` names the criterion at fault (or "")."""

    def __init__(self, message: str, criterion: str = "") -> None:
        self.criterion = criterion
        self.message = f"条件「{criterion}」：{message}" if criterion else message
        super().__init__(self.message)


@dataclass(frozen=True)
class Value:
    """Where a criterion's number comes from: one fact, or numerator/denominator × 100 (percent)."""

    fact: str | None = None
    numerator: str | None = None
    denominator: str | None = None

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact,) if self.fact else (self.numerator or "", self.denominator or "")

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.fact} if self.fact else {"numerator": self.numerator, "denominator": self.denominator}


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    value: float | bool


@dataclass(frozen=True)
class Band:
    threshold: float
    up_to: float | None = None  # band fact <= up_to
    below: float | None = None  # band fact < below

    def contains(self, x: float) -> bool:
        if self.up_to is not None:
            return x <= self.up_to
        if self.below is not None:
            return x < self.below
        return True


@dataclass(frozen=True)
class PointBand:
    min: float
    points: float


@dataclass(frozen=True)
class Alternative:
    value: Value
    bands: tuple[PointBand, ...]


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    max_points: float
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    kind: str
    source: str
    confidence: str
    unit: str = ""
    notes: str = ""
    value: Value | None = None
    op: str = ">="
    threshold: float | bool | None = None
    expected: bool | None = None
    facts: tuple[str, ...] = ()
    band_fact: str | None = None
    bands: tuple[Band, ...] = ()
    components: tuple[Component, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    when: tuple[Condition, ...] = ()
    review: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def facts_used(self) -> set[str]:
        used = {c.fact for c in self.when} | set(self.facts)
        if self.value is not None:
            used |= set(self.value.facts)
        if self.band_fact:
            used.add(self.band_fact)
        for component in self.components:
            for alt in component.alternatives:
                used |= set(alt.value.facts)
        for sub in self.criteria:
            used |= sub.facts_used()
        return used


@dataclass(frozen=True)
class RuleSet:
    tier: str
    name: str
    version: str
    criteria: tuple[Criterion, ...]
    source: str = ""
    effective_from: str = ""
    notes: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:  # the tier key: what the Django layer stores a version under
        return self.tier

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.raw, ensure_ascii=False, sort_keys=True))

    def checksum(self) -> str:
        text = json.dumps(self.raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def facts_used(self) -> set[str]:
        used: set[str] = set()
        for criterion in self.criteria:
            used |= criterion.facts_used()
        return used

    def all_criteria(self) -> list[Criterion]:
        """Every criterion, sub-criteria included, depth first."""
        out: list[Criterion] = []

        def walk(items):
            for item in items:
                out.append(item)
                walk(item.criteria)

        walk(self.criteria)
        return out


# --- parsing ------------------------------------------------------------------------------------------


def _number(value: Any, what: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleSetError(f"{what}应为数值，而不是 {value!r}", key)
    return float(value)


def _fact(name: Any, key: str) -> str:
    if not isinstance(name, str) or name not in FACTS:
        raise RuleSetError(f"未知的事实项 {name!r}（见事实词表）", key)
    return name


def _text(d: dict, name: str, key: str, required: bool = True) -> str:
    value = d.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise RuleSetError(f"缺少{name}", key)
    return value


def _op(value: Any, key: str) -> str:
    if value not in OPS:
        raise RuleSetError(f"比较符 {value!r} 无效，应为 {' '.join(OPS)} 之一", key)
    return value


def _value(d: dict, key: str) -> Value:
    if "fact" in d and ("numerator" in d or "denominator" in d):
        raise RuleSetError("fact 与 numerator/denominator 只能用其一", key)
    if "fact" in d:
        return Value(fact=_fact(d["fact"], key))
    if "numerator" in d and "denominator" in d:
        return Value(numerator=_fact(d["numerator"], key), denominator=_fact(d["denominator"], key))
    raise RuleSetError("缺少取值：fact，或 numerator 与 denominator", key)


def _conditions(raw: Any, key: str) -> tuple[Condition, ...]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise RuleSetError("when 应为条件或条件列表", key)
        value = item.get("value")
        if not isinstance(value, bool):
            value = _number(value, "when 的 value", key)
        out.append(Condition(_fact(item.get("fact"), key), _op(item.get("op"), key), value))
    return tuple(out)


def _bands(raw: Any, key: str) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleSetError("bands 应为非空列表", key)
    bands, last_edge = [], None
    for index, item in enumerate(raw):
        threshold = _number(item.get("threshold"), "bands 的 threshold", key)
        is_last = index == len(raw) - 1
        if "up_to" in item and "below" in item:
            raise RuleSetError("一个分档只能有 up_to 或 below 之一", key)
        edge_name = "up_to" if "up_to" in item else "below" if "below" in item else None
        if edge_name is None and not is_last:
            raise RuleSetError("只有最后一个分档可以不设上限", key)
        if edge_name is not None and is_last:
            raise RuleSetError("最后一个分档不应设上限（覆盖其余取值）", key)
        edge = _number(item[edge_name], f"bands 的 {edge_name}", key) if edge_name else None
        if edge is not None and last_edge is not None and edge <= last_edge:
            raise RuleSetError("bands 应按上限从小到大排列", key)
        last_edge = edge if edge is not None else last_edge
        bands.append(Band(threshold, up_to=edge if edge_name == "up_to" else None,
                          below=edge if edge_name == "below" else None))
    return tuple(bands)


def _components(raw: Any, key: str) -> tuple[Component, ...]:
    if not isinstance(raw, list) or not raw:
        raise RuleSetError("score 需要非空的 components", key)
    out, seen = [], set()
    for item in raw:
        ckey = _text(item, "key", key)
        if ckey in seen:
            raise RuleSetError(f"评分项 {ckey} 重复", key)
        seen.add(ckey)
        max_points = _number(item.get("max_points"), "max_points", key)
        alternatives = []
        for alt in item.get("alternatives") or []:
            bands, last = [], None
            for band in alt.get("bands") or []:
                minimum = _number(band.get("min"), "评分分档的 min", key)
                points = _number(band.get("points"), "评分分档的 points", key)
                if last is not None and minimum >= last:
                    raise RuleSetError(f"评分项 {ckey} 的分档应按 min 从大到小排列", key)
                if not 0 <= points <= max_points:
                    raise RuleSetError(f"评分项 {ckey} 的得分应在 0 与 max_points 之间", key)
                last = minimum
                bands.append(PointBand(minimum, points))
            if not bands:
                raise RuleSetError(f"评分项 {ckey} 缺少分档", key)
            alternatives.append(Alternative(_value(alt, key), tuple(bands)))
        if not alternatives:
            raise RuleSetError(f"评分项 {ckey} 缺少 alternatives", key)
        out.append(Component(ckey, _text(item, "label", key), max_points, tuple(alternatives)))
    return tuple(out)


def _criterion(d: Any, seen: set[str]) -> Criterion:
    if not isinstance(d, dict):
        raise RuleSetError("每个条件应为对象")
    key = d.get("key")
    if not isinstance(key, str) or not key.strip():
        raise RuleSetError("条件缺少 key")
    if key in seen:
        raise RuleSetError("key 重复", key)
    seen.add(key)
    kind = d.get("kind")
    if kind not in KINDS:
        raise RuleSetError(f"类型 {kind!r} 无效，应为 {'、'.join(KINDS)} 之一", key)
    confidence = d.get("confidence")
    if confidence not in CONFIDENCE:
        raise RuleSetError(f"可信度 {confidence!r} 无效，应为 {'、'.join(CONFIDENCE)} 之一", key)
    common = {
        "key": key, "label": _text(d, "label", key), "kind": kind, "source": _text(d, "source", key),
        "confidence": confidence, "unit": _text(d, "unit", key, required=False),
        "notes": _text(d, "notes", key, required=False),
        "when": _conditions(d["when"], key) if "when" in d else (),
        "review": bool(d.get("review", False)), "raw": d,
    }
    if kind in ("threshold", "ratio"):
        value = _value(d, key)
        if (kind == "ratio") != (value.fact is None):
            raise RuleSetError("ratio 用 numerator/denominator，threshold 用 fact", key)
        return Criterion(**common, value=value, op=_op(d.get("op"), key),
                         threshold=_number(d.get("threshold"), "threshold", key))
    if kind == "banded":
        return Criterion(**common, value=_value(d, key), op=_op(d.get("op"), key),
                         band_fact=_fact(d.get("band_fact"), key), bands=_bands(d.get("bands"), key))
    if kind == "boolean":
        if not isinstance(d.get("expected"), bool):
            raise RuleSetError("boolean 条件需要 expected: true 或 false", key)
        return Criterion(**common, value=Value(fact=_fact(d.get("fact"), key)), expected=d["expected"])
    if kind == "exists":
        facts = d.get("facts")
        if not isinstance(facts, list) or not facts:
            raise RuleSetError("exists 条件需要非空的 facts", key)
        return Criterion(**common, facts=tuple(_fact(f, key) for f in facts))
    if kind == "score":
        return Criterion(**common, components=_components(d.get("components"), key), op=_op(d.get("op"), key),
                         threshold=_number(d.get("threshold"), "threshold", key))
    if kind == "manual":
        if "fact" in d:
            return Criterion(**common, value=Value(fact=_fact(d["fact"], key)), op=_op(d.get("op"), key),
                             threshold=_number(d.get("threshold"), "threshold", key))
        return Criterion(**common)
    subs = d.get("criteria")
    if not isinstance(subs, list) or len(subs) < 2:
        raise RuleSetError(f"{kind} 至少需要两个子条件", key)
    return Criterion(**common, criteria=tuple(_criterion(s, seen) for s in subs))


def parse_ruleset(data: Any) -> RuleSet:
    """Check a rule set's data and build it; raise `RuleSetError` naming the criterion at fault."""
    if not isinstance(data, dict):
        raise RuleSetError("规则集应为对象")
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError):
        raise RuleSetError("规则集应为可序列化为 JSON 的数据") from None
    tier = data.get("tier")
    if not isinstance(tier, str) or not tier.replace("_", "").isalnum() or not tier.islower():
        raise RuleSetError("tier 应为小写英文标识，如 high_tech_enterprise")
    for name in ("name", "version"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise RuleSetError(f"缺少 {name}")
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise RuleSetError("criteria 应为非空列表")
    seen: set[str] = set()
    criteria = tuple(_criterion(c, seen) for c in raw_criteria)
    return RuleSet(tier=tier, name=data["name"], version=data["version"], criteria=criteria,
                   source=str(data.get("source", "")), effective_from=str(data.get("effective_from", "")),
                   notes=str(data.get("notes", "")), raw=data)
