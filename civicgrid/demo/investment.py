"""The investment demo (issue 15, items 1, 3 and 10): about 150 projects of the zone's enterprises with
their milestones and approvals, monthly fixed-asset investment reports, the leads pipeline and funds in
place — all written through the real actions (`civicgrid.investment.actions`).

The article's figures hold on the demo's today (seed-figures.md rows 10–12):

* 67 projects of at least 5 million yuan started construction this year (plus a few smaller ones this year,
  older ones started in earlier years, and signed or approved ones not yet started); four key projects over
  2.7 billion yuan stand on the investment board;
* the accepted monthly reports of this year sum to exactly 1,270,000,000 yuan (a few current-month reports
  wait in the review queue or were returned: they do not count);
* domestic funds in place in the first half of this year (to today, if the half is not over) are exactly
  3,165,000,000 yuan, and over the same days of last year 2,308,030,000 yuan: +37.13%; foreign funds and
  second-half funds are recorded too and do not count.

Logins: `touzi` (投资促进部) and `jianshe` (规划建设部) review the reports of their projects (the relief
demo reuses `touzi`); the `company` login is the contact of an enterprise with a project it reports for on
the phone. Deterministic for a seed and a build day; does nothing when projects exist.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts import actions as accounts
from civicgrid.accounts.models import Department, User
from civicgrid.core import clock
from civicgrid.demo.logins import known_password
from civicgrid.enterprises.choices import EnterpriseStatus
from civicgrid.enterprises.models import ApprovalItem, Enterprise, EnterpriseContact
from civicgrid.investment import actions, growth
from civicgrid.investment.models import Project

STARTED_THIS_YEAR = 67  # figure 10
SMALL_THIS_YEAR = 8  # started this year, under 5 million yuan: not counted
OLDER = 45  # started in earlier years
NOT_STARTED = 30  # signed or approved, construction not started
INVESTMENT_THIS_YEAR = 1_270_000_000  # figure 11
FUNDS_H1 = 3_165_000_000  # figure 12
FUNDS_H1_LAST_YEAR = 2_308_030_000  # 3,165,000,000 / 2,308,030,000 − 1 = 37.1299…% -> 37.13%
KEY_PROJECTS = [("芳烃下游一体化项目", 6_000_000_000, "province"), ("高端聚烯烃新材料项目", 4_500_000_000, "province"),
                ("新能源汽车零部件产业园项目", 3_200_000_000, "city"), ("锂电正极材料项目", 2_850_000_000, "city")]
REVIEWERS = (("touzi", "投资促进部专员", "GX-TC"), ("jianshe", "规划建设部专员", "GX-GJ"))
PROJECT_WORDS = ["新建", "扩建", "技改", "智能化改造", "二期", "绿色升级"]
PRODUCTS = {"C26": ["精细化学品", "聚合物新材料", "化学助剂", "特种树脂", "电子化学品"],
            "C3": ["高端装备", "汽车零部件", "合金材料", "锂电材料", "智能制造"],
            "I6": ["数据中心", "工业互联网平台", "软件研发中心"], "": ["生产线", "产业化", "研发中试基地"]}
INVESTORS = ["华东某化工集团", "某央企新材料公司", "粤港澳某投资集团", "京津某装备集团", "某上市锂电企业", "长三角某汽车零部件集团",
             "某外资精细化工企业", "某省属国企", "某民营新能源集团", "某智能制造龙头企业"]


def _split(total: int, n: int, rng: random.Random, spread: float = 0.6) -> list[int]:
    """`total` yuan in `n` positive integer parts summing exactly to it."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(n)]
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[0] += total - sum(parts)
    return parts


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _code(seq: int, year: int, approval_type: str) -> str:
    kind = {"examination": "01", "verification": "02", "filing": "03"}[approval_type]
    return f"{year}-211004-{('26', '31', '07', '38')[seq % 4]}-{kind}-{seq:05d}{seq * 7 % 10}"


def _product(industry: str, rng: random.Random) -> str:
    for prefix, words in PRODUCTS.items():
        if industry.startswith(prefix):
            return rng.choice(words)
    return rng.choice(PRODUCTS[""])


def _login(security: User, username: str, name: str, department: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.create_user(actor=security, username=username, password=known_password() or None,
                                    display_name=name)
        accounts.assign_role(actor=security, user=user, role="enterprise_officer",
                             department=Department.objects.get(code=department))
    return user


def build(*, seed: int, say: Callable[[str], None]) -> None:
    if Project.objects.exists():
        say("投资项目已存在,跳过")
        return
    if not Enterprise.objects.exists():
        say("尚无高新区企业,跳过投资项目")
        return
    say("正在生成投资项目、月度投资报表、招商线索和到位资金……")
    counts = generate(seed=seed)
    say(f"投资项目 {counts['projects']} 个(今年开工500万元以上 {counts['started']} 个),月报 {counts['reports']} 份,"
        f"线索 {counts['leads']} 条,到位资金 {counts['funds']} 笔")


def generate(*, seed: int, now=None) -> dict:
    now = now or clock.now()
    today = timezone.localtime(now).date()
    rng = random.Random(f"{seed}:investment")
    security = User.objects.get(username="security")
    officer = User.objects.get(username="officer")
    with clock.at(now), transaction.atomic():
        reviewers = {code: _login(security, username, name, code) for username, name, code in REVIEWERS}
        projects = _projects(rng, officer, reviewers, today)
        reports = _reports(rng, officer, reviewers, projects, today)
        _approvals(rng, officer, projects, today)
        leads, funds = _attraction(rng, reviewers["GX-TC"], projects, today)
    return {"projects": len(projects), "started": sum(1 for p in projects if p["counted"]), "reports": reports,
            "leads": leads, "funds": funds}


# --- projects ----------------------------------------------------------------------------------------

def _projects(rng: random.Random, officer: User, reviewers: dict, today: date) -> list[dict]:
    year_start = date(today.year, 1, 1)
    enterprises = list(Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).order_by("id"))
    rng.shuffle(enterprises)
    company = EnterpriseContact.objects.filter(user__username="company", is_active=True).select_related(
        "enterprise").first()
    chemical = [e for e in enterprises if e.industry_code.startswith("C26")] or enterprises
    plans = []
    # (kind, count): kind decides the total and the dates
    for kind, count in (("started", STARTED_THIS_YEAR), ("small", SMALL_THIS_YEAR), ("older", OLDER),
                        ("not_started", NOT_STARTED)):
        plans += [kind] * count
    made = []
    for seq, kind in enumerate(plans, start=1):
        key = None
        if kind == "started" and seq <= 2:
            key = KEY_PROJECTS[seq - 1]  # two key projects started this year
        elif kind == "older" and seq - STARTED_THIS_YEAR - SMALL_THIS_YEAR <= 2:
            key = KEY_PROJECTS[seq - STARTED_THIS_YEAR - SMALL_THIS_YEAR + 1]
        if company is not None and seq == 3:
            enterprise = company.enterprise
        elif key:
            enterprise = chemical[seq % len(chemical)]
        else:
            enterprise = enterprises[seq % len(enterprises)]
        if kind == "started":
            start = _day_between(rng, year_start, today)
        elif kind == "small":
            start = _day_between(rng, year_start, today)
        elif kind == "older":
            start = _day_between(rng, date(today.year - 4, 3, 1), date(today.year - 1, 11, 30))
        else:
            start = None
        anchor = start or _day_between(rng, today - timedelta(days=400), today)
        signed = anchor - timedelta(days=rng.randint(40, 240)) if start else anchor
        signed = min(signed, today)
        approved = signed + timedelta(days=rng.randint(10, max(10, ((start or today) - signed).days // 2)))
        if key:
            name, total, level = key
            name = f"{enterprise.name[:6]}{name}"
        else:
            total = (rng.randint(200, 490) * 10_000 if kind == "small"
                     else rng.choice([rng.randint(500, 3000), rng.randint(3000, 20000), rng.randint(20000, 120000)]) * 10_000)
            level = "zone" if total >= 100_000_000 and rng.random() < 0.4 else ""
            name = f"{enterprise.name[:6]}{_product(enterprise.industry_code, rng)}{rng.choice(PROJECT_WORDS)}项目"
        approval_type = "verification" if total >= 2_000_000_000 else "filing"
        currency = "USD" if kind == "older" and seq % 20 == 0 and not key else "CNY"
        review = "GX-GJ" if seq % 5 in (1, 3) else "GX-TC"
        project = actions.register_project(actor=officer, data=actions.ProjectInput(
            code=_code(seq, signed.year, approval_type), name=name[:200], enterprise_id=enterprise.pk,
            total_investment=Decimal(total if currency == "CNY" else total // 7), currency=currency,
            signed_on=signed, approval_type=approval_type, is_key=bool(level), key_level=level,
            planned_start_on=start or (today + timedelta(days=rng.randint(20, 200))),
            planned_completion_on=(start or today) + timedelta(days=rng.randint(300, 900)),
            lead_official=rng.choice(["", "王副主任", "李副主任", "张主任"]), review_department=review),
            idempotency_key=f"demo-project-{seq}")
        if approved <= today and (start is None and rng.random() < 0.5 or start is not None):
            actions.advance_stage(actor=officer, project_id=project.pk, stage="approved",
                                  happened_on=min(approved, start or today))
        stage_dates = {}
        if start is not None:
            actions.advance_stage(actor=officer, project_id=project.pk, stage="started", happened_on=start)
            building = start + timedelta(days=rng.randint(10, 40))
            if building <= today:
                actions.advance_stage(actor=officer, project_id=project.pk, stage="under_construction",
                                      happened_on=building)
            if kind == "older":
                done = start + timedelta(days=rng.randint(300, 700))
                if done <= today and rng.random() < 0.6:
                    actions.advance_stage(actor=officer, project_id=project.pk, stage="completed", happened_on=done)
                    stage_dates["completed"] = done
                    production = done + timedelta(days=rng.randint(20, 120))
                    if production <= today and rng.random() < 0.7:
                        actions.advance_stage(actor=officer, project_id=project.pk, stage="in_production",
                                              happened_on=production)
        made.append({"project": project, "kind": kind, "start": start, "total": total, "currency": currency,
                     "reviewer": reviewers[review], "completed": stage_dates.get("completed"),
                     "counted": kind == "started", "company": company is not None and seq == 3})
    return made


# --- monthly reports ---------------------------------------------------------------------------------

def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def _reports(rng: random.Random, officer: User, reviewers: dict, projects: list[dict], today: date) -> int:
    """This year's reports: accepted ones summing to exactly INVESTMENT_THIS_YEAR; a few current-month ones
    waiting for review or returned (not counted)."""
    year_start = date(today.year, 1, 1)
    slots = []  # (project plan, month, weight)
    pending = []
    for i, plan in enumerate(p for p in projects if p["start"] is not None and p["currency"] == "CNY"):
        if plan["completed"] and plan["completed"] < year_start:
            continue
        first = max(plan["start"], year_start)
        last = min(plan["completed"] or today, today)
        months = _months(first, last)
        if plan["company"] or (i % 9 == 4 and len(months) > 1):
            pending.append((plan, months[-1]))
            months = months[:-1]
        weight = float(plan["total"]) ** 0.5
        slots += [(plan, month, weight * rng.uniform(0.5, 1.5)) for month in months]
    amounts = [int(INVESTMENT_THIS_YEAR * w / sum(s[2] for s in slots)) for *_, w in slots]
    amounts[0] += INVESTMENT_THIS_YEAR - sum(amounts)
    contact = User.objects.filter(username="company").first()
    made = 0
    for (plan, month, _), amount in sorted(zip(slots, amounts, strict=True), key=lambda s: (s[0][0]["project"].pk,
                                                                                            s[0][1])):
        project = plan["project"]
        carried = None
        if plan["start"] < year_start and month == year_start:  # completed before this year's first report
            carried = amount + int(plan["total"] * rng.uniform(0.2, 0.5))
        reporter = contact if plan["company"] and contact is not None else officer
        report = actions.submit_report(actor=reporter, project_id=project.pk, month=month, amount_yuan=amount,
                                       cumulative=carried, idempotency_key=f"demo-report-{project.pk}-{month:%Y%m}")
        actions.review_report(actor=plan["reviewer"], report_id=report.pk, accept=True)
        made += 1
    for n, (plan, month) in enumerate(pending):
        reporter = contact if plan["company"] and contact is not None else officer
        report = actions.submit_report(actor=reporter, project_id=plan["project"].pk, month=month,
                                       amount_yuan=rng.randint(50, 800) * 10_000)
        if n % 3 == 2:
            actions.review_report(actor=plan["reviewer"], report_id=report.pk, accept=False,
                                  note="本月完成额与形象进度不符,请核实后重报")
        made += 1
    return made


def _approvals(rng: random.Random, officer: User, projects: list[dict], today: date) -> None:
    items = list(ApprovalItem.objects.filter(is_active=True, category__contains="项目").order_by("code")[:12]) or list(
        ApprovalItem.objects.filter(is_active=True).order_by("code")[:12])
    if not items:
        return
    for plan in projects[::3]:
        project = plan["project"]
        for item in rng.sample(items, k=min(3, len(items))):
            applied = _day_between(rng, project.signed_on, today)
            granted = applied + timedelta(days=rng.randint(3, 25))
            status = "granted" if plan["start"] is not None and granted <= today else rng.choice(["needed", "applied"])
            actions.record_approval(actor=officer, project_id=project.pk, item_code=item.code, status=status,
                                    applied_on=applied if status != "needed" else None,
                                    granted_on=granted if status == "granted" else None,
                                    document_no=f"辽高审批〔{granted.year}〕{rng.randint(1, 300)}号" if status == "granted" else "")


# --- leads and funds in place ------------------------------------------------------------------------

def _attraction(rng: random.Random, owner: User, projects: list[dict], today: date) -> tuple[int, int]:
    from civicgrid.investment.choices import LeadSource

    sources = list(LeadSource.values)
    industries = ["C2614", "C2651", "C2662", "C3841", "C3670", "C3240", "I6513", "C2684"]
    since, until = growth.first_half(today)
    base_since, base_until = growth.same_period_last_year(since, until)
    two_years_ago = date(today.year - 2, 1, 1)
    targets = [p["project"] for p in projects if p["kind"] in ("started", "not_started")]

    def lead(i: int, found: date):
        return actions.create_lead(actor=owner, data=actions.LeadInput(
            name=f"{rng.choice(INVESTORS)[-6:]}{rng.choice(['新材料', '新能源', '精细化工', '装备制造', '数字经济'])}项目",
            investor=rng.choice(INVESTORS), source=sources[i % len(sources)], industry_code=industries[i % len(industries)],
            amount=Decimal(rng.randint(5, 300) * 10_000_000), currency="CNY", found_on=found),
            idempotency_key=f"demo-lead-{i}")

    def step(item, stage: str, on: date, **extra):
        return actions.advance_lead(actor=owner, lead_id=item.pk, stage=stage, on=on, **extra)

    n = 0
    # funded and landed leads: signed two years ago, so funds of last year's half count for them too
    funded, landed = [], []
    for i in range(28):
        signed = _day_between(rng, two_years_ago, two_years_ago + timedelta(days=280))
        item = lead(n, signed - timedelta(days=rng.randint(60, 150)))
        n += 1
        step(item, "negotiating", signed - timedelta(days=rng.randint(10, 50)))
        step(item, "signed", signed)
        item = step(item, "landed", signed + timedelta(days=rng.randint(20, 60)), project_id=targets[i % len(targets)].pk)
        (funded if i < 18 else landed).append(item)
    # earlier stages: this year's leads
    for stage, count in (("lead", 12), ("negotiating", 10), ("signed", 10)):
        for _ in range(count):
            found = _day_between(rng, max(date(today.year, 1, 1), today - timedelta(days=300)), today)
            item = lead(n, found)
            n += 1
            if stage in ("negotiating", "signed"):
                talk = _day_between(rng, found, today)
                step(item, "negotiating", talk)
                if stage == "signed":
                    step(item, "signed", _day_between(rng, talk, today))
    bearing = funded + landed
    made = 0

    def record(amount: int, day: date, origin: str = "domestic", currency: str = "CNY", target=None):
        nonlocal made
        target = target or bearing[made % len(bearing)]
        actions.record_funds(actor=owner, data=actions.FundsInput(
            origin=origin, amount=Decimal(amount), currency=currency, received_on=day, lead_id=target.pk),
            idempotency_key=f"demo-funds-{made}")
        made += 1

    for amount in _split(FUNDS_H1, 40, rng):
        record(amount, _day_between(rng, since, until))
    for amount in _split(FUNDS_H1_LAST_YEAR, 34, rng):
        record(amount, _day_between(rng, base_since, base_until))
    for amount in _split(900_000_000, 15, rng):  # last year's second half: not in either period
        record(amount, _day_between(rng, base_until + timedelta(days=1), date(today.year - 1, 12, 31)))
    if today > until:
        for amount in _split(1_200_000_000, 12, rng):  # this year's second half so far
            record(amount, _day_between(rng, until + timedelta(days=1), today))
    for amount in _split(36_000_000, 6, rng):  # foreign capital in US dollars: not 国内到位资金
        record(amount, _day_between(rng, since, until), origin="foreign", currency="USD")
    for item in funded:
        first = item.funds.order_by("received_on").values_list("received_on", flat=True).first()
        if first is not None:  # every funded lead has funds (the records go round all of them)
            step(item, "funded", max(first, item.landed_on))
    return n, made
