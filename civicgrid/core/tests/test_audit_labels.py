"""The audit page names actions, roles, objects, fields and channels in Chinese (issue 18: it showed
`core.view_auditevent` and `audit_admin`); each code stays in the cell's tooltip for the auditor."""

from __future__ import annotations

import re

import pytest

from civicgrid.core import audit, audit_labels
from civicgrid.core.tests.test_audit_page import URL, auditor, events, tree  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


def test_codes_read_as_chinese():
    assert audit_labels.action_label("core.view_auditevent") == "查看审计日志"  # the permission's label
    assert audit_labels.action_label("accounts.login") == "登录"
    assert audit_labels.action_label("works.set_quantities") == "创城项目 · 设置"  # not a permission
    assert audit_labels.action_label("cases.frobnicate") == "案件工单 · 其他操作"
    assert audit_labels.roles_label("audit_admin,grid_worker") == "审计管理员、网格员"
    assert audit_labels.object_label("people.resident") == "居民"
    assert audit_labels.object_label("enterprises.metricsyear") == "高新区与企业服务"
    assert audit_labels.fields_label("id_number,phone") == "身份证号、手机号"
    assert audit_labels.channel_label("web") == "网页"


def test_the_page_shows_labels_and_keeps_codes_in_tooltips(client, auditor, events):  # noqa: F811
    audit.record(actor=auditor, action="core.view_auditevent", object_type="core.auditevent")
    client.force_login(auditor)

    body = client.get(URL).content.decode()
    text = re.sub(r"<[^>]+>", " ", body)  # what the page shows, without attributes

    assert "查看审计日志" in text and "审计管理员" in text and "查看完整身份证号和电话" in text
    assert not re.search(r"\b[a-z]+\.[a-z]+_[a-z_]+\b", text)  # no raw permission code in the text
    assert "audit_admin" not in text and "grid_worker" not in text
    assert "身份证号" in text and "居民" in text
    assert 'title="people.unmask_personal"' in body  # the code is still there for the auditor
