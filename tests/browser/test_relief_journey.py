"""The 一企一策 relief case end to end in the browser (issue 15, Done-when): the enterprise contact submits on a
phone (390×844); the 经济发展局 desk assigns the 投资促进部 as lead with three co-handlers, each with a task (the
city commerce bureau and a bank are external); the lead contacts the enterprise and makes a plan; the district
government office reports its own task, the lead records the two external bodies' feedback for them; typed
outcomes are recorded (a missing currency is refused on the page); the lead concludes and the contact rates
it on the phone. Deadlines on working hours/days are shown in plain words at each step. Screenshots land in
test-output/relief-*.png."""

from __future__ import annotations

import re

import pytest

from civicgrid.cases.models import Case, CaseDepartment
from civicgrid.relief.models import Outcome, ReliefCase
from civicgrid.relief.tests.conftest import build_relief_world
from civicgrid.testing import make_tree
from tests.browser.conftest import login, screenshot, settle

pytestmark = pytest.mark.django_db(transaction=True)
WIDE = {"width": 1366, "height": 900}
CONTACT_DUE = re.compile(r"须于 \d+月\d+日\(周.\)\d\d:\d\d前联系企业")


@pytest.fixture
def world():
    return build_relief_world(make_tree())


def _act(page, action: str) -> None:
    page.locator(f"#act-{action} > summary").click()


def _submit(page, action: str) -> None:
    page.locator(f"#act-{action} button[type=submit]").click()
    settle(page)


def _as(browser, live_server, username: str, path: str, *, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else WIDE
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
    page = context.new_page()
    login(page, live_server, username, next_path=path)
    page.goto(f"{live_server.url}{path}")
    return context, page


def test_tailored_relief_case_from_phone_to_rating(world, live_server, browser):
    # 1. the contact reports on the phone
    ctx, phone = _as(browser, live_server, "contact_a", "/relief/new/", phone=True)
    assert "向高新区反映困难" in phone.inner_text("h1")
    phone.locator("label", has_text="外汇/资本金").click()
    phone.fill("textarea[name=description]", "外方股东增资款到账后资本金账户被限制,无法结汇,项目资金链吃紧")
    phone.fill("input[name=reporter_phone]", "13904190000")
    screenshot(phone, "relief-1-contact-submits-phone")
    phone.click("button[type=submit]")
    settle(phone)
    relief = ReliefCase.objects.get()
    assert phone.url.endswith(f"/relief/{relief.pk}/")
    assert "待分派主办单位" in phone.inner_text("[data-section=deadlines]")
    ctx.close()
    detail = f"/relief/{relief.pk}/"

    # 2. the desk assigns a lead and three co-handlers, each with its own task
    ctx, desk = _as(browser, live_server, "officer_zone", detail)
    _act(desk, "assign")
    desk.select_option("#id_assign_department", "GX-TC")
    for i, (code, task) in enumerate((("SSWJ", "协调解除资本金账户限制"), ("QZFB", "协调项目资金"),
                                      ("BANK-ICBC", "办理资本金结汇")), start=1):
        desk.select_option(f"#id_assign_co_{i}", code)
        desk.fill(f"#id_assign_task_{i}", task)
    _submit(desk, "assign")
    deadlines = desk.inner_text("[data-section=deadlines]")
    assert CONTACT_DUE.search(deadlines), deadlines
    assert "前制定方案" in deadlines and "前办结" in deadlines
    assert desk.locator("[data-list=tasks] li").count() == 3
    assert desk.locator("[data-department=SSWJ]").inner_text().count("区外单位") == 1
    desk.locator("[data-form=tailored] button").click()  # the desk's call: a multi-agency package
    settle(desk)
    assert desk.locator("[data-field=tailored]").inner_text() == "一企一策"
    screenshot(desk, "relief-2-desk-assigned")
    ctx.close()

    # 3. the lead contacts the enterprise, makes the plan, records the external bodies' feedback
    ctx, lead = _as(browser, live_server, "officer_tc", detail)
    _act(lead, "contact")
    lead.fill("#id_contact_comment", "已电话联系企业财务经理")
    _submit(lead, "contact")
    assert re.search(r"已于 \d+月\d+日\(周.\)\d\d:\d\d联系企业", lead.inner_text("[data-section=deadlines]"))
    _act(lead, "submit_plan")
    lead.fill("#id_submit_plan_comment", "一企一策:市商务局解除限制,银行结汇,区政府协调项目资金")
    _submit(lead, "submit_plan")
    for code, text in (("SSWJ", "资本金账户已恢复使用"), ("BANK-ICBC", "720万美元已结汇入账")):
        _act(lead, "co_feedback")
        lead.select_option("#id_co_feedback_on_behalf_of", code)
        lead.fill("#id_co_feedback_comment", text)
        _submit(lead, "co_feedback")
    assert lead.locator("[data-department=SSWJ]").get_attribute("data-task") == "done"
    assert "代为登记" in lead.inner_text("[data-department=BANK-ICBC]")
    ctx.close()

    # 4. the district government office reports its own task
    ctx, gov = _as(browser, live_server, "gov_handler", detail)
    _act(gov, "co_feedback")
    gov.fill("#id_co_feedback_comment", "已协调引入项目资金1亿元")
    _submit(gov, "co_feedback")
    assert gov.locator("[data-department=QZFB]").get_attribute("data-task") == "done"
    ctx.close()

    # 5. typed outcomes (a missing currency is refused), then the lead concludes
    ctx, lead = _as(browser, live_server, "officer_tc", detail)
    lead.locator("#outcome-form > summary").click()
    lead.select_option("#id_outcome_kind", "capital_increase")
    lead.fill("#id_outcome_amount", "7200000")
    lead.locator("#outcome-form button[type=submit]").click()
    settle(lead)
    assert "金额须注明币种" in lead.inner_text("[data-error]") and Outcome.objects.count() == 0
    for kind, amount, currency in (("capital_increase", "7200000", "USD"), ("funds_introduced", "100000000", "CNY")):
        if not lead.locator("#outcome-form").get_attribute("open") == "":
            lead.locator("#outcome-form > summary").click()
        lead.select_option("#id_outcome_kind", kind)
        lead.fill("#id_outcome_amount", amount)
        lead.select_option("#id_outcome_currency", currency)
        lead.locator("#outcome-form button[type=submit]").click()
        settle(lead)
    outcomes = lead.inner_text("[data-list=outcomes]")
    assert "增资 7,200,000.00 美元" in outcomes and "引入资金 100,000,000.00 人民币" in outcomes
    _act(lead, "conclude")
    lead.fill("#id_conclude_comment", "资本金到位,项目资金引入")
    _submit(lead, "conclude")
    assert "已办结待评价" in lead.inner_text("[data-field=state]")
    screenshot(lead, "relief-3-lead-concluded")
    ctx.close()

    # 6. the contact rates it on the phone
    ctx, phone = _as(browser, live_server, "contact_a", detail, phone=True)
    _act(phone, "rate")
    phone.locator("#act-rate label", has_text="非常满意").click()
    phone.locator("#act-rate label", has_text="网上").click()
    _submit(phone, "rate")
    assert "已结案" in phone.inner_text("[data-field=state]")
    screenshot(phone, "relief-4-contact-rated-phone")
    ctx.close()

    case = Case.objects.get(pk=relief.case_id)
    assert (case.state, case.satisfaction, case.is_open) == ("closed", 5, False)
    assert ReliefCase.objects.get(pk=relief.pk).is_tailored is True
    assert CaseDepartment.objects.filter(case=case, done_at__isnull=False).count() == 3
