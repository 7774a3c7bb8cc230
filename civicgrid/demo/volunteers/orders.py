"""Half a year of orders, planned around a volunteer who can serve each, replayed in time order."""

from __future__ import annotations

import heapq
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.roles import Role
from civicgrid.core import clock
from civicgrid.demo import names, people
from civicgrid.demo.volunteers.structure import (
    DAYS,
    TeamPlan,
    Vol,
    World,
    km,
    local_time,
    named_user,
    office_hours,
    pick,
)
from civicgrid.geo.locator import get_locator
from civicgrid.people.models import Household, Resident, ResidentTag
from civicgrid.volunteers import actions, catalogue
from civicgrid.volunteers.choices import DonationKind
from civicgrid.volunteers.models import Order
from civicgrid.volunteers.queries import suggestions as suggestion_queries

ORDERS = 235  # seed figure 3: orders in the last six months, all matched
# service -> share of orders: 敬老 and 心理 most common, 紧急救援 rare (every service gets at least two)
SERVICES = {"7003": 0.28, "7001": 0.19, "7006": 0.12, "7007": 0.12, "7002": 0.1, "7005": 0.08, "7004": 0.08,
            "7008": 0.03}
ITEMS = {"7001": [("700101", 0.85), ("700102", 0.15)], "7002": [("700201", 0.7), ("700202", 0.3)],
         "7003": [("700301", 0.4), ("700302", 0.35), ("700303", 0.25)]}
DESCRIPTIONS = {
    "700101": ["老伴去世后情绪一直低落,睡眠不好,希望有心理咨询师上门聊聊", "孩子在外地,独居后常感到孤独焦虑,想找人疏导"],
    "700102": ["家人近期情绪激动,多次说不想活了,希望专业人员尽快介入", "失业后精神压力很大,家属担心出意外,请求帮助"],
    "700201": ["与物业因漏水赔偿有纠纷,想咨询法律意见", "老人赡养费问题想咨询律师", "房屋继承手续不清楚,想请律师解答"],
    "700202": ["需要写一份赡养协议,不会写", "想写一份租房合同纠纷的起诉状,请志愿者帮忙"],
    "700301": ["老人腿脚不便,需要志愿者帮忙打扫卫生、整理房间", "独居老人需要协助洗澡、理发"],
    "700302": ["独居老人平时没人说话,希望志愿者上门陪伴聊天", "老人想有人陪着读读报、聊聊天"],
    "700303": ["老人行动不便,需要帮忙代买米面和药品", "需要帮老人到社区代办养老认证"],
    "7004": ["家中有闲置的冬衣和被褥,想捐给有需要的家庭,请志愿者上门收取", "有一批儿童图书和文具想捐赠"],
    "7005": ["孩子父母在外打工,数学跟不上,希望有老师辅导功课", "孩子初三,英语基础差,希望志愿者辅导"],
    "7006": ["家中残疾人需要推轮椅到医院复查", "残疾人康复训练需要有人指导"],
    "7007": ["老人血压偏高,希望医护志愿者上门测量并讲解用药", "卧床老人需要上门换药护理"],
    "7008": ["小区内老人摔倒无法起身,已拨打120,需要志愿者协助照看", "暴雨后地下室进水,独居老人需要协助转移物品"],
}
REPORTS = {
    "7001": "上门开展心理疏导,情绪明显缓和,约定后续回访", "7002": "已解答法律问题并提供书面意见",
    "7003": "已完成上门服务,老人表示满意", "7004": "已上门收取捐赠物资并登记", "7005": "已完成课业辅导,布置了练习",
    "7006": "已协助出行和康复训练", "7007": "已上门测量血压血糖并讲解用药", "7008": "协助处置完毕,现场安全",
}
DURATION = {"7001": (60, 120), "7002": (45, 90), "7003": (60, 180), "7004": (30, 90), "7005": (90, 120),
            "7006": (60, 150), "7007": (45, 90), "7008": (60, 180)}  # minutes of service
PEOPLE = {"7003": [(1, 0.7), (2, 0.3)], "7004": [(1, 0.5), (2, 0.5)], "7006": [(1, 0.7), (2, 0.3)],
          "7008": [(2, 0.6), (3, 0.4)]}
RATINGS = [(5, 0.68), (4, 0.26), (3, 0.05), (2, 0.01)]
COMMENTS = {5: "志愿者很耐心,非常感谢!", 4: "服务及时,挺满意", 3: "还可以,希望下次早点联系", 2: "来晚了"}


@dataclass
class Plan:
    service: str
    category: str
    channel: str
    actor: User
    point: dict
    person: str  # the resident served (on whose behalf a grid worker orders), or ""
    description: str
    phone: str
    window: tuple[datetime, datetime]
    people: int
    service_at: tuple[datetime, datetime]  # the service itself, inside the window
    vol: Vol  # the volunteer the order was planned around
    steps: list[tuple[datetime, str]]
    rating: int
    order_id: int | None = None
    station: str = ""  # the code of the station it is dispatched to
    team: str = ""  # the code of the team assigned
    chosen: list[int] = field(default_factory=list)  # the volunteers sent


class Requesters:
    """Who orders: resident accounts for themselves, micro-grid workers for the people of their micro-grid
    (网格员代下单), and the centre's hotline."""

    def __init__(self, world: World):
        self.world = world
        self.centre = named_user("centre")
        self.residents = list(User.objects.filter(is_active=True, assignments__role=Role.RESIDENT,
                                                  assignments__is_active=True).distinct().order_by("username"))
        self.workers = dict(RoleAssignment.objects.filter(role=Role.MICRO_GRID_WORKER, is_active=True)
                            .values_list("region__code", "user_id"))
        self._users: dict[int, User] = {}
        self._people: dict[str, list[dict]] = {}
        first = world.communities[0]["code"]
        self.home = (Household.objects.filter(region__code__startswith=first, is_active=True)
                     .select_related("building", "region").order_by("number").first())

    def worker(self, micro_code: str) -> User:
        uid = self.workers.get(micro_code)
        if uid is None:
            return self.centre
        if uid not in self._users:
            self._users[uid] = User.objects.get(pk=uid)
        return self._users[uid]

    def people_of(self, micro_code: str) -> list[dict]:
        if micro_code not in self._people:
            rows = list(Resident.objects.filter(region__code=micro_code, is_active=True, household__isnull=False)
                        .values("id", "name", "birth_date", "phone", "household__address", "household__building__lat",
                                "household__building__lng").order_by("id"))
            tags = defaultdict(set)
            for rid, code in ResidentTag.objects.filter(resident_id__in=[r["id"] for r in rows]).values_list(
                    "resident_id", "tag__code"):
                tags[rid].add(code)
            for r in rows:
                r["tags"] = tags[r["id"]]
                b = r["birth_date"]
                r["age"] = people.REFERENCE_DATE.year - b.year if b else 40
            self._people[micro_code] = rows
        return self._people[micro_code]


def _person_for(rng, service: str, residents: list[dict]) -> dict | None:
    prefer = {"7003": lambda r: r["age"] >= 65, "7006": lambda r: "disabled" in r["tags"],
              "7005": lambda r: 7 <= r["age"] <= 15, "7007": lambda r: r["age"] >= 55}.get(service, lambda r: r["age"] >= 18)
    fitting = [r for r in residents if prefer(r)] or [r for r in residents if r["age"] >= 18]
    return rng.choice(fitting) if fitting else None


def _free(calendar, vid: int, start: datetime, end: datetime, skip: int | None = None) -> bool:
    return all(not (s < end and start < e) for s, e, owner in calendar[vid] if owner != skip)


def _window(rng, vol: Vol, first_day: date, minutes: int, calendar) -> tuple[datetime, datetime] | None:
    """A window of `minutes` inside one of the volunteer's weekly slots in the week from `first_day`."""
    days = list(range(6))
    rng.shuffle(days)
    for d in days:
        day = first_day + timedelta(days=d)
        for weekday, start, end in vol.slots:
            length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            if weekday != day.weekday() or length < minutes:
                continue
            offset = rng.randrange(0, (length - minutes) // 30 + 1) * 30
            begin = local_time(day, start.hour * 60 + start.minute + offset)
            if _free(calendar, vol.pk, begin, begin + timedelta(minutes=minutes)):
                return begin, begin + timedelta(minutes=minutes)
    return None


def _covered(vol: Vol, start: datetime, end: datetime) -> bool:
    s, e = timezone.localtime(start), timezone.localtime(end)
    return s.date() == e.date() and any(
        d == s.weekday() and a <= s.time() and e.time() <= b for d, a, b in vol.slots)


def _valid(vol: Vol, needs: frozenset[str], on: date) -> bool:
    held = {q["kind"]: q["valid_until"] for q in vol.quals}
    return all(k in held and (held[k] is None or held[k] >= on) for k in needs)


def _team_tiers(world: World, station: str, service: str) -> list[list[TeamPlan]]:
    by_site = defaultdict(list)
    for team in world.teams.values():
        if service in team.capabilities:
            by_site[team.site].append(team)
    return [by_site[station], by_site[station[:9]], by_site[world.centre_code]]


def _choose(rng, world: World, p: dict, calendar) -> tuple[Vol, tuple[datetime, datetime]] | None:
    """The volunteer an order is planned around and its window: a member of a team the station can send
    who holds the service (certificates valid on the day), lives in range, is free and available."""
    tiers = _team_tiers(world, p["community"], p["service"])
    if p["decline"]:
        tiers = tiers[2:]  # another station takes it: plan on a centre team any station may send
    elif rng.random() < 0.2:
        tiers = tiers[1:] + tiers[:1]
    needs = catalogue.required_caps(p["category"]) - {p["service"]}
    for tier in tiers:
        members = list({v.pk: v for t in tier for v in t.members}.values())
        rng.shuffle(members)
        for vol in members:
            if p["service"] not in vol.skills or \
                    km(vol.lat, vol.lng, p["lat"], p["lng"]) > vol.radius:
                continue
            if p["emergency"]:
                window = p["emergency"]
                if not (_covered(vol, *window) and _free(calendar, vol.pk, *window)):
                    continue
            else:
                window = _window(rng, vol, p["first_day"], p["minutes"], calendar)
                if window is None:
                    continue
            if _valid(vol, needs, timezone.localtime(window[1]).date()):
                return vol, window
    return None


def _plan(rng, world: World, who: Requesters, service: str, now: datetime, calendar, idx: int) -> Plan:
    """One order, drawn again (place, requester, time) until a volunteer can serve it."""
    locator = get_locator()
    communities = world.communities
    for _ in range(60):
        category = pick(rng, ITEMS[service]) if service in ITEMS else service
        emergency = service == catalogue.EMERGENCY
        channel = pick(rng, [("resident", 0.06), ("grid", 0.77), ("hotline", 0.17)])
        if channel == "resident" and not (who.residents and who.home):
            channel = "grid"
        day = timezone.localtime(now - timedelta(days=rng.uniform(2.5, DAYS))).date()
        placed = local_time(day, rng.randrange(8 * 60, 15 * 60 + 30) if emergency else rng.randrange(7 * 60 + 30, 21 * 60))
        if channel == "resident":
            actor, home = rng.choice(who.residents), who.home
            person, phone = "", actor.phone
            lat, lng, address = home.building.lat, home.building.lng, home.address
        else:
            c = rng.choices(communities, weights=[x["households"] + 1 for x in communities])[0]
            micro = rng.choices(world.micro[c["code"]], weights=[m["households"] + 1 for m in world.micro[c["code"]]])[0]
            r = _person_for(rng, service, who.people_of(micro["code"]))
            actor = who.worker(micro["code"]) if channel == "grid" else who.centre
            person, phone = (r["name"], r["phone"] or "") if r else (names.person_name(rng, "F"), "")
            lat = r["household__building__lat"] if r and r["household__building__lat"] else micro["center_lat"]
            lng = r["household__building__lng"] if r and r["household__building__lng"] else micro["center_lng"]
            address = r["household__address"] if r else ""
        located = locator.locate_code(lng, lat)
        if not located or located[:12] not in world.sites:
            continue
        decline = not emergency and rng.random() < 0.07
        if emergency:
            review = placed + timedelta(minutes=rng.randint(2, 6))
            dispatch = review + timedelta(minutes=rng.randint(2, 5))
            accept = dispatch + timedelta(minutes=rng.randint(2, 8))
            assign = accept + timedelta(minutes=rng.randint(3, 8))
        else:
            review = office_hours(rng, placed + timedelta(minutes=rng.randint(10, 120)))
            dispatch = review + timedelta(minutes=rng.randint(5, 60))
            if decline:
                declined = office_hours(rng, dispatch + timedelta(minutes=rng.randint(30, 240)))
                redispatch = office_hours(rng, declined + timedelta(minutes=rng.randint(10, 90)))
                accept = office_hours(rng, redispatch + timedelta(minutes=rng.randint(15, 180)))
            else:
                accept = office_hours(rng, dispatch + timedelta(minutes=rng.randint(15, 240)))
            assign = office_hours(rng, accept + timedelta(minutes=rng.randint(10, 180)))
        if assign > now - timedelta(hours=1):
            continue
        lo, hi = DURATION[service]
        minutes = rng.randrange(lo, hi + 1, 15)
        slack = rng.choice([30, 45, 60])
        p = {"service": service, "category": category, "community": located[:12], "lat": lat, "lng": lng,
             "decline": decline, "minutes": minutes + slack,
             "first_day": timezone.localtime(assign).date() + timedelta(days=1),
             "emergency": (placed + timedelta(minutes=2), placed + timedelta(hours=5)) if emergency else None}
        found = _choose(rng, world, p, calendar)
        if found is None:
            continue
        vol, window = found
        contact = assign + timedelta(minutes=rng.randint(2, 6) if emergency else rng.randint(20, 180))
        begin = contact + timedelta(minutes=rng.randint(15, 30)) if emergency else \
            window[0] + timedelta(minutes=rng.choice([0, 5, 10, 15, 20]))
        end = begin + timedelta(minutes=minutes)
        if end > window[1] - timedelta(minutes=10):
            end = window[1] - timedelta(minutes=10)
        done = window[1] + timedelta(minutes=rng.randint(60, 240)) if rng.random() < 0.03 else \
            end + timedelta(minutes=rng.randint(3, 9))
        # the requester rates within a day and a half; the hotline's orders get the centre's callback
        rate = office_hours(rng, done + timedelta(hours=rng.uniform(1, 36) if channel != "hotline" else rng.uniform(18, 48)))
        steps = [(placed, "place"), (review, "review"), (dispatch, "dispatch")]
        if decline:
            steps += [(declined, "decline"), (redispatch, "dispatch")]
        steps += [(accept, "accept"), (assign, "assign"), (contact, "contact"), (done, "complete"), (rate, "rate")]
        if rng.random() < 0.9:
            steps.append((office_hours(rng, rate + timedelta(hours=rng.uniform(2, 72))), "confirm"))
        calendar[vol.pk].append((*window, idx))
        return Plan(service=service, category=category, channel=channel, actor=actor,
                    point={"lat": lat, "lng": lng, "address": address or ""}, person=person, phone=phone,
                    description=rng.choice(DESCRIPTIONS[category]),
                    window=window, people=pick(rng, PEOPLE.get(service, [(1, 1.0)])), service_at=(begin, end),
                    vol=vol, steps=steps, rating=pick(rng, RATINGS))
    raise RuntimeError(f"no volunteer can serve a {service} order in this district")


def _services(rng, count: int) -> list[str]:
    """`count` services in the shares of SERVICES, each at least twice, in random order."""
    counts = {s: max(2, round(w * count)) for s, w in SERVICES.items()}
    while sum(counts.values()) != count:
        s = max(counts, key=counts.get) if sum(counts.values()) > count else "7003"
        counts[s] += 1 if sum(counts.values()) < count else -1
    out = [s for s, n in counts.items() for _ in range(n)]
    rng.shuffle(out)
    return out


class Replay:
    """Runs every order's steps in time order, each at its own moment, through the volunteer actions."""

    def __init__(self, world: World, plans: list[Plan], calendar, now: datetime, rng: random.Random):
        self.world, self.plans, self.calendar, self.now, self.rng = world, plans, calendar, now, rng
        self.centre = named_user("centre")
        self.goods: list[tuple[datetime, object]] = []  # donations collected on 捐赠服务 orders
        self.counts = Counter()

    def run(self) -> Counter:
        queue = [(p.steps[0][0], i, 0) for i, p in enumerate(self.plans)]
        heapq.heapify(queue)
        while queue:
            at, i, k = heapq.heappop(queue)
            if at > self.now:
                continue  # not yet: the order stays where it is (the last few are still in service)
            plan = self.plans[i]
            with clock.at(at):
                getattr(self, f"_{plan.steps[k][1]}")(plan, i)
            self.counts[f"steps_{plan.steps[k][1]}"] += 1
            if k + 1 < len(plan.steps):
                heapq.heappush(queue, (plan.steps[k + 1][0], i, k + 1))
        return self.counts

    def _station_admin(self, plan: Plan) -> User:
        return self.world.station_admin[plan.station]

    def _team_actor(self, plan: Plan) -> User:
        """The team's leader reports contact and completion (the station when the leader has no account)."""
        return self.world.leader.get(plan.team) or self._station_admin(plan)

    def _order(self, plan: Plan) -> Order:
        return Order.objects.select_related("case__category", "case__region", "station", "team").get(pk=plan.order_id)

    def _place(self, plan: Plan, i: int) -> None:
        data = actions.OrderInput(
            category_code=plan.category, description=plan.description, window_start=plan.window[0],
            window_end=plan.window[1], lat=plan.point["lat"], lng=plan.point["lng"], address=plan.point["address"],
            channel=plan.channel, reporter_name=plan.person or plan.actor.display_name,
            reporter_phone=plan.phone, people_needed=plan.people,
            on_behalf_of=plan.person if plan.channel == "grid" else "")
        order, _ = actions.place_order(actor=plan.actor, data=data, idempotency_key=f"demo-volunteer-order-{i}")
        plan.order_id = order.pk

    def _review(self, plan: Plan, i: int) -> None:
        actions.review_order(actor=self.centre, order_id=plan.order_id, approve=True)

    def _dispatch(self, plan: Plan, i: int) -> None:
        site, _ = suggestion_queries.station_suggestions(self._order(plan))[0]
        actions.dispatch_order(actor=self.centre, order_id=plan.order_id, station_code=site.code)
        plan.station = site.code

    def _decline(self, plan: Plan, i: int) -> None:
        actions.decline_order(actor=self._station_admin(plan), order_id=plan.order_id, reason="本站该时段暂无合适志愿者")

    def _accept(self, plan: Plan, i: int) -> None:
        actions.accept_order(actor=self._station_admin(plan), order_id=plan.order_id)

    def _assign(self, plan: Plan, i: int) -> None:
        """The station's own teams first, then its institute's, then the centre's: the first team whose
        shortlist has someone free (the volunteer the order was planned around comes first if listed)."""
        order = self._order(plan)
        for tier in _team_tiers(self.world, plan.station, plan.service):
            for team in tier:
                ranked, _ = suggestion_queries.volunteer_shortlist(order, self.world.team_rows[team.code], limit=50)
                free = [v.pk for v, _ in ranked if _free(self.calendar, v.pk, *plan.window, skip=i)]
                if plan.vol.pk in free:
                    free.remove(plan.vol.pk)
                    free.insert(0, plan.vol.pk)
                if free:
                    plan.chosen, plan.team = free[:plan.people], team.code
                    actions.assign_team(actor=self._station_admin(plan), order_id=order.pk, team_code=team.code,
                                        volunteer_ids=plan.chosen)
                    self.calendar[plan.vol.pk] = [c for c in self.calendar[plan.vol.pk] if c[2] != i]
                    for vid in plan.chosen:
                        self.calendar[vid].append((*plan.window, i))
                    return
        raise RuntimeError(f"order {order.case.number} ({plan.category}) found no free volunteer")

    def _contact(self, plan: Plan, i: int) -> None:
        start = timezone.localtime(plan.window[0])
        who = plan.person or plan.actor.display_name
        actions.log_contact(actor=self._team_actor(plan), order_id=plan.order_id,
                            comment=f"已电话联系{who},约定{start:%m月%d日 %H:%M}上门服务")

    def _complete(self, plan: Plan, i: int) -> None:
        begin, end = plan.service_at
        records = [actions.RecordInput(vid, begin + timedelta(minutes=2 * n), end, REPORTS[plan.service])
                   for n, vid in enumerate(plan.chosen)]
        order = actions.complete_order(actor=self._team_actor(plan), order_id=plan.order_id,
                                       report=REPORTS[plan.service], records=records)
        if plan.service == "7004":  # the goods collected are registered as a donation to the station
            donation = actions.record_donation(
                actor=self._station_admin(plan), site=self.world.sites[plan.station],
                donor=plan.person or plan.actor.display_name, kind=DonationKind.GOODS,
                amount=Decimal(self.rng.randrange(10, 60) * 10), order=order,
                items=self.rng.choice(["冬衣12件、棉被2床", "儿童图书30册、文具一批", "电饭煲1台、被褥3床"]))
            self.goods.append((clock.now(), donation))

    def _rate(self, plan: Plan, i: int) -> None:
        actor = plan.actor if plan.channel != "hotline" else self.centre
        actions.rate_order(actor=actor, order_id=plan.order_id, satisfaction=plan.rating,
                           comment=COMMENTS[plan.rating])

    def _confirm(self, plan: Plan, i: int) -> None:
        self.counts["records_confirmed"] += actions.confirm_records(actor=self._station_admin(plan),
                                                                    order_id=plan.order_id)


def replay_orders(*, seed: int, world: World, count: int, now: datetime) -> Replay:
    rng = random.Random(f"{seed}:volunteer-orders")
    who = Requesters(world)
    calendar: dict[int, list] = defaultdict(list)
    plans = [_plan(rng, world, who, service, now, calendar, i) for i, service in enumerate(_services(rng, count))]
    replay = Replay(world, plans, calendar, now, random.Random(f"{seed}:volunteer-goods"))
    replay.run()
    unmatched = [p.order_id for p in plans if not p.chosen]
    if unmatched:
        raise RuntimeError(f"demo orders left unmatched: {unmatched}")
    return replay

