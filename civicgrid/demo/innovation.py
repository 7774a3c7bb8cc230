"""The innovation demo (issue 15, item 6): the zone's 科技创新部, the article's five innovation platforms
under generated names (a national tech-transfer centre's branch, a state key laboratory's branch, a
university's applied research institute, an aromatics technology institute, the city's S&T service
platform), the enterprise technology centres and the two national postdoctoral stations linked to the
qualifications the enterprise demo recorded (`provincial_tech_centre`, `postdoctoral_station`: linked, never
contradicted), research teams, 产学研 agreements with outputs, and the 揭榜挂帅 list: the article's three
2022 challenge projects for generated enterprises at different stages — the naphthoquinone dyes under way
with milestones (one reached late, one ahead), the straw-fibre PP interior material in selection with the
enterprise's choice made, the deer breeding platform accepted — plus a need of the `company` login's
enterprise on the board, one waiting for review and one withdrawn.

Everything goes through `civicgrid.innovation.actions` at `clock.at(...)` moments: the `officer` login
(经济发展局, the whole zone) records platforms, teams and agreements and acts for the enterprises, the
`kechuang` login (an officer of the 科技创新部, made here by the `security` login with the demo password)
acts for the department. Deterministic for a seed and a build day; does nothing when platforms exist."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from civicgrid.accounts import actions as accounts
from civicgrid.accounts.models import Department, User
from civicgrid.core import clock
from civicgrid.demo.logins import known_password
from civicgrid.enterprises.choices import HELD_STATUSES
from civicgrid.enterprises.models import Enterprise, EnterpriseContact, Qualification
from civicgrid.innovation import actions
from civicgrid.innovation.models import Platform

INNOVATION_DEPARTMENT = "GX-KC"
KC_LOGIN = "kechuang"

# the article's five platforms under generated names: code, name, kind, level, host, fields, years ago
PLATFORMS = (
    ("PF-TT", "东北技术转移中心高新区分中心", "tech_transfer", "national", "辰光科学院技术转移中心",
     ["fine_chemicals", "metal_materials", "equipment_auto", "digital"], 9),
    ("PF-KL", "绿色精细合成国家重点实验室高新区分实验室", "key_lab", "national", "北辰理工大学",
     ["fine_chemicals", "green_process", "daily_chemicals"], 7),
    ("PF-UI", "衍水工业大学高新区应用技术研究院", "university_institute", "provincial", "衍水工业大学",
     ["equipment_auto", "metal_materials", "polymers", "digital"], 6),
    ("PF-AR", "芳烃技术研究院", "industry_institute", "city", "高新区芳烃及精细化工产业基地",
     ["fine_chemicals", "battery_materials", "carbon_materials", "polymers"], 5),
    ("PF-SP", "市科技创新服务平台", "service_platform", "city", "市科学技术局",
     ["digital", "agri_bio", "green_process", "fine_chemicals", "equipment_auto"], 4),
)
# research teams: name, lead organisation, leader, fields, based at (platform code)
TEAMS = (
    ("精细合成与清洁工艺团队", "北辰理工大学", "周明远", ["fine_chemicals", "green_process"], "PF-KL"),
    ("染料中间体催化团队", "东辰化工学院", "孙立群", ["fine_chemicals", "green_process", "daily_chemicals"], None),
    ("芳烃深加工团队", "高新区芳烃技术研究院", "高建华", ["fine_chemicals", "battery_materials"], "PF-AR"),
    ("汽车轻量化复合材料团队", "衍水工业大学", "刘承志", ["polymers", "equipment_auto"], "PF-UI"),
    ("生物质纤维改性团队", "辽东农业大学", "何秀芬", ["polymers", "agri_bio", "green_process"], None),
    ("鹿类繁育与胚胎工程团队", "辽东农业大学", "赵德林", ["agri_bio"], None),
    ("数字农业与智能养殖团队", "白塔科技大学", "钱志远", ["agri_bio", "digital"], "PF-SP"),
    ("碳基负极材料团队", "东辰石油化工大学", "吴晓峰", ["carbon_materials", "battery_materials"], None),
    ("金属材料成形团队", "衍水工业大学", "郑海涛", ["metal_materials", "equipment_auto"], "PF-UI"),
    ("工业软件与数据团队", "辰光科学院计算所", "冯婧", ["digital"], "PF-TT"),
)
PARTNERS = (("北辰理工大学", "university"), ("衍水工业大学", "university"), ("东辰石油化工大学", "university"),
            ("辽东农业大学", "university"), ("辰光科学院", "institute"), ("东辰化工学院", "university"))
SUBJECTS = {"fine_chemicals": "精细化学品连续化合成工艺", "battery_materials": "锂电池电解液溶剂提纯",
            "carbon_materials": "负极包覆材料与可纺沥青", "polymers": "改性工程塑料配方",
            "metal_materials": "高强合金热处理工艺", "equipment_auto": "汽车零部件精密成形",
            "digital": "生产过程数字化管控", "agri_bio": "农产品精深加工", "daily_chemicals": "日化原料绿色制备",
            "green_process": "三废资源化与节能降耗"}


def field_of(industry: str) -> list[str]:
    """The zone's technology fields of an enterprise, from its GB/T 4754 industry code."""
    if industry.startswith(("C2651", "C2653")):
        return ["polymers"]
    if industry.startswith("C268"):
        return ["daily_chemicals"]
    if industry.startswith("C26"):
        return ["fine_chemicals", "green_process"]
    if industry.startswith("C38"):
        return ["battery_materials"]
    if industry.startswith(("C31", "C32", "C33")):
        return ["metal_materials"]
    if industry.startswith(("C34", "C36")):
        return ["equipment_auto"]
    if industry.startswith(("C39", "I")):
        return ["digital"]
    if industry.startswith("C13"):
        return ["agri_bio"]
    return ["green_process"]


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _kc_officer() -> User:
    user = User.objects.filter(username=KC_LOGIN).first()
    if user is not None:
        return user
    security = User.objects.get(username="security")
    user = accounts.create_user(actor=security, username=KC_LOGIN, password=known_password() or None,
                                display_name="科技创新部专员")
    accounts.assign_role(actor=security, user=user, role="enterprise_officer",
                         department=Department.objects.get(code=INNOVATION_DEPARTMENT))
    return user


def build(*, seed: int, say: Callable[[str], None]) -> None:
    if Platform.objects.exists():
        say("科技创新数据已存在,跳过")
        return
    rng = random.Random(seed + 615)
    today = timezone.localdate()
    officer = User.objects.get(username="officer")
    kc = _kc_officer()
    actions.set_innovation_office(actor=officer, department_code=INNOVATION_DEPARTMENT)
    platforms = _platforms(officer, today)
    teams = _teams(officer, platforms)
    agreements = _agreements(rng, officer, platforms, today)
    challenges = _challenges(rng, officer, kc, teams, today)
    say(f"创新平台 {len(platforms)} 个、研发团队 {len(teams)} 个、产学研协议 {agreements} 份、揭榜挂帅需求 "
        f"{challenges} 项;科技创新部登录名 {KC_LOGIN}(演示密码同上)")


def _platforms(officer: User, today: date) -> dict[str, Platform]:
    made = {}
    for code, name, kind, level, host, fields, years in PLATFORMS:
        made[code] = actions.record_platform(actor=officer, idempotency_key=f"demo-platform-{code}",
                                             data=actions.PlatformInput(
            code=code, name=name, kind=kind, level=level, host_organisation=host, fields=fields,
            recognised_on=today.replace(year=today.year - years, month=6, day=1)))
    held = (Qualification.objects.filter(kind__code__in=("postdoctoral_station", "provincial_tech_centre"),
                                         status__in=HELD_STATUSES)
            .select_related("enterprise", "kind").order_by("kind__code", "enterprise__uscc", "id"))
    seq = {"postdoctoral_station": 0, "provincial_tech_centre": 0}
    for q in held:
        seq[q.kind.code] += 1
        postdoc = q.kind.code == "postdoctoral_station"
        code = f"{'PD' if postdoc else 'TC'}-{seq[q.kind.code]:02d}"
        made[code] = actions.record_platform(actor=officer, idempotency_key=f"demo-platform-{code}",
                                             data=actions.PlatformInput(
            code=code, name=f"{q.enterprise.name}{'博士后科研工作站' if postdoc else '省级企业技术中心'}",
            kind="postdoc_station" if postdoc else "enterprise_tech_centre",
            level="national" if postdoc else "provincial", host_organisation=q.enterprise.name,
            fields=field_of(q.enterprise.industry_code), host_enterprise_id=q.enterprise_id, qualification_id=q.pk))
    return made


def _teams(officer: User, platforms: dict[str, Platform]) -> dict[str, object]:
    return {name: actions.record_team(actor=officer, idempotency_key=f"demo-team-{i}", data=actions.TeamInput(
        name=name, lead_organisation=org, leader_name=leader, fields=fields,
        platform_id=platforms[base].pk if base else None))
        for i, (name, org, leader, fields, base) in enumerate(TEAMS)}


def _agreements(rng: random.Random, officer: User, platforms: dict[str, Platform], today: date) -> int:
    """About twenty agreements of the zone's 高企 and technology-centre hosts: some finished with outputs,
    some under way, one terminated."""
    hosts = list(Enterprise.objects.filter(qualifications__kind__code__in=("high_tech_enterprise",
                                                                           "provincial_tech_centre"),
                                           status="operating").distinct().order_by("uscc"))
    chosen = rng.sample(hosts, min(18, len(hosts)))
    count = 0
    for i, enterprise in enumerate(chosen):
        field = field_of(enterprise.industry_code)[0]
        partner, kind = PARTNERS[i % len(PARTNERS)]
        platform = next((p for p in platforms.values() if field in p.fields and p.host_enterprise_id is None
                         and rng.random() < 0.5), None)
        signed = today - timedelta(days=rng.randint(60, 1500))
        years = rng.choice([1, 2, 3])
        ends = signed + timedelta(days=365 * years)
        with clock.at(_moment(signed)):
            agreement = actions.record_agreement(actor=officer, idempotency_key=f"demo-agreement-{i}",
                                                 data=actions.AgreementInput(
                enterprise_id=enterprise.pk, partner_name=partner, partner_kind=kind,
                title=f"{SUBJECTS[field]}联合研发", field=field, signed_on=signed, starts_on=signed,
                ends_on=ends, amount=str(rng.choice([30, 50, 80, 120, 200, 350, 500]) * 10000),
                platform_id=platform.pk if platform else None))
        count += 1
        if ends <= today - timedelta(days=10):
            done = ends - timedelta(days=rng.randint(0, 40))
            with clock.at(_moment(done)):
                actions.record_output(actor=officer, agreement_id=agreement.pk, kind=rng.choice(["patent", "product",
                                                                                                 "process"]),
                                      title=f"{SUBJECTS[field]}成果({i + 1})", achieved_on=done,
                                      idempotency_key=f"demo-output-{i}")
                if i % 7 == 6:
                    actions.set_agreement_status(actor=officer, agreement_id=agreement.pk, status="terminated")
                else:
                    actions.set_agreement_status(actor=officer, agreement_id=agreement.pk, status="completed")
    return count


def _pick(rng: random.Random, industries: tuple[str, ...], avoid: set[int]) -> Enterprise:
    pool = [e for e in Enterprise.objects.filter(status="operating").order_by("uscc")
            if e.industry_code.startswith(industries) and e.pk not in avoid]
    enterprise = rng.choice(pool)
    avoid.add(enterprise.pk)
    return enterprise


def _challenges(rng: random.Random, officer: User, kc: User, teams: dict, today: date) -> int:
    used: set[int] = set(EnterpriseContact.objects.filter(user__username="company").values_list("enterprise_id",
                                                                                                 flat=True))

    def post(enterprise, key, title, fields, goal, budget_wan, posted_ago, deadline_after, actor=officer):
        posted = today - timedelta(days=posted_ago)
        with clock.at(_moment(posted, 9)):
            return actions.post_challenge(actor=actor, enterprise_id=enterprise.pk, idempotency_key=f"demo-jb-{key}",
                                          data=actions.ChallengeInput(
                title=title, fields=fields, goal=goal, budget=str(budget_wan * 10000),
                deadline=posted + timedelta(days=deadline_after)))

    def at(day: date, move: str, actor=kc, **kw):
        with clock.at(_moment(day, 15)):
            return actions.transition_challenge(actor=actor, challenge_id=kw.pop("challenge").pk, action=move, **kw)

    def applied(challenge, day: date, team: str, plan: str, quote_wan: int):
        with clock.at(_moment(day, 11)):
            return actions.record_application(actor=kc, challenge_id=challenge.pk, team_id=teams[team].pk, plan=plan,
                                              quoted_budget=str(quote_wan * 10000),
                                              idempotency_key=f"demo-app-{challenge.pk}-{teams[team].pk}")

    def milestones(challenge, rows):
        for i, (title, planned, achieved, evidence) in enumerate(rows):
            with clock.at(_moment(challenge.selected_at.date() + timedelta(days=1))):
                milestone = actions.plan_milestone(actor=officer, challenge_id=challenge.pk, title=title,
                                                   planned_on=planned, idempotency_key=f"demo-ms-{challenge.pk}-{i}")
            if achieved is not None:
                with clock.at(_moment(achieved, 16)):
                    actions.record_milestone(actor=officer, milestone_id=milestone.pk, achieved_on=achieved,
                                             evidence=evidence)

    # 1. 高档萘醌类染料及其中间体绿色合成 — under way, milestones tracked
    dyes = post(_pick(rng, ("C2661", "C2662", "C2669"), used), "dyes", "高档萘醌类染料及其中间体绿色合成",
                ["fine_chemicals", "green_process"],
                "突破萘醌类染料中间体绿色催化合成关键技术:产品收率≥92%,废水排放量降低50%以上,建成千吨级示范线。",
                600, 430, 40)
    t0 = dyes.posted_at.date()
    at(t0 + timedelta(days=4), "publish", challenge=dyes)
    first = applied(dyes, t0 + timedelta(days=15), "精细合成与清洁工艺团队", "固载催化剂连续氧化+膜分离回收溶剂的两步法路线,"
                    "18个月完成小试、中试和示范线。", 580)
    applied(dyes, t0 + timedelta(days=22), "染料中间体催化团队", "均相催化氧化路线,配套废酸回收。", 520)
    applied(dyes, t0 + timedelta(days=30), "芳烃深加工团队", "以芳烃基地副产物为原料的一体化路线。", 600)
    at(t0 + timedelta(days=41), "close", challenge=dyes)
    at(t0 + timedelta(days=48), "enterprise_choose", actor=officer, challenge=dyes, application_id=first.pk)
    dyes = at(t0 + timedelta(days=52), "department_choose", challenge=dyes, application_id=first.pk)
    s0 = dyes.selected_at.date()
    milestones(dyes, [
        ("小试工艺定型", s0 + timedelta(days=120), s0 + timedelta(days=112), "小试报告及第三方检测报告(收率93.1%)"),
        ("中试线运行", s0 + timedelta(days=260), s0 + timedelta(days=291), "中试运行记录、废水检测报告"),
        ("千吨级示范线建成", s0 + timedelta(days=480), None, ""),
    ])

    # 2. 秸秆纤维填充PP汽车内饰材料的研究与应用 — in selection: the enterprise has chosen
    straw = post(_pick(rng, ("C3670", "C2651"), used), "straw", "秸秆纤维填充PP汽车内饰材料的研究与应用",
                 ["polymers", "equipment_auto", "agri_bio"],
                 "以秸秆纤维替代30%以上滑石粉填充聚丙烯,内饰件拉伸强度≥25MPa、VOC与气味满足主机厂标准。",
                 300, 70, 55)
    t1 = straw.posted_at.date()
    at(t1 + timedelta(days=3), "publish", challenge=straw)
    lightweight = applied(straw, t1 + timedelta(days=20), "汽车轻量化复合材料团队",
                          "秸秆纤维表面改性+相容剂体系,配套模具验证。", 290)
    applied(straw, t1 + timedelta(days=35), "生物质纤维改性团队", "蒸汽爆破预处理秸秆纤维,降低气味。", 260)
    at(t1 + timedelta(days=56), "close", challenge=straw)
    at(t1 + timedelta(days=62), "enterprise_choose", actor=officer, challenge=straw, application_id=lightweight.pk)

    # 3. 梅花鹿、马鹿数字化繁育平台与胚胎生产体系构建技术研究 — accepted
    deer = post(_pick(rng, ("C13",), used), "deer", "梅花鹿、马鹿数字化繁育平台与胚胎生产体系构建技术研究",
                ["agri_bio", "digital"],
                "建成鹿群数字化繁育管理平台,胚胎移植妊娠率≥55%,年生产可移植胚胎500枚以上。", 450, 820, 45)
    t2 = deer.posted_at.date()
    at(t2 + timedelta(days=5), "publish", challenge=deer)
    breeding = applied(deer, t2 + timedelta(days=18), "鹿类繁育与胚胎工程团队",
                       "超数排卵与胚胎移植技术体系+繁育数据平台。", 430)
    applied(deer, t2 + timedelta(days=26), "数字农业与智能养殖团队", "耳标+视频识别的鹿群数字化管理系统。", 380)
    at(t2 + timedelta(days=47), "enterprise_choose", actor=officer, challenge=deer, application_id=breeding.pk)
    deer = at(t2 + timedelta(days=50), "department_choose", challenge=deer, application_id=breeding.pk)
    s2 = deer.selected_at.date()
    milestones(deer, [
        ("繁育管理平台上线", s2 + timedelta(days=150), s2 + timedelta(days=140), "平台验收报告"),
        ("胚胎移植试验", s2 + timedelta(days=360), s2 + timedelta(days=372), "移植记录(妊娠率57.4%)"),
        ("年产胚胎500枚", s2 + timedelta(days=640), s2 + timedelta(days=630), "胚胎生产台账及专家现场核查意见"),
    ])
    at(s2 + timedelta(days=660), "complete", challenge=deer)

    # the company login's enterprise: one need on the board, one waiting for review; one withdrawn elsewhere
    company = User.objects.get(username="company")
    own = Enterprise.objects.filter(pk__in=used).order_by("pk").first()
    count = 3
    if own is not None:
        fields = field_of(own.industry_code)
        board = post(own, "company-board", f"{SUBJECTS[fields[0]]}关键技术攻关", fields,
                     "解决现有工艺能耗高、收率低的问题,单位产品能耗下降15%。", 120, 12, 40, actor=company)
        at(board.posted_at.date() + timedelta(days=2), "publish", challenge=board)
        suitable = next((name for name, team in teams.items() if set(fields) & set(team.fields)), None)
        if suitable:
            applied(board, today - timedelta(days=3), suitable, "工艺优化与过程强化方案。", 110)
        post(own, "company-new", "生产线在线检测与质量追溯", ["digital"],
             "关键工序在线检测覆盖率100%,质量问题可追溯到批次。", 80, 1, 30, actor=company)
        count += 2
    gone = post(_pick(rng, ("C3240", "C3311"), used), "withdrawn", "高强合金热处理变形控制", ["metal_materials"],
                "热处理变形量控制在0.1mm以内。", 150, 200, 30)
    at(gone.posted_at.date() + timedelta(days=3), "publish", challenge=gone)
    at(gone.posted_at.date() + timedelta(days=20), "withdraw", actor=officer, challenge=gone,
       reason="企业通过设备升级已自行解决")
    return count + 1
