"""The relief demo (issue 15, items 2, 4 and 10): enterprise relief cases (助企纾困 · 一企一策) and project
blockers (堵点) through the case engine's real actions, at `clock.at(...)` moments in the past.

* The 一企一策 case of the article: a joint-venture chemical firm's capital account was blocked; its contact
  (login `hezi`) reports it on the phone, the 经济发展局 desk (`officer`) assigns the 投资促进部 (login
  `touzi`) as lead with the city commerce bureau, the district government office (login `zhengfu`) and a
  bank as co-handlers, each with its own task; `touzi` records the external bodies' feedback, the outcomes
  (a 7,200,000 USD capital increase, 100,000,000 yuan of project funds) and concludes; the firm rates it.
* A spread of other relief cases over the categories: waiting for triage, waiting for contact (some
  overdue), in planning or handling, concluded, closed and rated (a few unsatisfied), with loans and jobs
  kept recorded as outcomes; and blockers on the investment stage's projects, open, overdue and closed.

Deterministic for a seed and a build day; does nothing when relief cases exist.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts import actions as accounts
from civicgrid.accounts.models import Department, DepartmentKind, User
from civicgrid.cases.actions import sync_categories, transition_case
from civicgrid.core import clock
from civicgrid.core.calendars import load_calendar
from civicgrid.demo.logins import known_password
from civicgrid.enterprises import actions as enterprise_actions
from civicgrid.enterprises.choices import EnterpriseStatus, Ownership
from civicgrid.enterprises.models import Enterprise, EnterpriseContact
from civicgrid.relief import actions
from civicgrid.relief.models import ReliefCase

LEAD = "GX-TC"  # 高新区投资促进部
FINANCE = "GX-CJ"  # 高新区财政金融部
GOV = ("QZFB", "宏伟区人民政府办公室", "区政府办", DepartmentKind.DISTRICT)
EXTERNAL = (("SSWJ", "辽阳市商务局", "市商务局"), ("SFGW", "辽阳市发展和改革委员会", "市发改委"),
            ("BANK-LY", "北辰银行辽阳分行", "北辰银行"), ("BANK-GX", "衍水农商银行高新区支行", "衍水农商行"))
LOGINS = (("touzi", "投资促进部专员", "enterprise_officer", LEAD), ("caijin", "财政金融部专员", "enterprise_officer", FINANCE),
          ("zhengfu", "区政府办承办人", "department_handler", GOV[0]))
CONTACT_LOGIN = "hezi"

TEXTS = {
    "8001": ("流动资金紧张,银行续贷审批慢,希望协调转贷资金", "loan"),
    "8002": ("新建车间环评批复迟迟未下,影响开工", "approval_unblocked"),
    "8003": ("扩产缺熟练操作工约40人,希望帮助对接招聘", "jobs_kept"),
    "8004": ("二期用地指标未落实,土地手续办理受阻", None),
    "8005": ("新增生产线用电负荷不足,需增容", "approval_unblocked"),
    "8006": ("原料运输车辆进园受限,物流受阻", None),
    "8007": ("外币资本金账户受限,增资款无法结汇", "loan"),
    "8008": ("去年研发费用后补助尚未兑现", None),
    "8009": ("希望协调解决园区道路照明和班车问题", None),
}
BLOCKER_TEXTS = {"8101": "项目用地红线调整未批", "8102": "规划许可证办理卡在方案审查", "8103": "环评报告审批进度慢",
                 "8105": "配套资金缺口约3000万元", "8106": "施工用电用水未接入", "8108": "施工许可证手续不全"}


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _workday(day, calendar):
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def _departments() -> dict[str, Department]:
    rows = {GOV[0]: GOV[1:]} | {code: (name, short, DepartmentKind.EXTERNAL) for code, name, short in EXTERNAL}
    out = {}
    for code, (name, short, kind) in rows.items():
        out[code], _ = Department.objects.get_or_create(code=code, defaults={"name": name, "short_name": short,
                                                                            "kind": kind})
    return out


def _login(security: User, username: str, name: str, role: str, department: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.create_user(actor=security, username=username, password=known_password() or None,
                                    display_name=name)
        accounts.assign_role(actor=security, user=user, role=role, department=Department.objects.get(code=department))
    return user


def _jv_chemical_firm() -> Enterprise:
    operating = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING, industry_code__startswith="C26")
    return (operating.filter(ownership=Ownership.JOINT_VENTURE).order_by("id").first()
            or operating.filter(ownership=Ownership.FOREIGN).order_by("id").first() or operating.order_by("id").first())


def _contact(officer: User, security: User, enterprise: Enterprise) -> User:
    user = User.objects.filter(username=CONTACT_LOGIN).first()
    if user is None:
        user = accounts.create_user(actor=security, username=CONTACT_LOGIN, password=known_password() or None,
                                    display_name="合资企业联系人")
        accounts.assign_role(actor=security, user=user, role="enterprise_contact")
    if not EnterpriseContact.objects.filter(enterprise=enterprise, user=user).exists():
        enterprise_actions.add_contact(actor=officer, enterprise_id=enterprise.pk, user=user, title="财务经理")
    return user


def _step(actor, case, action, **facts):
    return transition_case(actor=actor, case_id=case.pk, action=action, facts=facts).case


def _tailored(people, firm, start, calendar) -> ReliefCase:
    """The article's 一企一策 rescue, closed and rated."""
    contact, officer, touzi, zhengfu = people["contact"], people["officer"], people["touzi"], people["zhengfu"]
    day = start.date()
    with clock.at(start):
        relief, _ = actions.submit_relief(actor=contact, data=actions.ReliefInput(
            enterprise_id=firm.pk, category_code="8007", reporter_phone="13904190000",
            description="我公司为中外合资化工企业,外方股东增资款汇入后资本金账户被限制使用,无法结汇,"
                        "新建项目资金链即将断裂,恳请协调市商务局、银行等部门帮助解决。"))
    case = relief.case
    with clock.at(start + timedelta(minutes=25)):
        case = _step(officer, case, "assign", department=LEAD, comment="一企一策:投资促进部牵头,三方协同", tasks=[
            {"department": "SSWJ", "task": "协调外汇管理部门核实外资信息,解除资本金账户限制"},
            {"department": GOV[0], "task": "协调区级配套,帮助引入项目资金"},
            {"department": "BANK-LY", "task": "办理资本金结汇,评估项目贷款"}])
        actions.set_tailored(actor=officer, relief_id=relief.pk)  # the desk's call at triage: a multi-agency package
    with clock.at(start + timedelta(minutes=50)):
        case = _step(touzi, case, "contact", comment="已电话联系企业财务经理,约定次日上门")
    day2 = _workday(day + timedelta(days=1), calendar)
    with clock.at(_at(day2, 15)):
        case = _step(touzi, case, "submit_plan", comment="一企一策方案:市商务局解除账户限制;北辰银行办理结汇;区政府协调项目资金")
    day3 = _workday(day2 + timedelta(days=1), calendar)
    with clock.at(_at(day3, 10)):
        transition_case(actor=touzi, case_id=case.pk, action="co_feedback",
                        facts={"comment": "已完成外资信息变更登记,资本金账户恢复使用", "on_behalf_of": "SSWJ"})
        transition_case(actor=touzi, case_id=case.pk, action="co_feedback",
                        facts={"comment": "720万美元增资款已结汇入账", "on_behalf_of": "BANK-LY"})
    with clock.at(_at(day3, 16)):
        _step(zhengfu, case, "co_feedback", comment="协调引入项目资金1亿元,已到位")
        actions.record_outcome(actor=touzi, relief_id=relief.pk, data=actions.OutcomeInput(
            kind="capital_increase", amount="7200000", currency="USD", department="SSWJ", note="外方股东增资"))
        actions.record_outcome(actor=touzi, relief_id=relief.pk, data=actions.OutcomeInput(
            kind="funds_introduced", amount="100000000", currency="CNY", department=GOV[0], note="新建项目资金"))
        actions.record_outcome(actor=touzi, relief_id=relief.pk, data=actions.OutcomeInput(
            kind="approval_unblocked", department="SSWJ", note="资本金账户解除限制"))
    day4 = _workday(day3 + timedelta(days=1), calendar)
    with clock.at(_at(day4, 9, 30)):
        case = _step(touzi, case, "conclude", comment="资本金账户恢复,增资720万美元到位,引入项目资金1亿元")
    with clock.at(_at(day4, 14)):
        _step(contact, case, "rate", satisfaction=5, method="online", comment="三方协同,问题很快解决,非常满意")
    return relief


def _spread(rng: random.Random, people, firms, now, calendar) -> dict[str, int]:
    """Other relief cases, one per plan row: (days ago, how far it got, satisfaction)."""
    officer, touzi, caijin, zhengfu, dispatcher = (people[k] for k in ("officer", "touzi", "caijin", "zhengfu",
                                                                       "dispatcher"))
    plans = [(2, "received", None), (1, "received", None), (4, "assigned", None), (12, "assigned", None),
             (9, "planning", None), (20, "planning", None), (6, "handling", None), (15, "handling", None),
             (30, "handling", None), (8, "concluded", None), (40, "closed", 5), (45, "closed", 5), (50, "closed", 4),
             (60, "closed", 5), (75, "closed", 4), (90, "closed", 5), (110, "closed", 2), (130, "closed", 5),
             (150, "closed", 3), (170, "closed", 5), (200, "closed", 4), (230, "closed", 5)]
    codes = sorted(TEXTS)
    counts = {"relief": 0, "closed": 0}
    for i, (days, reach, satisfaction) in enumerate(plans):
        firm = firms[i % len(firms)]
        code = codes[i % len(codes)]
        text, outcome_kind = TEXTS[code]
        start = _at(_workday((now - timedelta(days=days)).date(), calendar), 9 + i % 6, 10 * (i % 5))
        if start >= now:
            start = now - timedelta(hours=3)
        lead, lead_user = (FINANCE, caijin) if code == "8001" else (LEAD, touzi)
        via_hotline = i % 3 == 1
        with clock.at(start):
            relief, _ = actions.submit_relief(actor=dispatcher if via_hotline else officer, data=actions.ReliefInput(
                enterprise_id=firm.pk, category_code=code, description=text,
                channel="hotline" if via_hotline else "officer", reporter_name="企业联系人" if via_hotline else "",
                reporter_phone="13900000000" if via_hotline else ""))
        counts["relief"] += 1
        case = relief.case
        if reach == "received":
            continue
        late = i % 4 == 3  # some steps are taken late, so the KPIs are not all 100%
        with clock.at(start + timedelta(minutes=40)):
            tasks = [{"department": GOV[0], "task": "协调相关区直部门"}] if i % 2 else [
                {"department": "BANK-GX" if code == "8001" else "SFGW", "task": "按职责协助办理"}]
            # the desk stays on the case (co-handling, no task) to follow up and call the enterprise back
            case = _step(officer, case, "assign", department=lead, tasks=tasks, co_departments=["GXJFJ"])
        if reach == "assigned":
            continue
        step_at = start + timedelta(hours=30 if late else 1, minutes=20)
        with clock.at(step_at):
            case = _step(lead_user, case, "contact", comment="已联系企业了解情况")
        if reach == "planning":
            continue
        with clock.at(step_at + timedelta(days=1)):
            case = _step(lead_user, case, "submit_plan", comment="制定帮扶方案,明确责任和时限")
        if reach == "handling":
            continue
        done_at = step_at + timedelta(days=8 if late else 2)
        with clock.at(done_at):
            for task in tasks:
                department = Department.objects.get(code=task["department"])
                if department.kind == DepartmentKind.EXTERNAL:
                    transition_case(actor=lead_user, case_id=case.pk, action="co_feedback",
                                    facts={"comment": "已按职责完成", "on_behalf_of": department.code})
                else:
                    _step(zhengfu, case, "co_feedback", comment="已协调完成")
            if outcome_kind == "loan":
                actions.record_outcome(actor=lead_user, relief_id=relief.pk, data=actions.OutcomeInput(
                    kind="loan", amount=str(rng.choice([500, 800, 1000, 2000]) * 10000), currency="CNY"))
            elif outcome_kind == "jobs_kept":
                actions.record_outcome(actor=lead_user, relief_id=relief.pk, data=actions.OutcomeInput(
                    kind="jobs_kept", jobs=rng.choice([25, 40, 60])))
            elif outcome_kind == "approval_unblocked":
                actions.record_outcome(actor=lead_user, relief_id=relief.pk, data=actions.OutcomeInput(
                    kind="approval_unblocked", note=text[:20]))
            case = _step(lead_user, case, "conclude", comment="已按方案办结")
        if reach == "concluded":
            continue
        with clock.at(done_at + timedelta(hours=20)):
            facts = {"satisfaction": satisfaction, "method": "phone"}
            if satisfaction <= 2:
                facts["comment"] = "企业认为进度偏慢,已说明原因并持续跟进"
            _step(officer, case, "rate", **facts)
        counts["closed"] += 1
    return counts


def _blockers(rng: random.Random, people, now, calendar) -> int:
    from civicgrid.investment.models import Project

    projects = list(Project.objects.select_related("enterprise").order_by("id")[:40])
    if not projects:
        return 0
    officer, touzi, zhengfu = people["officer"], people["touzi"], people["zhengfu"]
    plans = [(1, "raised"), (7, "assigned"), (5, "handling"), (25, "handling"), (12, "resolved"), (40, "closed"),
             (70, "closed"), (100, "closed")]
    codes = sorted(BLOCKER_TEXTS)
    made = 0
    for i, (days, reach) in enumerate(plans):
        project = projects[(i * 5) % len(projects)]
        code = codes[i % len(codes)]
        start = _at(_workday((now - timedelta(days=days)).date(), calendar), 10)
        if start >= now:
            start = now - timedelta(hours=2)
        with clock.at(start):
            blocker, _ = actions.raise_blocker(actor=officer, data=actions.BlockerInput(
                project_id=project.pk, category_code=code, description=BLOCKER_TEXTS[code]))
        made += 1
        case = blocker.case
        if reach == "raised":
            continue
        with clock.at(start + timedelta(hours=2)):
            case = _step(officer, case, "assign", department=LEAD, co_departments=["GXJFJ"], tasks=[
                {"department": GOV[0], "task": "协调区直部门并联办理"}, {"department": "SFGW", "task": "市级手续协调"}])
        if reach == "assigned":
            continue
        deadline = _workday((start + timedelta(days=14 if days > 20 else 9)).date(), calendar)
        with clock.at(start + timedelta(days=1)):
            case = _step(touzi, case, "plan", comment="明确解决路径", deadline=deadline.isoformat())
        if reach == "handling":
            continue
        with clock.at(start + timedelta(days=4)):
            _step(zhengfu, case, "co_feedback", comment="已并联办理")
            transition_case(actor=touzi, case_id=case.pk, action="co_feedback",
                            facts={"comment": "市级手续已办结", "on_behalf_of": "SFGW"})
            case = _step(touzi, case, "resolve", comment="堵点已解决")
        if reach == "resolved":
            continue
        with clock.at(start + timedelta(days=5)):
            _step(officer, case, "confirm", satisfaction=rng.choice([4, 5, 5]), method="visit")
    return made


def build(*, seed: int, say: Callable[[str], None]) -> None:
    if ReliefCase.objects.exists():
        say("助企纾困数据已存在,跳过")
        return
    if not Enterprise.objects.exists():
        say("尚无高新区企业数据,跳过助企纾困")
        return
    rng = random.Random(seed + 1504)
    now = clock.now()
    calendar = load_calendar()
    sync_categories()  # the relief and blocker categories, on a demo built before they existed
    security = User.objects.get(username="security")
    officer = User.objects.get(username="officer")
    people = {"officer": officer, "dispatcher": User.objects.get(username="dispatcher")}
    with transaction.atomic():
        _departments()
        for username, name, role, department in LOGINS:
            people[username] = _login(security, username, name, role, department)
    firm = _jv_chemical_firm()
    with transaction.atomic():  # all of it or nothing: a failed build leaves no half of the demo
        people["contact"] = _contact(officer, security, firm)
        start = _at(_workday((now - timedelta(days=63)).date(), calendar), 9, 20)
        tailored = _tailored(people, firm, start, calendar)
        firms = list(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).exclude(pk=firm.pk)
                     .order_by("id")[:60])
        rng.shuffle(firms)
        counts = _spread(rng, people, firms[:22], now, calendar)
        blockers = _blockers(rng, people, now, calendar)
    say(f"一企一策:{firm.name}(编号 {tailored.case.number},增资720万美元、引入项目资金1亿元,已评价);"
        f"其他企业诉求 {counts['relief']} 件(已结案 {counts['closed']} 件),项目堵点 {blockers} 件;"
        f"登录名 touzi / caijin / zhengfu / {CONTACT_LOGIN}(演示密码同上)")
