"""The page screening's text checks catch what they are meant to and leave plain Chinese alone."""

from __future__ import annotations

import pytest

from tests.browser.screening import text_problems

pytestmark = pytest.mark.once


def test_raw_codes_times_and_english_words_are_caught():
    found = text_problems("操作 core.view_auditevent\n整改期限:2026-12-08T03:00:00+00:00\n渠道 resident\n备注 None\n"
                          "金额 6,000.00 CNY", True)

    assert found == ["raw permission code core.view_auditevent", "raw ISO time 2026-12-08T03:00",
                     "English word 'None'", "English word 'resident'", "raw currency code CNY"]


def test_plain_chinese_passes():
    text = "查看审计日志 · 审计管理员\n办理期限 2026-12-08 11:00\n网页 127.0.0.1 v_resident\n金额 6,000.00 元 CNYX"
    assert text_problems(text, True) == []
    assert text_problems("Resident", False) == []  # an English page may say it
