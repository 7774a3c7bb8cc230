"""The good-people board demo (好人榜): 60 nominations over the last twelve months, replayed in time order
through `civicgrid.recognition.actions` at `clock.at(...)` moments: submitted by residents (for themselves or
for a neighbour) → verified by the community (consent confirmed with the nominee) → approved by the 文明办
(the `centre` login) → 7 days of public notice → listed on the month's board. Some are turned down by the
community or the office, one draws an objection during its notice that the office answers before listing,
the last few are still being verified or in notice, and the year's board takes a dozen of the year's monthly
listings.

The article's resident who asked the community to look at her materials (“我也想上榜……请社区看看我的材料吧!”,
长征街道) is the `resident` login here, under a generated name: her self-nomination is on one of the two latest monthly boards.
Community admins and residents are generated accounts (unusable passwords, made through accounts.actions by
the `security` login); every name and phone is generated. Deterministic for a seed and a build day; does
nothing when nominations exist."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts import actions as accounts
from civicgrid.accounts.models import User
from civicgrid.core import clock
from civicgrid.demo import names
from civicgrid.geo.models import Region
from civicgrid.recognition import actions
from civicgrid.recognition.choices import Category
from civicgrid.recognition.models import Nomination

NOMINATIONS = 60
STORIES = {
    Category.HELPING: [("照顾独居老人{n}年", "每周上门为楼里的独居老人买菜、打扫,陪老人看病,{n}年从未间断。"),
                       ("义务为邻居修理家电", "退休后在小区义务修理家电、自行车,分文不取,邻里都叫他“热心肠”。")],
    Category.BRAVERY: [("跳入太子河救起落水儿童", "傍晚散步时发现有儿童落水,不顾危险跳入河中将孩子救上岸。"),
                       ("勇斗抢包歹徒", "在公交站遇到抢包,挺身而出协助民警将嫌疑人制服。")],
    Category.HONESTY: [("拾金不昧归还现金", "在菜市场捡到装有现金和证件的钱包,在原地等候失主两个小时。"),
                       ("诚信经营小吃店{n}年", "经营小吃店{n}年,坚持明码标价、足斤足两,顾客称赞“放心店”。")],
    Category.DEDICATION: [("扎根社区{n}年的网格员", "每天走遍网格里的每栋楼,居民有事第一时间到场,被称为“贴心人”。"),
                          ("坚守一线的环卫工人", "{n}年来每天凌晨四点上岗,负责的路段始终干净整洁。")],
    Category.FILIAL: [("悉心照顾瘫痪婆婆{n}年", "婆婆瘫痪在床{n}年,她端水喂饭、擦身翻身,从无怨言。"),
                      ("三代同堂的孝老之家", "一家三代和睦相处,把照顾高龄父母当作家里最重要的事。")],
}
RELATIONS = ["邻居", "同事", "社区居民", "楼长"]
SELF_STORY = ("向道德模范学习,义务照看小区留守儿童",
              "这些年我一直向道德模范学习,放学后在家里义务照看楼里的留守儿童,辅导作业、管一顿晚饭,前后照看过十几个孩子。")


def _moment(day: date, hour: int) -> datetime:
    """That day at that hour, but never later than a few minutes ago (today's steps)."""
    moment = datetime.combine(day, time(hour, 30), tzinfo=timezone.get_current_timezone())
    return min(moment, timezone.now() - timedelta(minutes=5))


def _portrait(rng: random.Random) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 150), (rng.randint(200, 240), rng.randint(210, 240), rng.randint(220, 250)))
    draw = ImageDraw.Draw(image)
    tone = (rng.randint(90, 140), rng.randint(70, 110), rng.randint(60, 90))
    draw.ellipse((35, 25, 85, 80), fill=(238, 206, 180))
    draw.rectangle((25, 95, 95, 150), fill=tone)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _accounts(rng: random.Random, communities: list[Region]) -> tuple[dict[str, User], list[User]]:
    """A community admin for each community used (the demo's `community` login where it serves), and
    residents who nominate."""
    security = User.objects.get(username="security")
    admins: dict[str, User] = {}
    for region in communities:
        existing = User.objects.filter(assignments__role="community_admin", assignments__region=region,
                                       assignments__is_active=True).first()
        existing = existing or User.objects.filter(username=f"gp_comm_{region.code}").first()
        if existing is None:
            existing = accounts.create_user(actor=security, username=f"gp_comm_{region.code}", password=None,
                                            display_name=names.person_name(rng, rng.choice("MF")))
            accounts.assign_role(actor=security, user=existing, role="community_admin", region=region)
        admins[region.code] = existing
    residents = []
    for i in range(16):
        name = names.person_name(rng, rng.choice("MF"))
        user = User.objects.filter(username=f"gp_res_{i:02d}").first()  # kept from an earlier build
        if user is None:
            user = accounts.create_user(actor=security, username=f"gp_res_{i:02d}", password=None, display_name=name)
            accounts.assign_role(actor=security, user=user, role="resident")
        residents.append(user)
    return admins, residents


def build(*, seed: int, say: Callable[[str], None]) -> None:
    if Nomination.objects.exists():
        say("好人榜推荐已存在,跳过")
        return
    rng = random.Random(seed + 1717)
    today = timezone.localdate()
    office = User.objects.get(username="centre")
    resident = User.objects.get(username="resident")
    home = Region.objects.filter(level="community", code="211004001001").first()
    pool = list(Region.objects.filter(level="community", is_active=True).order_by("code"))
    communities = ([home] if home else []) + rng.sample([r for r in pool if r != home], 5)
    changzheng = next((r for r in pool if r.code.startswith("211004003")), pool[0])
    if changzheng not in communities:
        communities.append(changzheng)
    phones = iter(rng.sample(range(10_000_000, 99_999_999), NOMINATIONS * 2 + 10))
    with transaction.atomic():
        admins, residents = _accounts(rng, communities)
        plans = []
        first = today - timedelta(days=365)
        for i in range(NOMINATIONS - 1):
            # spread over the year up to today: the last few are still being verified or in notice
            submitted = min(today, first + timedelta(days=int(i * 364 / (NOMINATIONS - 2)) + rng.randint(0, 3)))
            plans.append(("other" if rng.random() < 0.7 else "self", submitted, rng.choice(communities), i))
        # the article's resident: a self-nomination submitted some five weeks ago, listed a few weeks later
        plans.append(("article", today - timedelta(days=36), changzheng, NOMINATIONS - 1))
        plans.sort(key=lambda p: p[1])
        counts = {"listed": 0, "rejected": 0, "open": 0, "objections": 0}
        objection_at = NOMINATIONS // 2
        listed_this_year: list[int] = []
        for kind, submitted, region, i in plans:
            category = rng.choice(Category.values)
            title, story = rng.choice(STORIES[category])
            years = rng.randint(3, 20)
            gender = rng.choice("MF")
            name = names.person_name(rng, gender)
            consent = {"consent_story": True, "consent_name": rng.random() < 0.8, "consent_photo": rng.random() < 0.6}
            if kind == "article":
                actor, source, name = resident, "self", resident.display_name or name
                title, story, category = SELF_STORY[0], SELF_STORY[1], Category.HELPING
                consent = {"consent_story": True, "consent_name": True, "consent_photo": True}
            elif kind == "self":
                actor, source = rng.choice(residents), "self"
                name = actor.display_name
            else:
                actor, source = rng.choice(residents), "other"
            phone = f"139{next(phones):08d}"
            if source == "self":  # one person, one phone: a resident nominating themself again keeps it
                earlier = Nomination.objects.filter(honoree__user=actor).select_related("honoree").first()
                phone = earlier.honoree.phone if earlier else phone
                if Nomination.objects.filter(honoree__user=actor, state__in=["submitted", "verified", "notice"]).exists():
                    actor, source, name = rng.choice(residents), "other", names.person_name(rng, gender)
                    phone = f"139{next(phones):08d}"
            with clock.at(_moment(submitted, 9)):
                n = actions.submit_nomination(actor=actor, data=actions.NominationInput(
                    source=source, nominee_name=name, nominee_phone=phone, region_code=region.code,
                    category=category, title=title.format(n=years), story=story.format(n=years),
                    relation=rng.choice(RELATIONS) if source == "other" else "",
                    photo=_portrait(rng) if consent["consent_photo"] else None,
                    materials=[_portrait(rng)] if rng.random() < 0.3 else [], **consent))
            community = admins[region.code]
            verify_day = submitted + timedelta(days=rng.randint(2, 5))
            if verify_day > today:
                counts["open"] += 1
                continue
            roll = rng.random() if kind != "article" else 1.0
            with clock.at(_moment(verify_day, 10)):
                if roll < 0.08:
                    actions.transition_nomination(actor=community, nomination_id=n.pk, action="reject",
                                                  comment="经走访核实,事迹与实际情况有出入。")
                    counts["rejected"] += 1
                    continue
                actions.transition_nomination(
                    actor=community, nomination_id=n.pk, action="verify",
                    consent=actions.Consent(name=consent["consent_name"], photo=consent["consent_photo"], story=True)
                    if source == "other" else None)
            review_day = verify_day + timedelta(days=rng.randint(2, 6))
            if review_day > today:
                counts["open"] += 1
                continue
            with clock.at(_moment(review_day, 14)):
                if roll < 0.14:
                    actions.transition_nomination(actor=office, nomination_id=n.pk, action="reject",
                                                  comment="事迹尚不够典型,建议继续关注。")
                    counts["rejected"] += 1
                    continue
                n = actions.transition_nomination(actor=office, nomination_id=n.pk, action="approve")
            if i == objection_at and n.notice_end + timedelta(days=1) <= today:
                with clock.at(_moment(n.notice_start + timedelta(days=2), 20)):
                    objection = actions.lodge_objection(
                        actor=None, nomination_id=n.pk, contact_name=names.person_name(rng, "M"),
                        contact_phone=f"137{next(phones):08d}", body="听说这件事是别人做的,请核实。")
                with clock.at(_moment(n.notice_start + timedelta(days=4), 11)):
                    actions.answer_objection(actor=office, objection_id=objection.pk, outcome="dismissed",
                                             answer="经社区走访当事人及目击群众核实,事迹属实,异议不成立。已电话告知异议人。")
                counts["objections"] += 1
            list_day = n.notice_end + timedelta(days=rng.randint(1, 3))
            if list_day > today:
                counts["open"] += 1
                continue
            with clock.at(_moment(list_day, 15)):
                n = actions.transition_nomination(actor=office, nomination_id=n.pk, action="list")
            counts["listed"] += 1
            if n.listed_month.year == today.year:
                listed_this_year.append(n.pk)
        if listed_this_year:
            chosen = rng.sample(listed_this_year, min(12, len(listed_this_year)))
            actions.list_yearly(actor=office, year=today.year, nomination_ids=chosen)
    say(f"好人榜:推荐 {NOMINATIONS} 份,上榜 {counts['listed']},未通过 {counts['rejected']},"
        f"办理中 {counts['open']},异议 {counts['objections']} 条(已答复);公示期 {settings.RECOGNITION_NOTICE_DAYS} 天")
