"""The form schema is pure: definitions, conditions and answers are checked without a database."""

from __future__ import annotations

import re

import pytest

from civicgrid.gridops.campaigns import conditions, examples, schema
from civicgrid.gridops.campaigns.conditions import ConditionError
from civicgrid.gridops.campaigns.schema import AnswerError, DefinitionError


def _form(*fields) -> dict:
    return schema.normalize_definition({"fields": list(fields)})


EPIDEMIC = schema.normalize_definition(examples.EPIDEMIC)
GAS = schema.normalize_definition(examples.GAS_SAFETY)


# --- conditions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,parsed", [
    ("${a} = 'yes'", {"join": "and", "terms": [{"field": "a", "op": "=", "value": "yes"}]}),
    ("${n} >= 2 and ${n} < 10.5", {"join": "and", "terms": [{"field": "n", "op": ">=", "value": 2},
                                                            {"field": "n", "op": "<", "value": 10.5}]}),
    ("selected(${s}, 'x') or not(selected(${s}, \"y\"))",
     {"join": "or", "terms": [{"field": "s", "op": "selected", "value": "x"},
                              {"field": "s", "op": "not_selected", "value": "y"}]}),
    ("${t} != ''", {"join": "and", "terms": [{"field": "t", "op": "!=", "value": ""}]}),
    ("${flag} = true()", {"join": "and", "terms": [{"field": "flag", "op": "=", "value": "yes"}]}),
])
def test_parse_condition(text, parsed):
    assert conditions.parse_condition(text) == parsed


@pytest.mark.parametrize("text,message", [
    ("${a} = 'x' and ${b} = 'y' or ${c} = 'z'", "不能混用"),
    ("${a} =", "比较的值"),
    ("${a} 'x'", "比较符号"),
    ("a = 'x'", "${字段名}"),
    ("${a} = 'x' ${b}", "多余的内容"),
    ("${a} = x", "比较的值"),
    ("${a} # 1", "无法识别"),
])
def test_malformed_conditions_are_explained(text, message):
    with pytest.raises(ConditionError, match=re.escape(message)):
        conditions.parse_condition(text)


def test_condition_text_round_trips():
    text = "selected(${s}, 'x') or not(selected(${s}, 'y')) or ${n} >= 2"
    assert conditions.condition_text(conditions.parse_condition(text)) == text


def test_a_hidden_field_counts_as_unanswered_for_later_conditions():
    form = _form(
        {"name": "a", "type": "yesno", "label": "A"},
        {"name": "b", "type": "yesno", "label": "B", "relevant": "${a} = 'yes'"},
        {"name": "c", "type": "text", "label": "C", "relevant": "${b} = 'yes'"},
    )
    assert schema.relevant_fields(form, {"a": "yes", "b": "yes"}) == ["a", "b", "c"]
    assert schema.relevant_fields(form, {"a": "no", "b": "yes"}) == ["a"]  # b hidden, so c hidden too


@pytest.mark.parametrize("answers,shown", [
    ({}, ["fuel", "alarm", "hazards", "occupants", "checked_on"]),  # '' != 'none' is true, as in XPath
    ({"fuel": "none"}, ["fuel", "occupants", "checked_on"]),
    ({"fuel": "pipeline", "hazards": ["hose"]}, ["fuel", "alarm", "hazards", "occupants", "photo", "checked_on"]),
    ({"fuel": "pipeline", "hazards": ["storage"]}, ["fuel", "alarm", "hazards", "occupants", "checked_on"]),
])
def test_gas_safety_conditions(answers, shown):
    assert schema.relevant_fields(GAS, answers) == shown


def test_number_comparisons_are_numeric():
    form = _form({"name": "n", "type": "integer", "label": "N"},
                 {"name": "more", "type": "text", "label": "M", "relevant": "${n} > 9"})
    assert schema.relevant_fields(form, {"n": 10}) == ["n", "more"]  # "10" > "9" as text would be false
    assert schema.relevant_fields(form, {}) == ["n"]


# --- definitions ---------------------------------------------------------------------------------

def test_the_epidemic_example_normalizes():
    names = [(f["name"], f["type"], f["required"]) for f in EPIDEMIC["fields"]]
    assert names == [("members_present", "integer", True), ("test_done", "yesno", True),
                     ("not_tested_reason", "select_one", True), ("id_verified", "yesno", True),
                     ("note", "text", False)]
    assert EPIDEMIC["fields"][2]["when"] == {"join": "and", "terms": [{"field": "test_done", "op": "=", "value": "no"}]}


def _problems(*fields) -> list[tuple[int | None, str]]:
    with pytest.raises(DefinitionError) as caught:
        schema.normalize_definition({"fields": list(fields)})
    return [(p.index, p.code) for p in caught.value.problems]


def test_every_problem_of_a_definition_is_listed_with_its_field():
    assert _problems(
        {"name": "1bad", "type": "text", "label": "X"},
        {"name": "ok", "type": "colour", "label": "X"},
        {"name": "ok", "type": "text", "label": ""},
        {"name": "ok", "type": "text", "label": "dup"},
        {"name": "pick", "type": "select_one", "label": "P", "choices": []},
        {"name": "n", "type": "integer", "label": "N", "min": 5, "max": 1},
    ) == [(0, "name_invalid"), (1, "type_invalid"), (2, "label_required"), (3, "name_duplicate"),
          (4, "choices_required"), (5, "bounds_inverted")]


@pytest.mark.parametrize("relevant,message", [
    ("${later} = 'x'", "不存在或不在本字段之前"),
    ("${pick} = 'z'", "不是字段“pick”的选项"),
    ("${pick} > 'a'", "只能用 = 或 != 比较"),
    ("${many} = 'a'", "请用 selected"),
    ("selected(${n}, 'a')", "selected() 只能用于"),
    ("${n} > 'abc'", "须与数字比较"),
    ("${d} > '2024-13-01'", "日期"),
])
def test_conditions_must_fit_the_fields_before(relevant, message):
    with pytest.raises(DefinitionError) as caught:
        schema.normalize_definition({"fields": [
            {"name": "pick", "type": "select_one", "label": "P", "choices": [{"value": "a"}, {"value": "b"}]},
            {"name": "many", "type": "select_multiple", "label": "M", "choices": [{"value": "a", "label": "甲"}]},
            {"name": "n", "type": "integer", "label": "N"},
            {"name": "d", "type": "date", "label": "D"},
            {"name": "q", "type": "text", "label": "Q", "relevant": relevant},
            {"name": "later", "type": "text", "label": "L"},
        ]})
    assert message in caught.value.problems[0].message
    assert caught.value.problems[0].index == 4


def test_yesno_fields_have_fixed_choices():
    form = _form({"name": "a", "type": "yesno", "label": "A", "choices": [{"value": "maybe"}]})
    assert "choices" not in form["fields"][0]
    assert schema.choices_of(form["fields"][0]) == [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]


# --- answers -------------------------------------------------------------------------------------

def test_clean_answers_keeps_shown_fields_in_stored_form():
    cleaned = schema.clean_answers(EPIDEMIC, {"members_present": "3", "test_done": True, "id_verified": "no",
                                              "not_tested_reason": "away", "note": "  "})
    assert cleaned == {"members_present": 3, "test_done": "yes", "id_verified": "no"}  # reason hidden, note empty


def test_a_required_field_is_required_only_when_shown():
    with pytest.raises(AnswerError) as caught:
        schema.clean_answers(EPIDEMIC, {"members_present": 2, "test_done": "no", "id_verified": "yes"})
    assert caught.value.errors == {"not_tested_reason": "必填"}


@pytest.mark.parametrize("answers,errors", [
    ({"members_present": 31}, {"members_present": "不能大于 30"}),
    ({"members_present": "2.5"}, {"members_present": "请填写整数"}),
    ({"members_present": True}, {"members_present": "请填写数字"}),
    ({"test_done": "maybe"}, {"test_done": "请选择“是”或“否”"}),
    ({"not_tested_reason": "moon", "test_done": "no"}, {"not_tested_reason": "请从选项中选择"}),
    ({"colour": "red"}, {"colour": "表单中没有这个字段"}),
])
def test_wrong_values_are_reported_per_field(answers, errors):
    base = {"members_present": 1, "test_done": "yes", "id_verified": "yes"}
    with pytest.raises(AnswerError) as caught:
        schema.clean_answers(EPIDEMIC, {**base, **answers})
    assert caught.value.errors == errors


def test_multi_choice_dates_decimals_and_photos():
    form = _form(
        {"name": "many", "type": "select_multiple", "label": "M",
         "choices": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}, {"value": "c", "label": "丙"}]},
        {"name": "d", "type": "date", "label": "D"},
        {"name": "x", "type": "decimal", "label": "X", "min": 35, "max": 42},
        {"name": "p", "type": "photo", "label": "P"},
    )
    assert schema.clean_answers(form, {"many": "c a", "d": "2024-05-02", "x": "36.6", "p": "new"}) == {
        "many": ["a", "c"], "d": "2024-05-02", "x": 36.6, "p": "new"}
    assert schema.clean_answers(form, {"many": ["b"], "p": 12}) == {"many": ["b"], "p": 12}
    with pytest.raises(AnswerError) as caught:
        schema.clean_answers(form, {"many": ["z"], "d": "2024-02-30", "x": "hot", "p": -1})
    assert caught.value.errors == {"many": "“z”不是选项", "d": "请填写日期,如 2024-05-01", "x": "请填写数字",
                                   "p": "照片无效,请重新拍摄"}


def test_display_value_uses_labels():
    fields = schema.field_map(GAS)
    assert schema.display_value(fields["hazards"], ["hose", "valve"]) == "软管老化、阀门漏气"
    assert schema.display_value(fields["alarm"], "no") == "否"
    assert schema.display_value(fields["occupants"], None) == ""
