"""The pre-check engine: a rule set (spec.RuleSet) and an enterprise's facts -> a Report. Pure, no Django.

Each criterion gets an outcome:

* ``pass`` / ``fail`` — decided from the facts;
* ``unknown`` — a fact it needs is missing (``missing`` names them: the data to collect); a missing fact
  never gives a pass, except where the rest already decides it (an ``any_of`` route that passes, a
  score whose known points already reach the threshold);
* ``manual`` — a qualitative criterion a person must judge (or an automatic pass marked ``review``);
* ``not_applicable`` — its ``when`` condition is false (e.g. a revenue band the enterprise is not in).

The report's status: any fail -> ``not_eligible``; else any unknown -> ``incomplete``; else any manual
-> ``needs_review``; else ``eligible``. ``distance`` ranks candidates zone-wide (0 = nothing measurable is
short): the sum over criteria of a failed numeric criterion's relative shortfall (capped at 1), 1 for a
failed yes/no criterion, `UNKNOWN_PENALTY` for an unknown one; manual criteria add nothing, except that
an ``any_of`` which only a manual route can still satisfy keeps the smallest shortfall of its measured
routes (so a firm relying on an unverified route ranks behind one that is measurably close).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from civicgrid.enterprises.precheck.facts import FACTS
from civicgrid.enterprises.precheck.spec import Criterion, RuleSet, Value

PASS, FAIL, UNKNOWN, MANUAL, NOT_APPLICABLE = "pass", "fail", "unknown", "manual", "not_applicable"
OUTCOMES = (PASS, FAIL, UNKNOWN, MANUAL, NOT_APPLICABLE)
ELIGIBLE, NOT_ELIGIBLE, INCOMPLETE, NEEDS_REVIEW = "eligible", "not_eligible", "incomplete", "needs_review"
STATUS_LABELS = {ELIGIBLE: "符合条件", NOT_ELIGIBLE: "不符合条件", INCOMPLETE: "数据不全", NEEDS_REVIEW: "待人工审核"}
OUTCOME_LABELS = {PASS: "达标", FAIL: "未达标", UNKNOWN: "缺数据", MANUAL: "需人工判断", NOT_APPLICABLE: "不适用"}
UNKNOWN_PENALTY = 0.5
_OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_NEGATED = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠"}


@dataclass(frozen=True)
class CriterionResult:
    key: str
    label: str
    kind: str
    outcome: str  # one of OUTCOMES
    value: float | bool | None  # the enterprise's value (a score's known points)
    threshold: float | bool | None  # the threshold that applied (a banded one: its band's)
    op: str
    unit: str
    gap: float | None  # how far short, in the criterion's unit (failures only)
    amount_needed: float | None  # for a failed ratio: how much more (or less) numerator is needed
    amount_unit: str
    gap_text: str  # Chinese, e.g. "差 0.4 个百分点，按当前营业收入需再增加研发费用 12.0万元"
    detail: str  # Chinese: which band, which route, the score breakdown …
    missing: tuple[str, ...]  # facts to collect
    penalty: float  # this criterion's share of the distance
    source: str
    confidence: str
    notes: str
    children: tuple[CriterionResult, ...] = ()


@dataclass(frozen=True)
class Report:
    tier: str
    name: str
    version: str
    status: str
    status_label: str
    distance: float
    criteria: tuple[CriterionResult, ...]
    missing_facts: tuple[str, ...]  # the data to collect, in vocabulary order
    counts: dict[str, int]  # outcome -> number of top-level criteria


# --- values --------------------------------------------------------------------------------------------


def _num(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _read(value: Value, facts: Mapping[str, object]) -> tuple[float | None, tuple[str, ...], str]:
    """(number, missing facts, note) of a value source; a ratio is in percent."""
    if value.fact:
        x = _num(facts.get(value.fact))
        return x, (() if x is not None else (value.fact,)), ""
    num, den = _num(facts.get(value.numerator)), _num(facts.get(value.denominator))
    missing = tuple(f for f, v in ((value.numerator, num), (value.denominator, den)) if v is None)
    if missing:
        return None, missing, ""
    if den == 0:
        return None, (value.denominator,), f"{FACTS[value.denominator].label}为零，无法计算比例"
    return round(num * 100 / den, 4), (), ""


def _holds(x: float | bool, op: str, t: float | bool) -> bool:
    if op == ">=":
        return x >= t
    if op == ">":
        return x > t
    if op == "<=":
        return x <= t
    if op == "<":
        return x < t
    return x == t


def _fmt(x: float | None, unit: str) -> str:
    if x is None:
        return "—"
    if unit == "元":
        return f"{x / 10000:,.1f}万元" if abs(x) >= 10000 else f"{x:,.0f}元"
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else f"{text}{unit}"


format_amount = _fmt  # public: "12.0万元", "2.6%", "500人" (the docs renderer uses it)


def _unit(criterion: Criterion) -> str:
    if criterion.unit:
        return criterion.unit
    if criterion.value is not None and criterion.value.fact:
        return FACTS[criterion.value.fact].unit
    return "%" if criterion.value is not None else ""


# --- criteria ------------------------------------------------------------------------------------------


def _result(c: Criterion, outcome: str, **kw) -> CriterionResult:
    fields = {"value": None, "threshold": None, "op": c.op, "unit": _unit(c), "gap": None, "amount_needed": None,
              "amount_unit": "", "gap_text": "", "detail": "", "missing": (), "penalty": 0.0, "children": ()}
    fields.update(kw)
    if outcome == UNKNOWN and "penalty" not in kw:
        fields["penalty"] = UNKNOWN_PENALTY
    return CriterionResult(key=c.key, label=c.label, kind=c.kind, outcome=outcome, source=c.source,
                           confidence=c.confidence, notes=c.notes, **fields)


def _compare(c: Criterion, x: float, t: float, facts: Mapping[str, object], detail: str = "") -> CriterionResult:
    unit = _unit(c)
    if _holds(x, c.op, t):
        return _result(c, PASS, value=x, threshold=t, detail=detail)
    gap = abs(t - x)
    penalty = min(1.0, max(gap / abs(t) if t else 1.0, 0.0001))
    text = f"{_fmt(x, unit)} {_NEGATED[c.op]} {_fmt(t, unit)}："
    if gap == 0:  # a strict bound met exactly: 70 is not > 70
        text += f"需{'高于' if c.op == '>' else '低于'} {_fmt(t, unit)}"
    else:
        text += (f"{'差' if c.op in ('>=', '>') else '超出'} {_fmt(gap, '')} 个百分点" if unit == "%"
                 else f"{'差' if c.op in ('>=', '>') else '超出'} {_fmt(gap, unit)}")
    amount, amount_unit = None, ""
    value = c.value
    if value is not None and value.numerator and c.op in (">=", ">", "<=", "<"):
        num, den = _num(facts.get(value.numerator)), _num(facts.get(value.denominator))
        amount = round(abs(t * den / 100 - num), 2)
        amount_unit = FACTS[value.numerator].unit
        verb = "再增加" if c.op in (">=", ">") else "减少"
        text += (f"，按当前{FACTS[value.denominator].label}需{verb}{FACTS[value.numerator].label}"
                 f" {_fmt(amount, amount_unit)}")
    return _result(c, FAIL, value=x, threshold=t, gap=round(gap, 4), amount_needed=amount, amount_unit=amount_unit,
                   gap_text=text, detail=detail, penalty=round(penalty, 4))


def _numeric(c: Criterion, facts: Mapping[str, object], threshold: float, detail: str = "") -> CriterionResult:
    x, missing, note = _read(c.value, facts)
    if x is None:
        return _result(c, UNKNOWN, threshold=threshold, missing=missing, detail=note or detail)
    return _compare(c, x, threshold, facts, detail)


def _banded(c: Criterion, facts: Mapping[str, object]) -> CriterionResult:
    band_value = _num(facts.get(c.band_fact))
    if band_value is None:
        _, missing, _ = _read(c.value, facts)
        return _result(c, UNKNOWN, missing=(c.band_fact, *missing))
    band = next(b for b in c.bands if b.contains(band_value))
    unit = FACTS[c.band_fact].unit
    edge = (f"≤ {_fmt(band.up_to, unit)}" if band.up_to is not None
            else f"< {_fmt(band.below, unit)}" if band.below is not None else "其余")
    detail = f"按{FACTS[c.band_fact].label} {_fmt(band_value, unit)}（{edge}档）适用 {_fmt(band.threshold, _unit(c))}"
    return _numeric(c, facts, band.threshold, detail)


def _boolean(c: Criterion, facts: Mapping[str, object]) -> CriterionResult:
    raw = facts.get(c.value.fact)
    if raw is None or not isinstance(raw, bool | int):
        return _result(c, UNKNOWN, threshold=c.expected, missing=(c.value.fact,))
    value = bool(raw)
    if value == c.expected:
        return _result(c, PASS, value=value, threshold=c.expected)
    return _result(c, FAIL, value=value, threshold=c.expected, penalty=1.0,
                   gap_text=f"{FACTS[c.value.fact].label}：应为「{'是' if c.expected else '否'}」")


def _exists(c: Criterion, facts: Mapping[str, object]) -> CriterionResult:
    present = {f: facts[f] for f in c.facts if facts.get(f) is not None}
    if any(bool(v) for v in present.values()):
        return _result(c, PASS, value=True, threshold=True)
    missing = tuple(f for f in c.facts if f not in present)
    if missing:
        return _result(c, UNKNOWN, threshold=True, missing=missing)
    return _result(c, FAIL, value=False, threshold=True, penalty=1.0,
                   gap_text="尚无：" + "、".join(FACTS[f].label for f in c.facts))


def _score(c: Criterion, facts: Mapping[str, object]) -> CriterionResult:
    low = high = 0.0
    parts, missing = [], []
    for component in c.components:
        known, possible = 0.0, 0.0
        for alt in component.alternatives:
            x, alt_missing, _ = _read(alt.value, facts)
            if x is None:
                missing.extend(alt_missing)
                possible = max(possible, max(b.points for b in alt.bands))
                continue
            known = max(known, next((b.points for b in alt.bands if x >= b.min), 0.0))
        low += known
        high += max(known, possible)
        parts.append(f"{component.label} {_fmt(known, '')}" + ("" if possible <= known else
                                                                f"（至多 {_fmt(possible, '')}）"))
    detail = "；".join(parts) + f"；合计 {_fmt(low, '')} 分"
    t = c.threshold
    if _holds(low, c.op, t) and _holds(high, c.op, t):
        return _result(c, PASS, value=low, threshold=t, unit="分", detail=detail)
    if not _holds(low, c.op, t) and not _holds(high, c.op, t):
        gap = abs(t - low)
        return _result(c, FAIL, value=low, threshold=t, unit="分", gap=gap, detail=detail,
                       gap_text=f"{_fmt(low, '分')} {_NEGATED[c.op]} {_fmt(t, '分')}：差 {_fmt(gap, '分')}",
                       penalty=round(min(1.0, gap / abs(t) if t else 1.0), 4))
    return _result(c, UNKNOWN, value=low, threshold=t, unit="分", detail=detail,
                   missing=tuple(dict.fromkeys(missing)))


def _manual(c: Criterion, facts: Mapping[str, object]) -> CriterionResult:
    if c.value is not None and _num(facts.get(c.value.fact)) is not None:
        return _compare(c, _num(facts[c.value.fact]), c.threshold, facts, "按已记录的评审结果")
    return _result(c, MANUAL, threshold=c.threshold, detail="需人工判断")


def _combined(c: Criterion, facts: Mapping[str, object]) -> CriterionResult:
    children = tuple(evaluate_criterion(sub, facts) for sub in c.criteria)
    outcomes = {r.outcome for r in children}
    relevant = [r for r in children if r.outcome != NOT_APPLICABLE]
    missing = tuple(dict.fromkeys(f for r in children if r.outcome == UNKNOWN for f in r.missing))
    if not relevant:
        return _result(c, NOT_APPLICABLE, children=children)
    if c.kind == "any_of":
        order = (PASS, UNKNOWN, MANUAL, FAIL)
        # a route a person must judge is no measure of how near the others are
        measured = [r.penalty for r in relevant if r.outcome != MANUAL]
        penalty = min(measured) if measured and PASS not in outcomes else 0.0
        detail = "满足其一即可"
    else:
        order = (FAIL, UNKNOWN, MANUAL, PASS)
        penalty = sum(r.penalty for r in relevant)
        detail = "须全部满足"
    outcome = next(o for o in order if o in outcomes)
    gap_text = "；".join(f"{r.label}：{r.gap_text}" for r in relevant if r.outcome == FAIL and r.gap_text)
    return _result(c, outcome, children=children, detail=detail, penalty=round(penalty, 4),
                   missing=missing if outcome == UNKNOWN else (), gap_text=gap_text if outcome == FAIL else "")


def evaluate_criterion(c: Criterion, facts: Mapping[str, object]) -> CriterionResult:
    for cond in c.when:
        raw = facts.get(cond.fact)
        x = raw if isinstance(raw, bool) else _num(raw)
        if x is None:
            return _result(c, UNKNOWN, missing=(cond.fact,), detail="适用条件所需数据缺失")
        if not _holds(x, cond.op, cond.value):
            return _result(c, NOT_APPLICABLE, detail=f"不适用：{FACTS[cond.fact].label}"
                                                     f"{_OP_TEXT[cond.op]}{_fmt(_num(cond.value), FACTS[cond.fact].unit)}不成立")
    if c.kind in ("threshold", "ratio"):
        result = _numeric(c, facts, c.threshold)
    elif c.kind == "banded":
        result = _banded(c, facts)
    elif c.kind == "boolean":
        result = _boolean(c, facts)
    elif c.kind == "exists":
        result = _exists(c, facts)
    elif c.kind == "score":
        result = _score(c, facts)
    elif c.kind == "manual":
        result = _manual(c, facts)
    else:
        result = _combined(c, facts)
    if c.review and result.outcome == PASS:
        result = replace(result, outcome=MANUAL, detail=(result.detail + "；" if result.detail else "")
                         + "自动核验通过，需人工确认")
    return result


def evaluate(ruleset: RuleSet, facts: Mapping[str, object]) -> Report:
    """Evaluate every criterion of the rule set against the facts (missing = absent or None)."""
    results = tuple(evaluate_criterion(c, facts) for c in ruleset.criteria)
    outcomes = [r.outcome for r in results]
    if FAIL in outcomes:
        status = NOT_ELIGIBLE
    elif UNKNOWN in outcomes:
        status = INCOMPLETE
    elif MANUAL in outcomes:
        status = NEEDS_REVIEW
    else:
        status = ELIGIBLE
    wanted = {f for r in results if r.outcome == UNKNOWN for f in r.missing}
    missing = tuple(f for f in FACTS if f in wanted)
    counts = {o: outcomes.count(o) for o in OUTCOMES}
    return Report(tier=ruleset.tier, name=ruleset.name, version=ruleset.version, status=status,
                  status_label=STATUS_LABELS[status], distance=round(sum(r.penalty for r in results), 4),
                  criteria=results, missing_facts=missing, counts=counts)
