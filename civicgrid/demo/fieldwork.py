"""Field-work demo (入户走访, 重点人员, 矛盾纠纷排查, 警网联动, 普法宣传), replayed through the real actions of
`civicgrid.gridops.fieldwork` at `clock.at(...)` over the last 60 days, in the first street (新华街道):

* Visits: every grid of the first community is visited by its grid and micro-grid workers (coverage 30–75%),
  the other grids of the street a little; in the first community the elderly living alone are visited about
  weekly, some lapse so the overdue list is not empty. About one visit in ten collects an opinion, a third of those become cases.
* Key persons: every resident of the street with a sensitive tag (a cap keeps the demo quick; the whole
  district when the street has too few) gets the grid worker of their grid as responsible worker and, in
  the first community, the `police` login as police liaison; follow-ups at roughly the required frequency,
  some with the police present, one person in five left without contact for a while (overdue).
* Screening: each grid of the street reports each half-month (most done, some late, the current period
  partly done); about one round in eight finds disputes, which open `dispute` cases.
* Joint work (first community): three grid cases referred to the police (one accepted, one declined, one
  pending), three police referrals that became cases, six joint patrols/checks/mediations.
* Activities: two or three 普法/宣传 activities per grid of the first community, a few elsewhere.

Deterministic for a seed and a build day. Call after the base demo (`builder.build`) and the case
catalogue (`cases.actions.sync_categories`, called here if missing)."""

from __future__ import annotations

import random
import time as timer
from collections import Counter
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.cases.actions import submit_case, sync_categories
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category
from civicgrid.core import audit, clock, errors
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.fieldwork import actions
from civicgrid.gridops.fieldwork.models import HouseholdVisit, KeyPersonAssignment
from civicgrid.gridops.fieldwork.periods import half_months_between
from civicgrid.gridops.fieldwork.queries import key_persons as key_queries
from civicgrid.people.models import Household, ResidentTag

DAYS = 60
MAX_VISITS_PER_GRID = 80
MAX_KEY_PERSONS = 120
MIN_KEY_PERSONS = 3

OPINIONS = [("小区路灯不亮,晚上出行不便", "0602"), ("楼道堆放杂物,存在消防隐患", "4001"),
            ("楼上装修噪声大,影响休息", "3005"), ("物业服务不到位,垃圾清运不及时", "3006"),
            ("希望社区多组织健康讲座", "3012"), ("小区门口道路破损", "0603"), ("希望增设老年人助餐点", "3012")]
VISIT_NOTES = ["家庭情况稳定,无特殊需求", "老人身体尚可,子女每周探望", "宣传防范电信诈骗知识", "核实常住人口信息",
               "了解取暖、用水情况,无异常", "告知社区服务热线和网格员电话"]
FOLLOW_UP_NOTES = ["按时报到,表现良好", "在家,情绪稳定", "已按时服药,家属监护到位", "近期找到工作,收入稳定",
                   "与家人关系有所缓和", "电话联系正常"]
ATTENTION_NOTES = ["近期失业,情绪低落,需持续关注", "家庭矛盾增多,已进行疏导", "未按时服药,已联系家属督促"]
DISPUTES = [("两户因楼上漏水发生争执", "2002", "3楼住户、2楼住户"), ("婚姻矛盾,夫妻多次争吵", "2001", "夫妻双方"),
            ("业主与物业因收费发生争议", "2003", "业主代表、物业公司"), ("工程款拖欠引发争议", "2004", "务工人员、包工头"),
            ("因停车位使用发生纠纷", "2002", "相邻两户"), ("宅基地边界争议", "2007", "相邻两户")]
POLICE_CASES = [("有人在楼内聚众赌博,影响邻里", "5001", "涉嫌赌博违法,请派出所查处"),
                ("出租屋内人员频繁更换,疑似群租", "5002", "出租屋人员身份不明,需公安核查"),
                ("小区内多次发生电动车电瓶被盗", "5001", "疑似盗窃,需公安侦查")]
POLICE_REFERRALS = [("110接警:邻里因噪声多次争吵,需社区调解", "2002"),
                    ("110接警:独居老人多日未出门,家属求助,已确认安全,需网格员关注", "3008"),
                    ("110接警:夫妻争吵,无违法行为,需社区跟进化解", "2001")]
ACTIVITIES = [("law", "民法典进社区宣讲"), ("anti_fraud", "反诈宣传进楼栋"), ("safety", "燃气安全入户宣传"),
              ("policy", "养老保险政策宣讲"), ("law", "法律明白人讲座"), ("safety", "电动车安全充电宣传"),
              ("civility", "移风易俗文明新风宣传")]


def _moment(rng: random.Random, day) -> datetime:
    minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    return timezone.make_aware(datetime.combine(day, time(minute // 60, minute % 60)))


class Area:
    """The first street, its first community, their grids, and who works where."""

    def __init__(self, now: datetime):
        self.now = now
        self.street = Region.objects.filter(level=RegionLevel.STREET).defer("boundary").order_by("code").first()
        self.community = (Region.objects.filter(level=RegionLevel.COMMUNITY, code__startswith=self.street.code)
                          .defer("boundary").order_by("code").first())
        self.grids = list(Region.objects.filter(level=RegionLevel.GRID, code__startswith=self.street.code, is_active=True)
                          .defer("boundary").order_by("code"))
        self.workers: dict[str, User] = {}
        for a in (RoleAssignment.objects.filter(role__in=["grid_worker", "micro_grid_worker"], is_active=True,
                                                region__code__startswith=self.street.code)
                  .select_related("user", "region").order_by("user__username")):
            self.workers.setdefault(a.region.code, a.user)
        self.police = User.objects.filter(username="police", assignments__role="police_liaison",
                                          assignments__region=self.community).first()

    def at(self, moment: datetime):
        """Act at `moment`, but never after the build's own time (a job planned for later today)."""
        return clock.at(min(moment, self.now))

    def grid_worker(self, code: str) -> User | None:
        return self.workers.get(code[:15])

    def visitor(self, rng, code: str) -> User | None:
        micro = self.workers.get(code[:18])
        return micro if micro is not None and rng.random() < 0.5 else self.grid_worker(code) or micro

    def in_community(self, code: str) -> bool:
        return code.startswith(self.community.code)


def _visits(rng, area: Area, start, today) -> Counter:
    counts: Counter = Counter()
    jobs = []
    elderly = set(ResidentTag.objects.filter(tag__code="elderly_alone", resident__is_active=True,
                                             resident__region__code__startswith=area.street.code)
                  .values_list("resident__household_id", flat=True))
    for grid in area.grids:
        households = list(Household.objects.filter(region__code__startswith=grid.code, is_active=True)
                          .select_related("region").order_by("number"))
        if not households:
            continue
        share = rng.uniform(0.3, 0.75) if area.in_community(grid.code) else rng.uniform(0.0, 0.08)
        for household in rng.sample(households, min(int(len(households) * share), MAX_VISITS_PER_GRID)):
            jobs.append((_moment(rng, start + timedelta(days=rng.randrange(DAYS))), household, "routine"))
        for household in (h for h in households if h.pk in elderly and area.in_community(grid.code)):
            day = start + timedelta(days=rng.randrange(7))
            stop = today - timedelta(days=rng.randrange(8, 25)) if rng.random() < 0.3 else today
            while day <= stop:
                jobs.append((_moment(rng, day), household, "elderly_care"))
                day += timedelta(days=rng.randint(5, 9))
    for moment, household, purpose in sorted(jobs, key=lambda j: (j[0], j[1].pk)):
        actor = area.visitor(rng, household.region.code)
        if actor is None:
            continue
        opinions = []
        if rng.random() < 0.1:
            content, code = rng.choice(OPINIONS)
            opinions.append(actions.OpinionInput(content, code, to_case=rng.random() < 0.35))
        if purpose == "routine" and opinions:
            purpose = "opinion"
        with area.at(moment):
            actions.record_visit(actor=actor, household=household, purpose=purpose, notes=rng.choice(VISIT_NOTES),
                                 persons_met="户主" if rng.random() < 0.7 else "家属", opinions=opinions,
                                 next_follow_up_on=moment.date() + timedelta(days=7) if purpose == "elderly_care"
                                 else None)
        counts.update(visits=1, opinions=len(opinions), visit_cases=sum(o.to_case for o in opinions))
    return counts


def _key_persons(rng, area: Area, start, today) -> Counter:
    counts: Counter = Counter()
    links = list(ResidentTag.objects.filter(tag__is_sensitive=True, resident__is_active=True,
                                            resident__region__code__startswith=area.street.code)
                 .select_related("resident__region", "tag").order_by("resident__region__code", "id"))
    if len(links) < MIN_KEY_PERSONS:  # a tiny demo: take them from the whole district
        links = list(ResidentTag.objects.filter(tag__is_sensitive=True, resident__is_active=True)
                     .select_related("resident__region", "tag").order_by("resident__region__code", "id"))
    links.sort(key=lambda link: (not area.in_community(link.resident.region.code), link.resident.region.code))
    for i, link in enumerate(links[:MAX_KEY_PERSONS]):
        resident = link.resident
        worker = key_queries.worker_candidates(resident).filter(assignments__role="grid_worker").first()
        if worker is None:
            continue
        police = area.police if area.police and area.in_community(resident.region.code) else None
        begun = _moment(rng, start + timedelta(days=rng.randrange(5)))
        with area.at(begun):
            assignment = actions.assign_key_person(actor=worker, resident=resident, tag=link.tag,
                                                   responsible_worker=worker, police_liaison=police)
        counts["key_persons"] += 1
        interval = assignment.interval_days(link.level) or 30
        # one person in five stopped being contacted a while ago: the overdue list is never empty
        lapse = today - timedelta(days=interval + rng.randrange(3, 20)) if i % 5 == 1 else today
        day = begun.date() + timedelta(days=rng.randrange(1, max(2, interval // 2)))
        while day <= lapse:
            with_police = police is not None and rng.random() < 0.3
            attention = rng.random() < 0.1
            with area.at(_moment(rng, day)):
                actions.record_follow_up(
                    actor=police if with_police else worker, assignment=assignment,
                    method=rng.choice(["home_visit", "home_visit", "phone", "interview"]),
                    condition="attention" if attention else "stable",
                    notes=rng.choice(ATTENTION_NOTES if attention else FOLLOW_UP_NOTES))
            counts["follow_ups"] += 1
            counts["follow_ups_with_police"] += with_police
            day += timedelta(days=max(1, int(interval * rng.uniform(0.6, 1.0))))
    everyone = (KeyPersonAssignment.objects.filter(is_active=True).select_related("tag")
                .annotate(tier=Subquery(key_queries.tag_link().values("level")[:1])))
    counts["key_persons_overdue"] = sum(1 for a in key_queries.with_status(everyone, today) if a.overdue)
    return counts


def _screening(rng, area: Area, start, today) -> Counter:
    counts: Counter = Counter()
    jobs = []
    for period_start, period_end in half_months_between(start, today):
        current = period_end >= today
        for grid in area.grids:
            worker = area.grid_worker(grid.code)
            if worker is None or rng.random() > (0.6 if current else 0.9):
                counts["screening_missing"] += 1
                continue
            last = min(period_end, today)
            day = period_start + timedelta(days=rng.randrange((last - period_start).days + 1))
            if not current and rng.random() < 0.06:
                day = min(period_end + timedelta(days=rng.randint(1, 3)), today)  # reported late
            jobs.append((_moment(rng, day), grid, worker, period_start))
    for moment, grid, worker, period_start in sorted(jobs, key=lambda j: (j[0], j[1].code)):
        findings = []
        if rng.random() < 0.12:
            for description, code, parties in rng.sample(DISPUTES, rng.randint(1, 2)):
                findings.append(actions.FindingInput(description, code, parties))
        with area.at(moment):
            actions.record_screening(actor=worker, grid=grid, day=period_start, no_new_disputes=not findings,
                                     findings=findings, notes="入户走访、电话询问,排查邻里、家庭、物业等矛盾")
        counts.update(screening_rounds=1, dispute_cases=len(findings))
    return counts


def _joint(rng, area: Area, start, today) -> Counter:
    counts: Counter = Counter()
    police = area.police
    grids = [g for g in area.grids if area.in_community(g.code) and area.grid_worker(g.code)]
    if police is None or not grids:
        return counts
    for i, (description, code, referral_text) in enumerate(POLICE_CASES):
        grid = grids[i % len(grids)]
        worker = area.grid_worker(grid.code)
        moment = _moment(rng, today - timedelta(days=20 - 7 * i))
        with area.at(moment):
            case = submit_case(actor=worker, data=IntakeInput(description=description, channel="grid",
                                                              category_code=code, region_code=grid.code)).case
            referral = actions.refer_case_to_police(actor=worker, case=case, reason=referral_text)
        counts["referrals_to_police"] += 1
        if i < 2:
            with area.at(moment + timedelta(hours=3)):
                actions.answer_referral(actor=police, referral=referral, accept=i == 0,
                                        reply="已安排民警处置" if i == 0 else "经核查属物业管理问题,建议由物业和社区处理")
    for i, (description, code) in enumerate(POLICE_REFERRALS):
        grid = grids[(i + 1) % len(grids)]
        with area.at(_moment(rng, today - timedelta(days=25 - 9 * i))):
            actions.receive_police_referral(actor=police, region=grid, description=description, category_code=code,
                                            police_reference=f"JQ{today:%Y%m}{i + 1:04d}")
        counts["referrals_from_police"] += 1
    plan = [("patrol", "夜间联合巡逻,检查重点部位"), ("check", "联合检查出租屋,核查流动人口"),
            ("patrol", "节前联合巡逻"), ("mediation", "联合调解邻里纠纷"), ("check", "联合检查小区消防通道"),
            ("patrol", "校园周边联合巡逻")]
    for i, (kind, summary) in enumerate(plan):
        grid = grids[i % len(grids)]
        workers = [w for w in dict.fromkeys([area.grid_worker(grid.code), area.workers.get(grid.code + "001")]) if w]
        begun = _moment(rng, start + timedelta(days=5 + i * (DAYS - 10) // len(plan)))
        with area.at(begun + timedelta(hours=2)):
            actions.record_joint_work(actor=police, kind=kind, region=grid, summary=summary, police_participants=[police],
                                      grid_participants=workers, started_at=begun, ended_at=begun + timedelta(hours=2),
                                      place=grid.name, other_participants="平安志愿者2名" if kind == "patrol" else "")
        counts["joint_records"] += 1
    return counts


def _activities(rng, area: Area, start, today) -> Counter:
    counts: Counter = Counter()
    jobs = []
    for grid in area.grids:
        worker = area.grid_worker(grid.code)
        if worker is None:
            continue
        many = rng.randint(2, 3) if area.in_community(grid.code) else (1 if rng.random() < 0.3 else 0)
        for kind, title in rng.sample(ACTIVITIES, many):
            jobs.append((start + timedelta(days=rng.randrange(DAYS)), grid, worker, kind, title))
    for day, grid, worker, kind, title in sorted(jobs, key=lambda j: (j[0], j[1].code)):
        with area.at(_moment(rng, day)):
            actions.record_activity(actor=worker, region=grid, kind=kind, title=title, place=f"{grid.name}活动室",
                                    held_on=day, attendance=rng.randint(15, 120), notes="发放宣传资料,现场答疑")
        counts["activities"] += 1
    return counts


def build(*, seed: int, say=print, now: datetime | None = None) -> dict:
    """Build the field-work demo in one transaction; a database that already has visits is left alone
    (returns {}). Returns the counts and the seconds it took."""
    if HouseholdVisit.objects.exists():
        say("走访与联动:已有数据,跳过")
        return {}
    started = timer.monotonic()
    now = now or clock.now()
    today = timezone.localdate(now)
    start = today - timedelta(days=DAYS)
    if not Category.objects.filter(case_type="dispute").exists():
        sync_categories()
    counts: Counter = Counter()
    with transaction.atomic(), clock.at(now):
        area = Area(now)
        if area.street is None or area.community is None:
            return {}
        for name, step in (("入户走访", _visits), ("重点人员", _key_persons), ("矛盾纠纷排查", _screening),
                           ("警网联动", _joint), ("普法宣传", _activities)):
            rng = random.Random(f"{seed}:fieldwork:{name}")
            try:
                done = step(rng, area, start, today)
            except errors.DomainError as exc:  # a demo step refused is a bug in the demo: say so, loudly
                raise RuntimeError(f"fieldwork demo step {name} refused: {exc.code} {exc.message}") from exc
            counts.update(done)
            say(f"{name}:{', '.join(f'{k} {v}' for k, v in sorted(done.items()))}")
        result = dict(sorted(counts.items()))
        audit.record(actor=None, action="demo.fieldwork", object_type="geo.region", object_id=area.street.code,
                     details=result)
    result["seconds"] = round(timer.monotonic() - started, 1)
    return result
