"""The amount formula: pure, Decimal, never eval."""

from decimal import Decimal

import pytest

from civicgrid.subsidies import formula

REFUND = {"expr": {"mul": [{"fact": "ui_contributions"}, {"if": "is_sme", "then": 0.6, "else": 0.3}]}}


def test_refund_rate_follows_the_size():
    assert formula.amount(REFUND, {"ui_contributions": 12345.67, "is_sme": True}) == Decimal("7407.40")
    assert formula.amount(REFUND, {"ui_contributions": 12345.67, "is_sme": False}) == Decimal("3703.70")


def test_bands_cap_and_places():
    f = {"expr": {"band": "insured_start", "bands": [{"up_to": 300, "value": 0.6}, {"value": 0.3}]}, "places": 1}
    assert formula.amount(f, {"insured_start": 300}) == Decimal("0.6")
    assert formula.amount(f, {"insured_start": 301}) == Decimal("0.3")
    capped = {"expr": {"mul": [{"fact": "hired_unemployed"}, 1000]}, "cap": 100000}
    assert formula.amount(capped, {"hired_unemployed": 7}) == Decimal("7000.00")
    assert formula.amount(capped, {"hired_unemployed": 250}) == Decimal("100000.00")
    assert formula.amount({"expr": {"sub": [1, {"max": [2, 3]}]}}, {}) == Decimal("0.00")  # never negative
    assert formula.amount({"expr": {"min": ["0.125", 1]}}, {}) == Decimal("0.13")  # half up


def test_a_missing_fact_is_unknown_not_zero():
    with pytest.raises(formula.MissingFact) as caught:
        formula.amount(REFUND, {"ui_contributions": 100})
    assert caught.value.fact == "is_sme"


@pytest.mark.parametrize("bad, words", [
    ({"expr": {"pow": [2, 3]}}, "未知的运算"),
    ({"expr": {"fact": "__import__"}}, "未知的事实项"),
    ({"expr": "1e999999"}, "超出可用范围"),
    ({"expr": "NaN"}, "有限数值"),
    ({"expr": {"add": [1]}}, "至少需要两个参数"),
    ({"expr": {"if": "ui_contributions", "then": 1, "else": 0}}, "是/否"),
    ({"expr": {"band": "staff", "bands": [{"up_to": 5, "value": 1}, {"up_to": 3, "value": 2}, {"value": 0}]}},
     "从小到大"),
    ({"expr": 1, "places": 5}, "places"),
    ({"expr": 1, "cap": 0}, "cap"),
    ("__import__('os')", "公式应为"),
])
def test_bad_formulas_are_refused_with_a_reason(bad, words):
    with pytest.raises(formula.FormulaError) as caught:
        formula.parse_formula(bad)
    assert words in str(caught.value)


def test_describe_in_chinese():
    assert formula.describe(REFUND) == "上年度实际缴纳失业保险费 × (中小微企业为 0.6,否则 0.3)"
