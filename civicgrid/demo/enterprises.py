"""The high-tech zone's demo (辽阳高新区, the street-level node 211004401): the zone with its area history,
its 8 departments, the core area and six themed parks (一区多园) carved out of the zone's boundary, about
600 generated enterprises in the zone's industries with yearly metrics, qualifications, patents and listing
status, the 83 approval items delegated to the zone, the shipped pre-check rule sets and a zone-wide
pre-check — all written through the real actions (`civicgrid.enterprises.actions`).

The article's figures hold on the demo's today (seed-figures.md rows 6–9, 13, 14): 41 enterprises with a
valid 高新技术企业 qualification (a few expiring within 90 days, a few more expired), 2 国家级创新型企业,
4 国家火炬计划重点高新技术企业, 2 国家级博士后科研工作站, 385 granted patents of which 135 valid invention
patents (the city total is configured at 339, so the zone's share is 39.8%), 4 main-board listed
companies, 83 delegated approval items, 8 zone departments, 4.3 → 31.04 km². Generated names only.

The `officer` login (经济发展局, the whole zone) gets the worklist; the `company` login becomes the contact
of an enterprise whose 高企 certificate expires within 90 days, and the expiry reminders are sent.
Deterministic for a seed and a build day (dates count back from the day the demo is built).
"""

from __future__ import annotations

import random
import time as timer
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import shapely
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import Department, DepartmentKind, User
from civicgrid.core import audit, clock
from civicgrid.demo import geometry
from civicgrid.demo.catalogue import ZONE_DEPARTMENTS
from civicgrid.demo.tree import DISTRICT_CODE, STREETS
from civicgrid.enterprises import actions, patentno, uscc
from civicgrid.enterprises.choices import ApprovalMode, ListingBoard, ParkTheme, PatentStatus
from civicgrid.enterprises.models import Enterprise, Zone
from civicgrid.geo.models import Region

ENTERPRISES = 600
HIGH_TECH = 41
EXPIRING_SOON = 5  # of the 41, valid-until within 90 days
EXPIRED_HIGH_TECH = 7  # certificates that ran out: not counted
CITY_VALID_INVENTION = 339  # 135 / 339 = 39.8%
PATENTS = {"invention": (135, 15), "utility_model": (180, 10), "design": (25, 0), "software_copyright": (20, 0)}

# (code, name, theme, share of enterprises, industries)
PARKS = [
    ("GX-P0", "高新区核心区", ParkTheme.CORE, 0.18, ("M7320", "C3985", "C2662", "I6531")),
    ("GX-P1", "芳烃及精细化工产业基地", ParkTheme.FINE_CHEMICALS, 0.24, ("C2614", "C2661", "C2662", "C2651", "C2653", "C2669")),
    ("GX-P2", "金属材料产业园", ParkTheme.METAL_MATERIALS, 0.13, ("C3240", "C3130", "C3311", "C3391")),
    ("GX-P3", "装备制造及汽车零部件产业园", ParkTheme.EQUIPMENT, 0.18, ("C3670", "C3442", "C3451", "C3411", "C3841", "C3849")),
    ("GX-P4", "数字经济产业园", ParkTheme.DIGITAL, 0.11, ("I6513", "I6550", "I6450", "I6531")),
    ("GX-P5", "农产品加工产业园", ParkTheme.AGRI_PROCESSING, 0.08, ("C1391", "C1331")),
    ("GX-P6", "日用化工产业园", ParkTheme.DAILY_CHEMICALS, 0.08, ("C2681", "C2682", "C2684")),
]
FIELDS = {"C26": "new_materials", "C32": "new_materials", "C31": "new_materials", "C33": "advanced_manufacturing",
          "C34": "advanced_manufacturing", "C36": "advanced_manufacturing", "C38": "new_energy",
          "C39": "electronic_information", "I65": "electronic_information", "I64": "electronic_information",
          "M73": "high_tech_services", "C13": "resources_environment"}
WORDS = ["华信", "恒泰", "瑞丰", "宏昌", "鑫源", "博远", "天诚", "兴业", "中联", "聚能", "新航", "东方", "正和", "盛达", "宇通",
         "嘉禾", "金峰", "汇通", "佳誉", "卓越", "华晟", "辽河", "太子河", "首山", "白塔", "衍水", "弘达", "远景", "启明", "创元",
         "永晟", "德润", "科隆", "海川", "安泰", "鼎盛", "凯瑞", "明阳", "泰和", "同创"]
TRADES = {"C2614": "石化", "C2661": "化学助剂", "C2662": "精细化学", "C2651": "新材料", "C2653": "化纤材料", "C2669": "化工",
          "C3240": "合金材料", "C3130": "钢材", "C3311": "钢结构", "C3391": "铸造", "C3670": "汽车部件", "C3442": "压缩机",
          "C3451": "轴承", "C3411": "锅炉", "C3841": "锂电材料", "C3849": "电池", "C3985": "电子材料", "I6513": "软件",
          "I6550": "数据服务", "I6450": "云数据", "I6531": "信息技术", "M7320": "技术研究院", "C1391": "淀粉", "C1331": "粮油",
          "C2681": "洗涤用品", "C2682": "日化", "C2684": "香料"}
AREAS = [(date(1992, 11, 1), "4.30", "设立时规划面积"), (date(2010, 11, 1), "31.04", "升级为国家高新区后调整规划范围")]


@dataclass
class Plan:
    """One generated enterprise before it is registered."""

    seq: int
    park: str
    industry: str
    name: str
    size: str  # "large" | "medium" | "small" | "micro": drives the metrics drawn
    registered_on: date
    high_tech: bool = False


def _uscc(rng: random.Random, seq: int) -> str:
    body8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(2)) + f"{seq:06d}"
    first17 = f"91{DISTRICT_CODE}{body8}{uscc.org_code_check_digit(body8)}"
    return first17 + uscc.check_character(first17)


def _application_number(kind: str, year: int, serial: int) -> str:
    if kind == "software_copyright":
        return f"{year}SR{serial:07d}"
    digit = {"invention": "1", "utility_model": "2", "design": "3"}[kind]
    body = f"{year}{digit}{serial:07d}"
    return f"{body}.{patentno.check_digit(body)}"


def _today(now) -> date:
    return timezone.localtime(now).date()


def _zone_region() -> Region:
    zone_street = next(s for s in STREETS if s.is_zone)
    return Region.objects.get(code=DISTRICT_CODE + zone_street.seq)


def _park_boundaries(region: Region) -> list[dict]:
    """The zone's boundary cut into vertical strips, one per park (the largest piece of each strip)."""
    geom = shapely.geometry.shape(region.boundary)
    minx, miny, maxx, maxy = geom.bounds
    step = (maxx - minx) / len(PARKS)
    result = []
    for i in range(len(PARKS)):
        strip = shapely.geometry.box(minx + i * step, miny, minx + (i + 1) * step, maxy)
        piece = geom.intersection(strip)
        if piece.geom_type != "Polygon":
            piece = max(getattr(piece, "geoms", [piece]), key=lambda g: g.area)
        result.append(geometry.to_geojson(piece.buffer(-0.0004) if piece.area > 1e-6 else piece))
    return result


def _plans(rng: random.Random, today: date) -> list[Plan]:
    plans, names, seq = [], set(), 0
    for code, _name, _theme, share, industries in PARKS:
        for _ in range(round(ENTERPRISES * share)):
            seq += 1
            industry = rng.choice(industries)
            while True:
                name = f"辽阳{rng.choice(WORDS)}{rng.choice(WORDS)}{TRADES[industry]}" + rng.choice(
                    ["有限公司", "有限公司", "有限责任公司", "股份有限公司", "科技有限公司"])
                if name not in names:
                    names.add(name)
                    break
            size = rng.choices(["large", "medium", "small", "micro"], [0.03, 0.12, 0.45, 0.40])[0]
            years = rng.randint(1, 28) if size in ("small", "micro") else rng.randint(6, 30)
            plans.append(Plan(seq=seq, park=code, industry=industry, name=name, size=size,
                              registered_on=today - timedelta(days=int(years * 365.25) + rng.randint(0, 300))))
    return plans


def _field(industry: str) -> str:
    return FIELDS.get(industry[:3], "")


def _metrics(rng: random.Random, plan: Plan, year: int, growth: float) -> dict:
    """Plausible yearly figures for the plan's size (yuan, persons)."""
    staff_range, revenue_range = {"large": ((1000, 3000), (4e8, 2e9)), "medium": ((300, 999), (5e7, 4e8)),
                                  "small": ((20, 299), (5e6, 5e7)), "micro": ((5, 19), (3e5, 3e6))}[plan.size]
    staff = rng.randint(*staff_range)
    revenue = rng.uniform(*revenue_range) * growth
    rd_share = rng.uniform(0.035, 0.08) if plan.high_tech else rng.uniform(0.0, 0.045)
    tech_share = rng.uniform(0.12, 0.35) if plan.high_tech else rng.uniform(0.02, 0.2)
    rd = revenue * rd_share
    assets = revenue * rng.uniform(0.6, 1.6)
    liabilities = assets * rng.uniform(0.25, 0.75)
    money = lambda x: Decimal(round(x)).quantize(Decimal("1"))  # noqa: E731
    return {
        "revenue": money(revenue), "main_business_revenue": money(revenue * rng.uniform(0.75, 0.98)),
        "hightech_revenue": money(revenue * (rng.uniform(0.62, 0.9) if plan.high_tech else rng.uniform(0, 0.4))),
        "total_assets": money(assets), "total_liabilities": money(liabilities), "net_assets": money(assets - liabilities),
        "rd_expense": money(rd), "rd_expense_domestic": money(rd * rng.uniform(0.85, 1.0)),
        "staff": staff, "tech_staff": int(staff * tech_share), "rd_staff": int(staff * tech_share * 0.6),
        "patents_applied": rng.randint(0, 6 if plan.high_tech else 2), "tax_paid": money(revenue * rng.uniform(0.02, 0.06)),
    }


def _approval_items(rng: random.Random, today: date) -> list[actions.ApprovalInput]:
    """83 generated approval items across the zone's approval departments."""
    base = [
        ("投资项目", "企业投资项目备案", "《企业投资项目核准和备案管理条例》第十三条", "GX-SP", 3, 1, ["项目备案信息表", "营业执照"]),
        ("投资项目", "企业投资项目核准", "《企业投资项目核准和备案管理条例》第六条", "GX-SP", 20, 10, ["项目申请报告", "用地预审意见", "规划选址意见"]),
        ("投资项目", "固定资产投资项目节能审查", "《固定资产投资项目节能审查办法》", "GX-SP", 15, 7, ["节能报告", "项目核准或备案文件"]),
        ("建设工程", "建设用地规划许可证核发", "《中华人民共和国城乡规划法》第三十七条", "GX-GJ", 20, 10, ["建设用地规划许可申请表", "土地出让合同", "规划条件"]),
        ("建设工程", "建设工程规划许可证核发", "《中华人民共和国城乡规划法》第四十条", "GX-GJ", 20, 10, ["建设工程设计方案", "用地权属证明"]),
        ("建设工程", "建筑工程施工许可证核发", "《中华人民共和国建筑法》第七条", "GX-GJ", 7, 3, ["施工许可申请表", "施工合同", "质量安全监督手续"]),
        ("建设工程", "建设工程消防设计审查", "《中华人民共和国消防法》第十一条", "GX-GJ", 15, 10, ["消防设计文件", "施工图审查意见"]),
        ("建设工程", "建设工程竣工验收备案", "《建设工程质量管理条例》第四十九条", "GX-GJ", 15, 5, ["竣工验收报告", "质量检测报告"]),
        ("生态环境", "建设项目环境影响报告书审批", "《中华人民共和国环境影响评价法》第二十二条", "GX-AH", 60, 30, ["环境影响报告书", "公众参与说明"]),
        ("生态环境", "建设项目环境影响报告表审批", "《中华人民共和国环境影响评价法》第二十二条", "GX-AH", 30, 15, ["环境影响报告表"]),
        ("安全生产", "危险化学品建设项目安全条件审查", "《危险化学品安全管理条例》第十二条", "GX-AH", 45, 20, ["安全评价报告", "项目备案文件"]),
        ("安全生产", "危险化学品建设项目安全设施设计审查", "《危险化学品建设项目安全监督管理办法》", "GX-AH", 20, 15, ["安全设施设计专篇"]),
        ("市场准入", "企业设立登记", "《中华人民共和国市场主体登记管理条例》第十九条", "GX-SP", 3, 1, ["设立登记申请书", "公司章程", "住所使用证明"]),
        ("市场准入", "企业变更登记", "《中华人民共和国市场主体登记管理条例》第二十四条", "GX-SP", 3, 1, ["变更登记申请书"]),
        ("科技", "高新技术企业认定推荐", "《高新技术企业认定管理办法》(国科发火〔2016〕32号)", "GX-KC", 20, 10, ["认定申请书", "知识产权证明", "研发费用专项审计报告"]),
        ("科技", "科技型中小企业评价入库初审", "《科技型中小企业评价办法》", "GX-KC", 10, 5, ["评价信息表", "年度财务报告"]),
    ]
    variants = ["", "(变更)", "(延续)", "(补办)", "(注销)"]
    items, n = [], 0
    while len(items) < 83:
        for category, name, basis, department, statutory, promised, materials in base:
            variant = variants[n // len(base)] if n // len(base) < len(variants) else f"(其他{n})"
            n += 1
            if len(items) >= 83:
                break
            items.append(actions.ApprovalInput(
                code=f"GX-SP-{len(items) + 1:03d}", name=name + variant, category=category, legal_basis=basis,
                department=department, statutory_days=statutory, promised_days=promised,
                materials=materials + (["原证照"] if variant in ("(变更)", "(延续)", "(补办)") else []),
                fee="不收费", mode=rng.choice([ApprovalMode.ONLINE, ApprovalMode.BOTH, ApprovalMode.BOTH]),
                delegated_on=today - timedelta(days=rng.randint(200, 900))))
    return items


def generate(*, seed: int, now=None) -> dict:
    """Build the zone demo in one transaction into a database without a zone (with one, nothing is changed
    and {} is returned). Returns the counts and the seconds it took."""
    if Zone.objects.exists():
        return {}
    started = timer.monotonic()
    now = now or clock.now()
    today = _today(now)
    rng = random.Random(f"{seed}:enterprises")
    admin = User.objects.get(username="admin")
    officer = User.objects.get(username="officer")
    counts: Counter = Counter()
    with clock.at(now), transaction.atomic():
        region = _zone_region()
        zone = actions.create_zone(actor=admin, code="GX", name="辽阳高新技术产业开发区", region=region,
                                   established_on=AREAS[0][0], department_codes=list(ZONE_DEPARTMENTS))
        for day, km2, basis in AREAS:
            actions.set_zone_area(actor=admin, zone=zone, effective_from=day, area_km2=km2, basis=basis)
        actions.set_city_reference(actor=admin, zone=zone, valid_invention_patents=CITY_VALID_INVENTION, as_of=today)
        offices = Department.objects.bulk_create([
            Department(code=f"{code}-FW", name=f"{name}企业服务站", short_name=f"{name[:4]}服务站", kind=DepartmentKind.ZONE,
                       region=region) for code, name, *_ in PARKS])
        for (code, name, theme, *_), boundary, office in zip(PARKS, _park_boundaries(region), offices, strict=True):
            actions.create_park(actor=admin, zone=zone, code=code, name=name, theme=theme, boundary=boundary,
                                office=office)
        for item in _approval_items(rng, today):
            actions.save_approval_item(actor=admin, data=item)
        counts["approval_items"] = 83

        plans = _plans(rng, today)
        counts.update(_register(rng, officer, plans, today))
        counts.update(_qualify(rng, officer, plans, today))
        counts.update(_patents(rng, officer, plans, today))
        company = _company(officer, plans, today)
        actions.seed_rulesets(actor=admin)
        operating = Enterprise.objects.filter(status="operating").select_related("park")
        counts["precheck_reports"] = actions.run_precheck_for_zone(enterprises=operating, on=today)
        counts["reminders"] = actions.send_expiry_reminders(today=today)
        counts["company_enterprise"] = company.pk
        audit.record(actor=None, action="demo.enterprises", object_type="enterprises.zone", object_id=zone.pk,
                     details=dict(counts))
    result = dict(counts)
    result["seconds"] = round(timer.monotonic() - started, 1)
    return result


def _register(rng: random.Random, officer: User, plans: list[Plan], today: date) -> Counter:
    counts: Counter = Counter()
    tech = [p for p in plans if _field(p.industry) and p.size != "micro"]
    for plan in rng.sample(tech, HIGH_TECH + EXPIRED_HIGH_TECH + 12):
        plan.high_tech = True
    listed = rng.sample([p for p in plans if p.size in ("large", "medium")], 7)
    boards = [(ListingBoard.MAIN, "SSE", "60"), (ListingBoard.MAIN, "SZSE", "00"), (ListingBoard.MAIN, "SSE", "60"),
              (ListingBoard.MAIN, "SZSE", "00"), (ListingBoard.CHINEXT, "SZSE", "30"), (ListingBoard.NEEQ, "NEEQ", "87"),
              (ListingBoard.NEEQ, "NEEQ", "83")]
    listing = {p.seq: b for p, b in zip(listed, boards, strict=True)}
    statuses = {p.seq: s for p, s in zip(rng.sample([p for p in plans if p.seq not in listing and not p.high_tech], 30),
                                          ["moved_out"] * 20 + ["deregistered"] * 10, strict=True)}
    last = today.year - 1
    for plan in plans:
        board, exchange, prefix = listing.get(plan.seq, ("", "", ""))
        data = actions.EnterpriseInput(
            uscc=_uscc(rng, plan.seq), name=plan.name, park=plan.park, industry_code=plan.industry,
            legal_rep=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["建国", "志强", "海涛", "丽华", "晓东", "振华", "春梅", "立新"]),
            registered_on=plan.registered_on,
            registered_capital=Decimal(rng.choice([100, 200, 500, 1000, 2000, 5000, 10000, 30000])) * 10000,
            address=f"辽阳高新区{rng.choice(['芳烃路', '科技路', '振兴路', '创业大街', '兴业路'])}{rng.randint(1, 199)}号",
            hightech_field=_field(plan.industry) if plan.high_tech or rng.random() < 0.3 else "",
            is_above_size=plan.size in ("large", "medium") or (plan.size == "small" and rng.random() < 0.4),
            listing_board=board, exchange=exchange, stock_code=f"{prefix}{rng.randint(1000, 9999)}" if board else "",
            status=statuses.get(plan.seq, "operating"))
        enterprise = actions.register_enterprise(actor=officer, data=data, idempotency_key=f"demo-enterprise-{plan.seq}")
        plan.enterprise_id = enterprise.pk  # type: ignore[attr-defined]
        counts["enterprises"] += 1
        if data.status != "operating":
            continue
        # yearly metrics: three years for most, the latest missing for some (the worklist's 年报缺报)
        years = [last - 2, last - 1, last] if plan.high_tech or rng.random() < 0.35 else [last]
        if not plan.high_tech and rng.random() < 0.08:
            years = years[:-1]
        growth = 1.0
        for year in years:
            growth *= rng.uniform(0.92, 1.25)
            actions.report_metrics(actor=officer, enterprise_id=enterprise.pk, year=year,
                                   values=_metrics(rng, plan, year, growth))
            counts["metrics"] += 1
        if rng.random() < 0.01:
            actions.set_credit_flags(actor=officer, enterprise_id=enterprise.pk, is_abnormal_operation=True,
                                     reason="列入经营异常名录(演示)")
            counts["abnormal"] += 1
    return counts


def _qualify(rng: random.Random, officer: User, plans: list[Plan], today: date) -> Counter:
    counts: Counter = Counter()
    high_tech = [p for p in plans if p.high_tech]
    holders, expired, applying = high_tech[:HIGH_TECH], high_tech[HIGH_TECH:HIGH_TECH + EXPIRED_HIGH_TECH], high_tech[
        HIGH_TECH + EXPIRED_HIGH_TECH:]

    def record(plan, kind, issued_on, valid_until=None, status="recognised", issuer="", number=""):
        actions.record_qualification(actor=officer, enterprise_id=plan.enterprise_id, data=actions.QualificationInput(
            kind=kind, issued_on=issued_on, valid_until=valid_until, status=status, issuer=issuer,
            certificate_no=number), idempotency_key=f"demo-q-{kind}-{plan.seq}")
        counts[f"q_{kind}"] += 1

    for i, plan in enumerate(holders):
        # valid on today: issued within the last 3 years; the first few run out within 90 days
        if i < EXPIRING_SOON:
            issued = today - timedelta(days=3 * 365 - 20 - i * 12)
        else:
            issued = today - timedelta(days=rng.randint(30, 3 * 365 - 120))
        record(plan, "high_tech_enterprise", issued, issuer="辽宁省科学技术厅 辽宁省财政厅 国家税务总局辽宁省税务局",
               number=f"GR{issued.year}21{rng.randint(100000, 999999)}")
    for plan in expired:
        issued = today - timedelta(days=rng.randint(3 * 365 + 30, 5 * 365))
        record(plan, "high_tech_enterprise", issued, number=f"GR{issued.year}21{rng.randint(100000, 999999)}")
    for plan in applying:
        record(plan, "high_tech_enterprise", today - timedelta(days=rng.randint(5, 60)), status="applying")
    for kind, n in (("national_innovative_enterprise", 2), ("torch_key_high_tech", 4), ("postdoctoral_station", 2)):
        for plan in rng.sample(holders[EXPIRING_SOON:], n):
            record(plan, kind, today - timedelta(days=rng.randint(800, 4000)))
    for plan in rng.sample(holders, 10) + rng.sample([p for p in plans if p.high_tech is False and _field(p.industry)], 40):
        record(plan, "tech_sme", date(today.year, 4, 1) if today >= date(today.year, 4, 1) else date(today.year - 1, 4, 1),
               number=f"{today.year}2110{rng.randint(100000, 999999)}")
    for kind, n in (("innovative_sme", 18), ("specialised_sme", 12), ("little_giant", 3), ("gazelle", 5),
                    ("provincial_tech_centre", 9)):
        for plan in rng.sample(holders, n):
            record(plan, kind, today - timedelta(days=rng.randint(60, 1000)))
    return counts


def _patents(rng: random.Random, officer: User, plans: list[Plan], today: date) -> Counter:
    """385 granted patents: 135 valid invention patents (every 高企 holder has at least one), the rest
    utility models, designs and software copyrights; some invention and utility patents lapsed."""
    counts: Counter = Counter()
    owners = [p for p in plans if p.high_tech] + rng.sample([p for p in plans if _field(p.industry)], 60)
    holders = [p for p in plans if p.high_tech][:HIGH_TECH]
    serial = 0
    for kind, (valid, ended) in PATENTS.items():
        for i in range(valid + ended):
            serial += 1
            owner = holders[i] if kind == "invention" and i < len(holders) else rng.choice(owners)
            granted = today - timedelta(days=rng.randint(30, 12 * 365))
            year = max(2004, granted.year - rng.randint(1, 3))
            status, ended_on = (PatentStatus.VALID, None) if i < valid else (
                rng.choice([PatentStatus.LAPSED, PatentStatus.EXPIRED, PatentStatus.TRANSFERRED]),
                granted + timedelta(days=rng.randint(200, max(201, (today - granted).days - 1))))
            if ended_on is not None and ended_on > today:
                ended_on = today
            actions.record_patent(actor=officer, enterprise_id=owner.enterprise_id, data=actions.PatentInput(
                kind=kind, number=_application_number(kind, year, 100000 + serial), title=_patent_title(rng, owner, kind),
                granted_on=granted, applied_on=granted - timedelta(days=rng.randint(120, 900)), status=status,
                ended_on=ended_on), idempotency_key=f"demo-patent-{serial}")
            counts["patents"] += 1
    return counts


def _patent_title(rng: random.Random, plan: Plan, kind: str) -> str:
    subject = TRADES[plan.industry]
    if kind == "software_copyright":
        return f"{subject}生产管理系统V{rng.randint(1, 5)}.0"
    if kind == "design":
        return f"{subject}产品包装({rng.randint(1, 20)})"
    verb = rng.choice(["一种", "一种高效", "一种节能", "一种连续化"])
    return f"{verb}{subject}{rng.choice(['制备方法', '分离装置', '检测方法', '成型工艺', '回收系统'])}"


def _company(officer: User, plans: list[Plan], today: date) -> Enterprise:
    """The `company` login: the contact of the first 高企 holder, whose certificate expires within 90 days."""
    plan = next(p for p in plans if p.high_tech)
    company = User.objects.get(username="company")
    actions.add_contact(actor=officer, enterprise_id=plan.enterprise_id, user=company, title="财务总监")
    return Enterprise.objects.get(pk=plan.enterprise_id)
