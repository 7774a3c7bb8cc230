"""The public-service demo (issue 17, items 1–3): about 40 service items at 3 offices (the police station's
户籍 room, the district service centre, the social-insurance hall), a month of bookings with check-ins and
no-shows (and the `resident` login's upcoming booking), 300 online service requests over two months — some
with 补正, some with 公对公 document requests, a few bad ratings called back and rectified — among them the
`resident` login's 户口簿 re-issued online and mailed to 上海市, and a year of 办不成事 cases taken online and
at the counter, with the leader in charge, coordination meetings, handling and follow-up.

Everything goes through `civicgrid.publicservice.actions` (and the case engine for the 办不成事 steps) at
`clock.at(...)` moments. Window staff logins `window` (户籍室), `window2` (政务服务中心), `window3` (社保大厅) are
made by the `security` login with the demo password. Deterministic for a seed and a build day; does nothing
when the offices exist."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone

from civicgrid.accounts import actions as accounts
from civicgrid.accounts.models import Department, User
from civicgrid.cases.actions import sync_categories, transition_case
from civicgrid.core import clock
from civicgrid.demo.logins import known_password
from civicgrid.geo.models import Region
from civicgrid.publicservice.actions import appointments, hardcases, requests, structure
from civicgrid.publicservice.models import Office, Slot

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
ID = [{"key": "id_card", "label": "身份证正反面", "required": True}]
HUKOU = [{"key": "hukou", "label": "户口簿首页及本人页", "required": True}]
PHOTO = [{"key": "photo", "label": "近期免冠照片", "required": False}]
# code, name, group, promised working days, materials, online, bookable, approval item
ITEMS = (
    ("HJ01", "户口簿补办", "户籍", 3, ID + [{"key": "statement", "label": "遗失说明", "required": False}], True, True, ""),
    ("HJ02", "户口迁移(迁入)", "户籍", 5, ID + HUKOU, True, True, ""),
    ("HJ03", "户口迁移(迁出)", "户籍", 3, ID + HUKOU, True, True, ""),
    ("HJ04", "新生儿落户", "户籍", 3, [{"key": "birth", "label": "出生医学证明", "required": True}] + HUKOU, True, True, ""),
    ("HJ05", "户籍证明开具", "户籍", 1, ID, True, True, ""),
    ("HJ06", "户籍信息更正", "户籍", 5, ID + HUKOU, True, True, ""),
    ("HJ07", "死亡注销户口", "户籍", 1, HUKOU, True, True, ""),
    ("HJ08", "分户", "户籍", 5, ID + HUKOU, True, True, ""),
    ("SF01", "居民身份证首次申领", "证件", 15, HUKOU + PHOTO, False, True, ""),
    ("SF02", "居民身份证换领", "证件", 15, ID + PHOTO, False, True, ""),
    ("SF03", "居民身份证补领", "证件", 15, HUKOU + PHOTO, False, True, ""),
    ("SF04", "临时居民身份证", "证件", 1, HUKOU, False, True, ""),
    ("JZ01", "居住证申领", "证件", 10, ID + [{"key": "lease", "label": "租房合同或房产证明", "required": True}], True, True, ""),
    ("JZ02", "居住证签注", "证件", 1, ID, True, True, ""),
    ("SB01", "社会保障卡申领", "社保", 10, ID + PHOTO, True, True, ""),
    ("SB02", "社会保障卡补换", "社保", 5, ID, True, True, ""),
    ("SB03", "城乡居民养老保险参保登记", "社保", 5, ID + HUKOU, True, True, ""),
    ("SB04", "灵活就业人员参保登记", "社保", 5, ID, True, True, ""),
    ("SB05", "异地就医备案", "社保", 1, ID, True, False, ""),
    ("SB06", "退休人员领取待遇资格认证", "社保", 1, ID, True, True, ""),
    ("SB07", "失业登记", "社保", 3, ID, True, True, ""),
    ("SB08", "就业登记", "社保", 3, ID, True, True, ""),
    ("SB09", "医疗费用报销", "社保", 10, ID + [{"key": "invoice", "label": "医疗票据", "required": True}], True, True, ""),
    ("SB10", "生育津贴申领", "社保", 10, ID, True, True, ""),
    ("SB11", "养老保险关系转移", "社保", 15, ID, True, True, ""),
    ("MZ01", "最低生活保障申请", "民政", 20, ID + HUKOU, True, True, ""),
    ("MZ02", "临时救助申请", "民政", 5, ID, True, True, ""),
    ("MZ03", "残疾人证办理", "民政", 15, ID + PHOTO, True, True, ""),
    ("MZ04", "高龄津贴申领", "民政", 5, ID, True, True, ""),
    ("MZ05", "婚姻登记预约", "民政", 1, ID + HUKOU, False, True, ""),
    ("QY01", "营业执照(企业设立登记)", "企业", 3, ID + [{"key": "articles", "label": "公司章程", "required": True}], True, True, "GX-SP-013"),
    ("QY02", "营业执照变更登记", "企业", 3, ID + [{"key": "resolution", "label": "股东会决议", "required": True}], True, True, "GX-SP-014"),
    ("QY03", "营业执照补办", "企业", 3, ID, True, True, "GX-SP-061"),
    ("QY04", "个体工商户登记", "企业", 1, ID, True, True, ""),
    ("QY05", "企业注销登记", "企业", 10, ID, True, True, ""),
    ("QY06", "食品经营许可", "企业", 10, ID + [{"key": "layout", "label": "经营场所平面图", "required": True}], True, True, ""),
    ("QY07", "公章刻制备案", "企业", 1, ID, True, True, ""),
    ("QY08", "住房公积金单位开户", "企业", 3, ID, True, True, ""),
    ("BDC1", "不动产登记信息查询", "不动产", 1, ID, True, True, ""),
    ("BDC2", "无房证明开具", "不动产", 1, ID, True, True, ""),
)
# code, name, region code suffix (district + street), address, windows: (code, name, items, capacity)
OFFICES = (
    ("PCS-XH", "新华派出所户籍室", "001", "新华街道新华路18号",
     (("W1", "户籍1号窗口", ("HJ01", "HJ02", "HJ03", "HJ04", "HJ05", "HJ06", "HJ07", "HJ08"), 3),
      ("W2", "证件窗口", ("SF01", "SF02", "SF03", "SF04", "JZ01", "JZ02", "HJ01"), 3))),
    ("ZWZX", "宏伟区政务服务中心", "", "宏伟区文圣路1号",
     (("A1", "企业开办综合窗口", ("QY01", "QY02", "QY03", "QY04", "QY05", "QY07", "QY08"), 4),
      ("A2", "许可窗口", ("QY06", "BDC1", "BDC2"), 3),
      ("A3", "民政窗口", ("MZ01", "MZ02", "MZ03", "MZ04", "MZ05"), 3),
      ("A9", "办不成事反映窗口", ("HJ05", "BDC2"), 2))),
    ("SBDT", "宏伟区社保服务大厅", "002", "光华街道光华路66号",
     (("S1", "社保卡窗口", ("SB01", "SB02"), 4),
      ("S2", "参保窗口", ("SB03", "SB04", "SB05", "SB06", "SB07", "SB08", "SB11"), 3),
      ("S3", "待遇窗口", ("SB09", "SB10"), 3))),
)
STAFF = (("window", "PCS-XH", "户籍民警"), ("window2", "ZWZX", "政务中心窗口"), ("window3", "SBDT", "社保窗口"))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英志强丽娟海燕明辉玉兰文静俊杰淑芬春梅国华红霞"
CITIES = ("上海市", "北京市", "大连市", "沈阳市", "深圳市", "杭州市", "辽阳市")
HARD_PROBLEMS = (
    ("9001", "营业执照地址变更要求的证明两个部门互相推", "在政务服务中心和街道之间跑了三次"),
    ("9001", "老人异地医保备案线上办不了,线下说要线上办", "社保大厅两次"),
    ("9002", "回迁楼二十年办不下不动产证", "住建局、不动产中心"),
    ("9002", "早年企业改制职工档案找不到,影响退休", "社保大厅、原企业主管部门"),
    ("9003", "小区供暖管网产权不清,维修无人负责", "供热公司、住建局"),
    ("9003", "道路占用停车泊位归属不明", "城管、交警"),
    ("9004", "新就业形态劳动者参保政策衔接不上", "人社局窗口"),
    ("9005", "出生证明遗失,补落户要的亲子鉴定开不出来", "派出所、医院"),
)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _staff(security, offices) -> dict[str, User]:
    out = {}
    for username, code, label in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.create_user(actor=security, username=username, password=known_password() or None,
                                        display_name=label)
        accounts.assign_role(actor=security, user=user, role="department_handler",
                             department=offices[code].department)
        out[code] = user
    return out


def _residents(security, rng, n: int) -> list[User]:
    people = []
    for i in range(n):
        username = f"ps-res{i + 1:03d}"
        user = User.objects.filter(username=username).first() or accounts.create_user(
            actor=security, username=username, password=None, display_name=_name(rng),
            phone=f"139{rng.randrange(10**8):08d}")
        accounts.assign_role(actor=security, user=user, role="resident")
        people.append(user)
    return people


def _at(day, hour: int, minute: int = 0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def build(*, seed: int, say: Callable[[str], None]) -> None:
    if Office.objects.exists():
        say("政务服务:已存在,跳过")
        return
    rng = random.Random(seed + 17)
    admin, security = User.objects.get(username="admin"), User.objects.get(username="security")
    district = Region.objects.filter(parent__isnull=True).order_by("code").first()
    today = timezone.localdate()
    start_day = today - timedelta(days=62)
    sync_categories()
    with clock.at(_at(start_day - timedelta(days=1), 9)):
        for code, name, group, days, materials, online, bookable, approval in ITEMS:
            structure.save_item(actor=admin, data=structure.ItemInput(
                code=code, name=name, group=group, promised_days=days, materials=materials,
                fields=[{"key": "note", "label": "补充说明", "required": False}], is_online=online,
                is_bookable=bookable, approval_item_code=approval))
        offices = {}
        for code, name, suffix, address, windows in OFFICES:
            region = Region.objects.get(code=district.code + suffix) if suffix else district
            office = structure.create_office(actor=admin, code=code, name=name, region=region, address=address)
            offices[code] = office
            for wcode, wname, item_codes, capacity in windows:
                structure.create_window(actor=admin, office=office, code=wcode, name=wname,
                                        item_codes=list(item_codes), capacity=capacity)
        staff = _staff(security, offices)
        residents = _residents(security, rng, 60)
    resident = User.objects.get(username="resident")
    structure.open_slots(days=(today - start_day).days + 14, start=start_day)
    bookings = _bookings(rng, residents, resident, staff, offices, today)
    say(f"政务服务:事项 {len(ITEMS)} 个,机构 {len(offices)} 个,近一个月预约 {bookings['total']} 人次,"
        f"签到 {bookings['checked_in']},爽约 {bookings['no_show']}")
    done = _requests(rng, residents, resident, staff, offices, start_day, today)
    say(f"网上办事:{done['total']} 件,补正 {done['correction']},公对公 {done['document']},差评整改 {done['bad']},"
        f"户口簿邮寄外地 1 件(居民登录 resident)")
    hard = _hard_cases(rng, residents, today)
    say(f"办不成事:一年 {hard['total']} 件,已结案 {hard['closed']};窗口登录 window / window2 / window3(演示密码同上)")


def _bookings(rng, residents, resident, staff, offices, today) -> dict:
    counts = {"total": 0, "checked_in": 0, "no_show": 0}
    month_ago = today - timedelta(days=30)
    slots = list(Slot.objects.filter(starts_at__date__gte=month_ago, starts_at__date__lte=today + timedelta(days=7))
                 .select_related("window__office").prefetch_related("window__items").order_by("starts_at"))
    for slot in slots:
        if rng.random() > 0.35:
            continue
        items = [i for i in slot.window.items.all() if i.is_bookable]
        for person in rng.sample(residents, k=min(len(residents), rng.randint(1, slot.capacity))):
            item = rng.choice(items)
            moment = slot.starts_at - timedelta(hours=rng.randint(2, 96), minutes=rng.randint(0, 59))
            if moment >= clock.now():
                moment = clock.now()
            if slot.starts_at - moment < timedelta(minutes=40):
                continue
            try:
                with clock.at(moment):
                    booking, _ = appointments.book(actor=person, slot_id=slot.pk, item_code=item.code)
            except Exception:  # noqa: BLE001 - full slot or an active booking of that item: the demo moves on
                continue
            counts["total"] += 1
            if slot.ends_at < clock.now():
                if rng.random() < 0.9:
                    with clock.at(slot.starts_at + timedelta(minutes=rng.randint(0, 20))):
                        appointments.check_in(actor=staff[slot.window.office.code], code=booking.code)
                    counts["checked_in"] += 1
                else:
                    appointments.mark_no_shows(now=slot.ends_at + timedelta(minutes=5))
                    counts["no_show"] += 1
    # the resident login: an upcoming 户口簿 appointment, one done last week, one missed
    hj = Slot.objects.filter(window__office__code="PCS-XH", window__code="W1",
                             starts_at__gt=clock.now() + timedelta(hours=20), booked__lt=3).order_by("starts_at")
    for slot in hj[:1]:
        appointments.book(actor=resident, slot_id=slot.pk, item_code="HJ02")
        counts["total"] += 1
    return counts


def _pick_item(rng, office: Office):
    items = [i for w in office.windows.all() for i in w.items.all() if i.is_online]
    return rng.choice(items)


def _requests(rng, residents, resident, staff, offices, start_day, today) -> dict:
    counts = {"total": 0, "correction": 0, "document": 0, "bad": 0}
    office_list = list(offices.values())
    others = {code: [o for o in office_list if o.code != code] for code in offices}
    now = clock.now()
    span = (now - _at(start_day, 9)).total_seconds()
    for n in range(299):
        office = office_list[n % 3]
        item = _pick_item(rng, office)
        person = rng.choice(residents)
        applied = _at(start_day, 9) + timedelta(seconds=span * n / 300 + rng.randint(0, 3600))
        mail = rng.random() < 0.3
        data = requests.RequestInput(
            item_code=item.code, office_code=office.code, applicant_name=person.display_name, phone=person.phone,
            uploads={m["key"]: PDF for m in item.materials if m.get("required")},
            delivery="mail" if mail else rng.choice(("counter", "electronic")),
            mail_city=rng.choice(CITIES) if mail else "", mail_address="幸福路88号 收件人本人" if mail else "")
        with clock.at(applied):
            sr, _ = requests.apply(actor=person, data=data)
        counts["total"] += 1
        _progress(rng, sr, staff[office.code], person, applied, now, others[office.code], staff, counts)
    # the article's case: a household register lost after moving to another city, re-issued and mailed
    applied = now - timedelta(days=9)
    with clock.at(applied):
        sr, _ = requests.apply(actor=resident, data=requests.RequestInput(
            item_code="HJ01", office_code="PCS-XH", applicant_name=resident.display_name or "居民",
            phone=resident.phone, answers={"note": "已随子女迁居上海,户口簿搬家时遗失"},
            uploads={"id_card": PDF, "statement": PDF}, delivery="mail", mail_city="上海市",
            mail_address="浦东新区张杨路500号 收件人本人"))
    clerk = staff["PCS-XH"]
    for hours, step in ((2, lambda: requests.accept(actor=clerk, request_id=sr.pk)),
                        (4, lambda: requests.approve(actor=clerk, request_id=sr.pk, comment="材料齐全")),
                        (26, lambda: requests.conclude(actor=clerk, request_id=sr.pk, result="户口簿已补办")),
                        (28, lambda: requests.deliver(actor=clerk, request_id=sr.pk, tracking_number="EMS1100234567")),
                        (100, lambda: requests.rate(actor=resident, request_id=sr.pk, satisfaction=5,
                                                    comment="人在外地也办成了,谢谢"))):
        with clock.at(applied + timedelta(hours=hours)):
            step()
    counts["total"] += 1
    return counts


def _progress(rng, sr, clerk, person, applied, now, others, staff, counts) -> None:
    """Walk one request as far as its age allows."""
    moment = applied

    def step(hours, fn) -> bool:
        nonlocal moment
        moment = moment + timedelta(hours=hours)
        if moment >= now:
            return False
        with clock.at(moment):
            fn()
        return True

    if not step(rng.uniform(0.5, 20), lambda: requests.accept(actor=clerk, request_id=sr.pk)):
        return
    if rng.random() < 0.05:
        step(1, lambda: requests.reject(actor=clerk, request_id=sr.pk, reason="不属于本机构办理范围,已告知到属地办理"))
        return
    if rng.random() < 0.15:
        if not step(2, lambda: requests.request_correction(actor=clerk, request_id=sr.pk,
                                                           note="身份证照片不清晰,请重新上传")):
            return
        counts["correction"] += 1
        if rng.random() < 0.1:  # left to lapse
            return
        key = sr.item.materials[0]["key"]
        if not step(rng.uniform(3, 40), lambda: requests.supplement(actor=person, request_id=sr.pk,
                                                                    uploads={key: PDF})):
            return
    if not step(rng.uniform(1, 16), lambda: requests.approve(actor=clerk, request_id=sr.pk)):
        return
    if rng.random() < 0.15:
        other = rng.choice(others)
        document = {"PCS-XH": "户籍证明", "SBDT": "参保缴费证明", "ZWZX": "无房证明"}[other.code]
        holder = {}
        if not step(1, lambda: holder.setdefault("doc", requests.request_document(
                actor=clerk, request_id=sr.pk, department_code=other.department.code, document=document))):
            return
        counts["document"] += 1
        if not step(rng.uniform(2, 30), lambda: requests.provide_document(
                actor=staff[other.code], document_id=holder["doc"].pk, reply="已核实出具")):
            return
    if not step(rng.uniform(4, 24 * sr.item.promised_days),
                lambda: requests.conclude(actor=clerk, request_id=sr.pk, result="已办结")):
        return
    tracking = f"SF{rng.randrange(10**11):011d}" if sr.delivery == "mail" else ""
    if not step(rng.uniform(1, 20), lambda: requests.deliver(actor=clerk, request_id=sr.pk, tracking_number=tracking)):
        return
    if rng.random() < 0.2:
        return  # not rated yet
    bad = rng.random() < 0.06
    score = rng.choice((1, 2)) if bad else rng.choice((3, 4, 5, 5, 5))
    if not step(rng.uniform(2, 72), lambda: requests.rate(actor=person, request_id=sr.pk, satisfaction=score,
                                                          comment="等待时间太长" if bad else "")):
        return
    if bad:
        counts["bad"] += 1
        if step(rng.uniform(2, 20), lambda: requests.call_back(actor=clerk, request_id=sr.pk, method="phone",
                                                               comment="电话致歉,说明原因并约定整改")):
            step(rng.uniform(24, 120), lambda: requests.finish_rectification(
                actor=clerk, request_id=sr.pk, comment="已调整窗口排班,增开午间服务"))


def _hard_cases(rng, residents, today) -> dict:
    dispatcher = User.objects.get(username="dispatcher")
    leader = User.objects.get(username="leader")
    handler = User.objects.filter(username="h-xfj").first() or User.objects.get(username="handler")
    dept = handler.assignments.filter(role="department_handler").first().department
    others = [d.code for d in Department.objects.filter(code__in=("RSJ", "ZJJ", "MZJ", "SCJG", "GAFJ"))]
    counts = {"total": 0, "closed": 0}
    now = clock.now()
    for n in range(72):
        category, title, tried = HARD_PROBLEMS[n % len(HARD_PROBLEMS)]
        # one every five days over the year; the last eight within the past three weeks, still in hand
        days_ago = 360 - n * 5 if n < 64 else 21 - (n - 64) * 2.5
        received = _at(today - timedelta(days=days_ago), 10, rng.randint(0, 59))
        counter = n % 3 != 0
        data = hardcases.HardCaseInput(category_code=category, description=title, tried_before=tried,
                                       name=_name(rng) if counter else "",
                                       phone=f"138{rng.randrange(10**8):08d}" if counter else "")
        with clock.at(received):
            case, _ = hardcases.register(actor=dispatcher if counter else rng.choice(residents),
                                         intake="counter" if counter else "online", data=data)
        counts["total"] += 1
        moment = received
        plan = [
            (2, dispatcher, "assign_leader", {"leader": leader.username}),
            (20, dispatcher, "convene", {}),
            ("meeting", None, None, None),
            (6, dispatcher, "decide", {"department": dept.code, "co_departments": rng.sample(others, 2),
                                       "comment": "会商明确主办协办及办理时限"}),
            (rng.uniform(48, 200), handler, "conclude", {"comment": "已协调办结并书面答复"}),
            (30, dispatcher, "follow_up", {"satisfaction": rng.choice((4, 5, 5)), "method": "phone"}),
            (4, dispatcher, "close", {}),
        ]
        for hours, actor, action, facts in plan:
            if hours == "meeting":
                held = moment + timedelta(hours=3)
                if held >= now:
                    break
                with clock.at(held):
                    hardcases.record_meeting(actor=dispatcher, case_id=case.pk, held_at=held - timedelta(hours=1),
                                             attendees="包案领导、信访局、相关部门负责人、反映人",
                                             department_codes=[dept.code, *others[:2]],
                                             decisions="明确主办单位和协办单位,十五个工作日内办结并回访")
                moment = held
                continue
            moment = moment + timedelta(hours=hours)
            if moment >= now:
                break
            with clock.at(moment):
                transition_case(actor=actor, case_id=case.pk, action=action, facts=dict(facts),
                                comment=facts.get("comment", ""))
            if action == "close":
                counts["closed"] += 1
    return counts


