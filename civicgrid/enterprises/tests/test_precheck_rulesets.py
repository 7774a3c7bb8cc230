"""The shipped rule sets (科技型中小企业, 高新技术企业, 专精特新中小企业, 专精特新“小巨人”): every criterion
just below, at and above its threshold and with missing data; sources and confidence marks as the
domain notes give them; whole-enterprise scenarios. No database."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicgrid.enterprises.precheck import docs, engine, shipped
from civicgrid.enterprises.precheck.facts import FACTS

SHIPPED = shipped.rulesets()

# Domain notes B6: every criterion is [S2] except the 科技型中小 direct-pass routes, marked [M].
CONFIDENCE_EXCEPTIONS = {("tech_sme", "direct_high_tech"): "M", ("tech_sme", "direct_other"): "M"}
SOURCE_DOCUMENT = {
    "tech_sme": "国科发政〔2017〕115号",
    "high_tech_enterprise": "国科发火〔2016〕32号",
    "specialised_sme": "工信部企业〔2022〕63号",
    "little_giant": "工信部企业〔2022〕63号",
}


def test_the_four_tiers_are_shipped_in_ladder_order():
    assert list(SHIPPED) == ["tech_sme", "high_tech_enterprise", "specialised_sme", "little_giant"]
    for tier, rs in SHIPPED.items():
        assert rs.id == tier
        assert (shipped.DIRECTORY / f"{tier}.json").is_file()


def test_sources_and_confidence_marks():
    for tier, rs in SHIPPED.items():
        for c in rs.all_criteria():
            assert SOURCE_DOCUMENT[tier] in c.source, (tier, c.key)
            assert c.confidence == CONFIDENCE_EXCEPTIONS.get((tier, c.key), "S2"), (tier, c.key)


def test_the_docs_page_is_current():
    page = Path(__file__).resolve().parents[3] / "docs" / "enterprises" / "precheck.md"
    assert page.read_text(encoding="utf-8") == docs.render(SHIPPED), (
        "docs/enterprises/precheck.md is stale: python -m civicgrid.enterprises.precheck.docs")


def test_the_docs_page_lists_every_fact_and_criterion():
    page = docs.render(SHIPPED)
    for name in FACTS:
        assert f"| `{name}` |" in page
    for rs in SHIPPED.values():
        for c in rs.all_criteria():
            assert f"`{c.key}` | {c.label}" in page


def test_every_fact_read_is_in_the_vocabulary():
    for rs in SHIPPED.values():
        assert rs.facts_used() <= set(FACTS)


# --- each criterion at its boundary -------------------------------------------------------------------

def _satisfy(conditions) -> dict:
    facts = {}
    for fact in {c.fact for c in conditions}:
        conds = [c for c in conditions if c.fact == fact]
        candidates = [v for c in conds for v in (c.value, c.value - 1, c.value + 1)]
        facts[fact] = next(v for v in candidates if all(engine._holds(v, c.op, c.value) for c in conds))
    return facts


def _violate(conditions) -> dict:
    first = conditions[0]
    value = {">=": first.value - 1, ">": first.value, "<": first.value, "<=": first.value + 1}[first.op]
    return {first.fact: value}


EXPECT = {  # op -> outcome (below, at, above)
    ">=": ("fail", "pass", "pass"), "<=": ("pass", "pass", "fail"),
    ">": ("fail", "fail", "pass"), "<": ("pass", "fail", "fail"),
}


def _facts_for(c, target: float, base: dict) -> dict:
    facts = dict(base)
    if c.value.fact:
        facts[c.value.fact] = target
    else:
        denominator = facts.setdefault(c.value.denominator, 1_000_000)
        facts[c.value.numerator] = target * denominator / 100
    return facts


def _boundary_cases(c, threshold, base):
    eps = 0.01
    for position, target in enumerate((threshold - eps, threshold, threshold + eps)):
        expected = EXPECT[c.op][position]
        if c.review and expected == "pass":
            expected = "manual"
        yield ("below", "at", "above")[position], _facts_for(c, target, base), expected


NUMERIC = [(tier, c) for tier, rs in SHIPPED.items() for c in rs.all_criteria()
           if c.kind in ("threshold", "ratio") or (c.kind == "manual" and c.value is not None)]


@pytest.mark.parametrize(("tier", "c"), NUMERIC, ids=[f"{t}-{c.key}" for t, c in NUMERIC])
def test_numeric_criteria_below_at_above_and_missing(tier, c):
    base = _satisfy(c.when)
    for where, facts, expected in _boundary_cases(c, c.threshold, base):
        result = engine.evaluate_criterion(c, facts)
        assert result.outcome == expected, (where, facts, result)
        if expected == "fail":
            assert result.gap is not None and result.gap_text
            assert result.gap > 0 or c.op in (">", "<")  # a strict bound met exactly is short by nothing measurable
            assert result.threshold == c.threshold
    missing = engine.evaluate_criterion(c, base)
    if c.kind == "manual":
        assert missing.outcome == "manual"
    else:
        assert missing.outcome == "unknown"
        assert set(missing.missing) <= set(c.value.facts) and missing.missing
    if c.when:
        assert engine.evaluate_criterion(c, {}).outcome == "unknown"  # the band fact itself is data to collect
        violated = {**_facts_for(c, c.threshold, {}), **_violate(c.when)}
        assert engine.evaluate_criterion(c, violated).outcome == "not_applicable"


BANDED = [(tier, c) for tier, rs in SHIPPED.items() for c in rs.all_criteria() if c.kind == "banded"]


@pytest.mark.parametrize(("tier", "c"), BANDED, ids=[f"{t}-{c.key}" for t, c in BANDED])
def test_banded_criteria_in_every_band(tier, c):
    previous_edge = 0
    for band in c.bands:
        if band.up_to is not None:
            band_value = band.up_to
        elif band.below is not None:
            band_value = band.below - 1
        else:
            band_value = previous_edge + 1
        previous_edge = band.up_to if band.up_to is not None else band.below if band.below is not None else previous_edge
        base = {c.band_fact: band_value}
        for where, facts, expected in _boundary_cases(c, band.threshold, base):
            result = engine.evaluate_criterion(c, facts)
            assert (result.outcome, result.threshold) == (expected, band.threshold), (where, band_value)
        assert engine.evaluate_criterion(c, base).outcome == "unknown"
    assert engine.evaluate_criterion(c, {}).outcome == "unknown"


def test_high_tech_rd_bands_are_the_notes():
    c = next(c for c in SHIPPED["high_tech_enterprise"].criteria if c.key == "rd_ratio_3y")
    assert [(b.up_to, b.threshold) for b in c.bands] == [(50_000_000, 5), (200_000_000, 4), (None, 3)]


BOOLEANS = [(tier, c) for tier, rs in SHIPPED.items() for c in rs.all_criteria() if c.kind == "boolean"]


@pytest.mark.parametrize(("tier", "c"), BOOLEANS, ids=[f"{t}-{c.key}" for t, c in BOOLEANS])
def test_boolean_criteria(tier, c):
    fact = c.value.fact
    assert engine.evaluate_criterion(c, {fact: c.expected}).outcome == "pass"
    assert engine.evaluate_criterion(c, {fact: not c.expected}).outcome == "fail"
    assert engine.evaluate_criterion(c, {}).outcome == "unknown"


EXISTS = [(tier, c) for tier, rs in SHIPPED.items() for c in rs.all_criteria() if c.kind == "exists"]


@pytest.mark.parametrize(("tier", "c"), EXISTS, ids=[f"{t}-{c.key}" for t, c in EXISTS])
def test_exists_criteria(tier, c):
    for fact in c.facts:
        facts = {f: 0 for f in c.facts} | {fact: 1}
        assert engine.evaluate_criterion(c, facts).outcome == ("manual" if c.review else "pass")
    assert engine.evaluate_criterion(c, {f: 0 for f in c.facts}).outcome == "fail"
    assert engine.evaluate_criterion(c, {}).outcome == "unknown"


MANUAL_ONLY = [(tier, c) for tier, rs in SHIPPED.items() for c in rs.all_criteria()
               if c.kind == "manual" and c.value is None]


@pytest.mark.parametrize(("tier", "c"), MANUAL_ONLY, ids=[f"{t}-{c.key}" for t, c in MANUAL_ONLY])
def test_qualitative_criteria_are_manual_whatever_the_facts(tier, c):
    assert engine.evaluate_criterion(c, {}).outcome == "manual"
    assert engine.evaluate_criterion(c, {f: 10**9 for f in FACTS if FACTS[f].unit != "bool"}).outcome == "manual"


# --- 科技型中小企业 evaluation score (notes B6(b)) ------------------------------------------------------

TECH = SHIPPED["tech_sme"]
SCORE = next(c for c in TECH.all_criteria() if c.key == "evaluation_score")
EVALUATION = next(c for c in TECH.criteria if c.key == "evaluation")


def _score_facts(tech_pct, rd_sales_pct, class_i=0, class_ii=0, rd_cost_pct=None):
    facts = {"staff": 100, "tech_staff": tech_pct, "revenue": 10_000_000, "rd_expense": rd_sales_pct * 100_000,
             "valid_class_i_ip": class_i, "valid_class_ii_ip": class_ii,
             "total_cost": 10**12}  # R&D ÷ cost scores nothing unless a test sets it
    if rd_cost_pct is not None:
        facts["total_cost"] = facts["rd_expense"] * 100 / rd_cost_pct
    return facts


@pytest.mark.parametrize(("facts", "outcome", "points"), [
    (_score_facts(20, 4, class_ii=3), "pass", 60),  # 12 + 30 + 18: exactly at 60
    (_score_facts(19.99, 4, class_ii=3), "fail", 56),  # 8 + 30 + 18: just below
    (_score_facts(30, 6, class_i=1), "pass", 100),  # every maximum
    (_score_facts(10, 2, class_ii=1), "fail", 20),  # 4 + 10 + 6
    (_score_facts(9.99, 1.99), "fail", 0),
    (_score_facts(15, 3, class_ii=4, rd_cost_pct=25), "pass", 72),  # R&D ÷ cost scores better: 8 + 40 + 24
    (_score_facts(25, 5, class_ii=2), "pass", 68),  # 16 + 40 + 12
])
def test_tech_sme_score_bands(facts, outcome, points):
    result = engine.evaluate_criterion(SCORE, facts)
    assert (result.outcome, result.value) == (outcome, points)


def test_tech_sme_score_with_missing_ip_is_unknown_until_decided():
    facts = _score_facts(30, 6)
    del facts["valid_class_i_ip"], facts["valid_class_ii_ip"]
    assert engine.evaluate_criterion(SCORE, facts).outcome == "pass"  # 70 already
    facts = _score_facts(20, 4)  # 12 + 30 known, IP 0..30: 42..72
    del facts["valid_class_i_ip"], facts["valid_class_ii_ip"]
    result = engine.evaluate_criterion(SCORE, facts)
    assert result.outcome == "unknown" and set(result.missing) == {"valid_class_i_ip", "valid_class_ii_ip"}
    facts = _score_facts(10, 3)  # 4 + 20 known, IP 0..30: 24..54, short either way
    del facts["valid_class_i_ip"], facts["valid_class_ii_ip"]
    assert engine.evaluate_criterion(SCORE, facts).outcome == "fail"


def test_tech_sme_evaluation_routes():
    scored = _score_facts(20, 4, class_ii=3)
    assert engine.evaluate_criterion(EVALUATION, scored).outcome == "pass"
    low = _score_facts(10, 2) | {"holds_high_tech_enterprise": False}
    assert engine.evaluate_criterion(EVALUATION, low).outcome == "manual"  # only the manual direct route is left
    assert engine.evaluate_criterion(EVALUATION, low | {"holds_high_tech_enterprise": True}).outcome == "pass"
    # a score of 60 with under 10% tech staff is impossible (tech staff 0 points) — the route needs both
    no_tech = _score_facts(5, 6, class_i=1)
    route = next(c for c in EVALUATION.criteria if c.key == "evaluation_score_route")
    assert engine.evaluate_criterion(route, no_tech).outcome == "fail"


# --- whole enterprises ----------------------------------------------------------------------------------

GOOD_FIRM = {
    "registered_years": 6, "is_resident_enterprise": True, "in_hightech_field": True, "had_major_incident": False,
    "is_serious_violation": False, "is_abnormal_operation": False,
    "staff": 180, "tech_staff": 40, "rd_staff": 30, "revenue": 120_000_000, "main_business_revenue": 110_000_000,
    "hightech_revenue": 90_000_000, "total_assets": 150_000_000, "total_liabilities": 60_000_000,
    "total_cost": 100_000_000, "rd_expense": 6_000_000, "rd_expense_domestic": 6_000_000,
    "revenue_previous": 100_000_000, "rd_expense_previous": 4_500_000, "revenue_3y": 300_000_000,
    "rd_expense_3y": 13_500_000, "rd_expense_domestic_3y": 13_000_000, "rd_expense_2y_total": 10_500_000,
    "rd_expense_2y_average": 5_250_000, "equity_financing_2y": 0, "main_business_growth_2y_average": 9.0,
    "valid_class_i_ip": 3, "valid_class_ii_ip": 12, "holds_high_tech_enterprise": False,
    "holds_innovative_sme": True, "niche_years": 5, "national_niche_share": 12.0, "has_rd_institution": True,
}


def test_a_good_firm_needs_only_the_manual_checks():
    for tier in SHIPPED:
        report = engine.evaluate(SHIPPED[tier], GOOD_FIRM)
        assert report.status == "needs_review", (tier, [(c.key, c.outcome) for c in report.criteria])
        assert report.missing_facts == () and report.counts["fail"] == report.counts["unknown"] == 0
    # 专精特新: the score route is manual, and its measured routes (R&D 1000万/年, equity 6000万) are short,
    # which the distance keeps for ranking
    assert engine.evaluate(SHIPPED["specialised_sme"], GOOD_FIRM).distance == 0.475
    assert engine.evaluate(SHIPPED["high_tech_enterprise"], GOOD_FIRM).distance == 0


def test_high_tech_report_of_a_firm_short_of_rd():
    facts = GOOD_FIRM | {"rd_expense_3y": 9_000_000}  # 3% of 300M in the 4% band (latest revenue 120M)
    report = engine.evaluate(SHIPPED["high_tech_enterprise"], facts)
    rd = next(c for c in report.criteria if c.key == "rd_ratio_3y")
    assert (report.status, rd.outcome, rd.value, rd.threshold) == ("not_eligible", "fail", 3.0, 4)
    assert rd.amount_needed == 3_000_000
    assert rd.gap_text == "3% < 4%：差 1 个百分点，按当前近三年营业收入合计需再增加近三年研发费用合计 300.0万元"
    assert report.distance == 0.25


def test_little_giant_applies_only_the_firms_revenue_band():
    report = engine.evaluate(SHIPPED["little_giant"], GOOD_FIRM)  # revenue 1.2亿: the ≥1亿 band
    outcome = {c.key: c.outcome for c in report.criteria}
    assert outcome["rd_ratio_large"] == outcome["rd_ratio_large_previous"] == "pass"
    assert {outcome[k] for k in ("rd_ratio_mid", "rd_ratio_mid_previous", "small_equity", "small_rd_total",
                                  "small_rd_staff")} == {"not_applicable"}
    smaller = engine.evaluate(SHIPPED["little_giant"], GOOD_FIRM | {"revenue": 60_000_000})
    outcome = {c.key: c.outcome for c in smaller.criteria}
    assert outcome["rd_ratio_large"] == "not_applicable"
    assert outcome["rd_ratio_mid"] == "pass"  # 6,000,000 / 60,000,000 = 10%
    assert outcome["rd_ratio_mid_previous"] == "fail"  # 4.5%
