"""The enterprise test zone (civicgrid.enterprises.tests.conftest) plus what relief cases need: the zone's
investment department (officers: the lead), the district government office (a handler: a co-handler), two
external bodies (the city commerce bureau, a bank), the 12345 dispatcher, and the categories."""

from __future__ import annotations

import pytest

from civicgrid.accounts.models import Department, DepartmentKind
from civicgrid.cases.actions import sync_categories
from civicgrid.enterprises.tests.conftest import build_world
from civicgrid.relief import actions
from civicgrid.testing import make_user


def build_relief_world(tree):
    w = build_world(tree)
    w.tc = Department.objects.create(code="GX-TC", name="高新区投资促进部", kind=DepartmentKind.ZONE)
    w.gov = Department.objects.create(code="QZFB", name="区政府办公室", kind=DepartmentKind.DISTRICT)
    w.city = Department.objects.create(code="SSWJ", name="市商务局", kind=DepartmentKind.EXTERNAL)
    w.bank = Department.objects.create(code="BANK-ICBC", name="工商银行辽阳分行", kind=DepartmentKind.EXTERNAL)
    w.officer_tc = make_user("officer_tc", "enterprise_officer", department=w.tc)
    w.gov_handler = make_user("gov_handler", "department_handler", department=w.gov)
    w.dispatcher = make_user("disp", "dispatcher", tree.district)
    sync_categories()
    return w


@pytest.fixture
def rworld(tree):
    return build_relief_world(tree)


def submit(w, actor=None, **extra):
    data = {"enterprise_id": w.ent_a.pk, "category_code": "8007", "description": "外资资本金账户被冻结,增资款无法结汇",
            **extra}
    relief, _ = actions.submit_relief(actor=actor or w.contact_a, data=actions.ReliefInput(**data))
    return relief


TASKS = [{"department": "SSWJ", "task": "协调外汇管理部门解除资本金账户限制"},
         {"department": "QZFB", "task": "协调项目资金"},
         {"department": "BANK-ICBC", "task": "办理资本金结汇和项目贷款"}]
