"""XLSForm import: a sample sheet with Chinese labels becomes a campaign form; a malformed sheet is rejected
with the sheet, row and reason, and nothing is written."""

from __future__ import annotations

from io import BytesIO

import pytest

from civicgrid.core import clock, errors
from civicgrid.gridops.campaigns import actions, xlsform
from civicgrid.gridops.campaigns.choices import FormSource
from civicgrid.gridops.campaigns.models import Campaign
from civicgrid.gridops.campaigns.tests.conftest import END, START, at

SURVEY_HEAD = ["type", "name", "label::Chinese (zh)", "label::English (en)", "hint::Chinese (zh)", "required",
               "relevant", "constraint"]
SAMPLE_SURVEY = [
    ["start", "start", "", "", "", "", "", ""],
    ["integer", "members_present", "在家人数", "Members at home", "实际在家的人数", "yes", "", ". >= 0 and . <= 30"],
    ["select_one yes_no", "test_done", "是否已完成核酸检测", "Tested", "", "yes", "", ""],
    ["select_one reasons", "not_tested_reason", "未检测原因", "Why not", "", "yes", "${test_done} = 'no'", ""],
    ["select_one yes_no", "id_verified", "是否已核验身份证件", "ID checked", "", "yes", "", ""],
    ["select_multiple symptoms", "symptoms", "症状", "Symptoms", "", "", "", ""],
    ["decimal", "temperature", "体温", "Temperature", "", "", "selected(${symptoms}, 'fever')", ""],
    ["date", "test_date", "检测日期", "Test date", "", "", "${test_done} = 'yes'", ""],
    ["image", "door_photo", "门牌照片", "Door photo", "", "", "", ""],
    ["text", "note", "备注", "Note", "", "", "", ""],
]
CHOICES_HEAD = ["list_name", "name", "label::Chinese (zh)", "label::English (en)"]
SAMPLE_CHOICES = [
    ["yes_no", "yes", "是", "Yes"], ["yes_no", "no", "否", "No"],
    ["reasons", "away", "外出未归", "Away"], ["reasons", "refused", "拒绝检测", "Refused"],
    ["symptoms", "fever", "发热", "Fever"], ["symptoms", "cough", "咳嗽", "Cough"],
]


def workbook(survey=SAMPLE_SURVEY, choices=SAMPLE_CHOICES, survey_head=SURVEY_HEAD, title="疫情入户统计") -> bytes:
    """An XLSForm .xlsx built with openpyxl: survey, choices and settings sheets."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(survey_head)
    for row in survey:
        sheet.append(row)
    if choices is not None:
        sheet = book.create_sheet("choices")
        sheet.append(CHOICES_HEAD)
        for row in choices:
            sheet.append(row)
    sheet = book.create_sheet("settings")
    sheet.append(["form_title", "form_id"])
    sheet.append([title, "epidemic"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_sample_sheet_becomes_a_form_with_chinese_labels():
    imported = xlsform.read_xlsform(workbook())

    fields = imported.definition["fields"]
    assert [(f["name"], f["type"], f["label"], f["required"]) for f in fields] == [
        ("members_present", "integer", "在家人数", True),
        ("test_done", "yesno", "是否已完成核酸检测", True),
        ("not_tested_reason", "select_one", "未检测原因", True),
        ("id_verified", "yesno", "是否已核验身份证件", True),
        ("symptoms", "select_multiple", "症状", False),
        ("temperature", "decimal", "体温", False),
        ("test_date", "date", "检测日期", False),
        ("door_photo", "photo", "门牌照片", False),
        ("note", "text", "备注", False),
    ]
    assert (fields[0]["min"], fields[0]["max"], fields[0]["hint"]) == (0, 30, "实际在家的人数")
    assert fields[2]["choices"] == [{"value": "away", "label": "外出未归"}, {"value": "refused", "label": "拒绝检测"}]
    assert fields[5]["relevant"] == "selected(${symptoms}, 'fever')"
    assert imported.title == "疫情入户统计"
    assert imported.warnings == ["survey 表第 2 行:start 类型不需要入户填写,已忽略"]


def test_a_plain_label_column_and_a_zh_column_are_both_read():
    survey = [["text", "name_a", "姓名"]]
    assert xlsform.read_xlsform(workbook(survey, None, ["type", "name", "label::zh"])).definition["fields"][0][
        "label"] == "姓名"
    assert xlsform.read_xlsform(workbook(survey, None, ["type", "name", "label"])).definition["fields"][0][
        "label"] == "姓名"


def _rejected(data: bytes) -> list[dict]:
    with pytest.raises(errors.ValidationFailed) as caught:
        xlsform.read_xlsform(data)
    assert caught.value.code == "xlsform_invalid"
    return caught.value.details


@pytest.mark.parametrize("row_index,row,reason", [
    (2, ["geopoint", "where", "位置", "", "", "", "", ""], "不支持的题型“geopoint”"),
    (1, ["select_one colours", "colour", "颜色", "", "", "", "", ""], "choices 表中没有选项列表“colours”"),
    (3, ["text", "", "无名", "", "", "", "", ""], "缺少字段名(name)"),
    (4, ["text", "x", "", "", "", "", "", ""], "字段“x”缺少题目(label)"),
    (5, ["text", "x", "甲", "", "", "maybe", "", ""], "required 列的值“maybe”无效"),
    (6, ["integer", "x", "甲", "", "", "", "", "regex(., '^1')"], "约束“regex(., '^1')”不受支持"),
    (7, ["text", "x", "甲", "", "", "", "${later} = 'a'", ""], "显示条件有误:条件引用的字段“later”不存在或不在本字段之前"),
    (8, ["text", "x", "甲", "", "", "", "${test_done} = 'a' and", ""], "显示条件有误"),
])
def test_a_malformed_row_is_reported_with_its_row_number(row_index, row, reason):
    survey = list(SAMPLE_SURVEY)
    survey.insert(row_index, row)

    details = _rejected(workbook(survey))

    assert details[0]["sheet"] == "survey"
    assert details[0]["row"] == row_index + 2  # header is row 1, SAMPLE_SURVEY[0] is row 2
    assert reason in details[0]["reason"]


def test_a_duplicate_name_is_reported_by_pyxform_with_its_row():
    survey = [*SAMPLE_SURVEY, ["text", "note", "重复的备注", "", "", "", "", ""]]

    details = _rejected(workbook(survey))

    assert details[0]["row"] == 12 and "note" in details[0]["reason"]


def test_a_duplicate_choice_is_reported_on_the_choices_sheet():
    details = _rejected(workbook(choices=[*SAMPLE_CHOICES, ["reasons", "away", "重复", "Dup"]]))

    assert details == [{"sheet": "choices", "row": 8, "reason": "列表“reasons”中选项“away”重复"}]


def test_a_file_that_is_not_a_workbook_is_rejected():
    assert _rejected(b"not a spreadsheet") == [
        {"sheet": "survey", "row": None, "reason": "无法读取文件:请上传 .xlsx 格式的 XLSForm 表格"}]


def test_importing_into_a_campaign_replaces_its_form_and_a_bad_sheet_writes_nothing(world):
    with clock.at(at(1)):
        campaign = actions.create_campaign(actor=world.admin_a, title="导入", targets=[world.tree.micro_a],
                                           start_date=START, end_date=END)

    with pytest.raises(errors.ValidationFailed) as caught:
        actions.import_xlsform(actor=world.admin_a, campaign=campaign,
                               data=workbook([["bogus", "x", "甲", "", "", "", "", ""]]))
    assert "survey 表第 2 行" in caught.value.message
    assert Campaign.objects.get(pk=campaign.pk).form == {"fields": []}

    campaign, imported = actions.import_xlsform(actor=world.admin_a, campaign=campaign, data=workbook())

    assert campaign.form_source == FormSource.XLSFORM
    assert len(Campaign.objects.get(pk=campaign.pk).fields()) == 9
