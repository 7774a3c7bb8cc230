"""The practice structure: sites, teams, volunteers, station admins and the two named logins."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from civicgrid.accounts import actions as accounts
from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.roles import Role
from civicgrid.core import clock
from civicgrid.demo import names, people
from civicgrid.geo.models import Region
from civicgrid.people import idnumber
from civicgrid.people.models import Household
from civicgrid.volunteers import actions, catalogue
from civicgrid.volunteers.choices import SiteLevel
from civicgrid.volunteers.models import PracticeSite, Team, Volunteer

DAYS = 178  # orders are placed within the last DAYS days (inside "six months" however it is counted)


@dataclass(frozen=True)
class Kind:
    share: float
    skills: tuple[str, ...]
    certificate: str | None
    issuer: str
    ages: tuple[int, int]
    radius_km: float
    centre_team: str | None  # the centre team its members join
    institute_team: str | None = None  # the street team its members join


KINDS = {
    "counsellor": Kind(0.08, ("7001", "7003"), "心理咨询师", "辽阳市人力资源和社会保障局", (30, 60), 20, "心理"),
    "lawyer": Kind(0.05, ("7002",), "执业律师", "辽宁省司法厅", (28, 60), 20, "法律", "法律"),
    "legal": Kind(0.03, ("7002", "7003"), "法律工作者", "辽阳市司法局", (30, 65), 10, None, "法律"),
    "medic": Kind(0.07, ("7007", "7006"), "医护人员", "辽阳市卫生健康委员会", (25, 62), 20, "医疗"),
    "rescuer": Kind(0.06, ("7008", "7003"), "急救员", "辽阳市红十字会", (22, 55), 20, "应急"),
    "teacher": Kind(0.06, ("7005", "7003"), "教师", "辽阳市教育局", (25, 65), 10, None, "助学"),
    "therapist": Kind(0.02, ("7006", "7003"), "康复治疗师", "辽阳市卫生健康委员会", (25, 55), 20, "医疗"),
    "social": Kind(0.03, ("7003", "7006", "7004"), "社会工作者", "辽阳市民政局", (25, 55), 6, None),
    "general": Kind(0.0, ("7003", "7004", "7006"), None, "", (18, 72), 4, None),
}
CENTRE_TEAMS = {  # key: (name, capabilities)
    "心理": ("心理健康志愿服务队", ["7001"]), "法律": ("法律援助志愿服务队", ["7002"]),
    "医疗": ("医疗卫生志愿服务队", ["7007", "7006"]), "应急": ("红十字应急救援队", ["7008"]),
    "青年": ("青年志愿服务队", ["7003", "7004", "7005", "7006"]),
}
INSTITUTE_TEAMS = {"法律": ("法律援助志愿队", ["7002"]), "助学": ("助学志愿服务队", ["7005"])}


def pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def local_time(day: date, minutes: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time())) + timedelta(minutes=minutes)


def office_hours(rng: random.Random, moment: datetime) -> datetime:
    """`moment`, or the next morning when it falls outside 08:00–18:00."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 18:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= 18 else 0)
    return local_time(day, 8 * 60 + rng.randrange(0, 90))


def km(lat1, lng1, lat2, lng2) -> float:
    p = math.pi / 180
    a = math.sin((lat2 - lat1) * p / 2) ** 2 + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lng2 - lng1) * p / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(a, 1.0)))


def named_user(username: str) -> User:
    return User.objects.get(username=username)


@dataclass
class Vol:
    """A volunteer as planned (and, once registered, `pk`)."""

    kind: str
    community: str
    name: str = ""
    gender: str = "F"
    skills: list[str] = field(default_factory=list)
    quals: list[dict] = field(default_factory=list)
    slots: list[tuple[int, time, time]] = field(default_factory=list)
    region: dict = field(default_factory=dict)
    lat: float = 0.0
    lng: float = 0.0
    radius: float = 4.0
    teams: list[str] = field(default_factory=list)
    youth: bool = False
    birth: date | None = None
    user: User | None = None
    pk: int | None = None


@dataclass
class TeamPlan:
    """A team as planned: its members, the first of whom leads it."""

    code: str
    name: str
    site: str
    capabilities: list[str]
    region: str
    members: list[Vol] = field(default_factory=list)


class World:
    """What the order replay needs: sites, teams, volunteers as planned, and who acts for whom."""

    def __init__(self):
        self.sites: dict[str, PracticeSite] = {}
        self.teams: dict[str, TeamPlan] = {}
        self.team_rows: dict[str, Team] = {}  # team code -> the created row
        self.vols: list[Vol] = []
        self.station_admin: dict[str, User] = {}  # site code -> user
        self.leader: dict[str, User] = {}  # team code -> the leader's user
        self.communities: list[dict] = []
        self.micro: dict[str, list[dict]] = {}  # community code -> its micro-grids (with households)
        self.centre_code = ""


def _availability(rng: random.Random, kind: str) -> list[tuple[int, time, time]]:
    if kind == "rescuer":
        return [(d, time(7), time(21)) for d in sorted(rng.sample(range(7), rng.randint(4, 7)))]
    if kind in ("counsellor", "lawyer", "medic", "teacher", "therapist"):
        days = sorted(rng.sample(range(5), rng.randint(1, 2)))
        return [(d, time(14), time(17, 30)) for d in days] + [(5, time(9), time(16))]
    style = pick(rng, [("retired", 0.6), ("working", 0.35), ("flexible", 0.05)])
    if style == "retired":
        days = sorted(rng.sample(range(6), rng.randint(3, 5)))
        if rng.random() < 0.5:
            return [(d, time(8), time(17)) for d in days]
        return [s for d in days for s in ((d, time(8, 30), time(11, 30)), (d, time(14), time(17)))]
    if style == "working":
        evenings = sorted(rng.sample(range(5), rng.randint(1, 2)))
        return [(d, time(18, 30), time(21)) for d in evenings] + [(5, time(9), time(17)), (6, time(9), time(17))]
    return [(d, time(8), time(20)) for d in range(7)]


def _plan_volunteers(rng: random.Random, world: World, total: int, today: date) -> None:
    """Who the volunteers are and where they live: every community gets at least two general volunteers;
    specialists are spread round-robin over the streets."""
    weights = [c["households"] + 1 for c in world.communities]
    counts = {k: round(spec.share * total) for k, spec in KINDS.items() if spec.share}
    counts["general"] = total - sum(counts.values())
    codes = [c["code"] for c in world.communities]
    streets = sorted({code[:9] for code in codes})
    vols: list[Vol] = []
    for code in codes:
        vols += [Vol("general", code), Vol("general", code)]
    vols += [Vol("general", c) for c in rng.choices(codes, weights=weights, k=max(0, counts["general"] - 2 * len(codes)))]
    psych = [codes[0], *rng.sample(codes[1:], max(0, counts["counsellor"] // 2 - 1))]
    vols += [Vol("counsellor", psych[i % len(psych)]) for i in range(counts["counsellor"])]
    for kind in ("lawyer", "legal", "teacher"):
        for i in range(counts[kind]):
            street = streets[i % len(streets)]
            here = [c for c in world.communities if c["code"].startswith(street)]
            vols.append(Vol(kind, rng.choices([c["code"] for c in here], weights=[c["households"] + 1 for c in here])[0]))
    for kind in ("medic", "rescuer", "therapist", "social"):
        vols += [Vol(kind, c) for c in rng.choices(codes, weights=weights, k=counts[kind])]
    for vol in vols:
        spec = KINDS[vol.kind]
        vol.gender = "M" if rng.random() < (0.6 if vol.kind in ("rescuer", "lawyer") else 0.4) else "F"
        vol.name = names.person_name(rng, vol.gender)
        vol.skills = sorted(spec.skills)
        vol.radius = spec.radius_km
        age = rng.randint(*spec.ages)
        if vol.kind == "general" and age < 40 and rng.random() < 0.6:
            vol.youth, vol.radius = True, 15  # 青年志愿者: also in the centre's youth team, serve district-wide
        vol.birth = people.REFERENCE_DATE - timedelta(days=age * 365 + rng.randrange(365))
        if spec.certificate:
            valid = None if vol.kind == "teacher" else today + timedelta(days=rng.randrange(60, 1500))
            vol.quals.append({"kind": spec.certificate, "number": f"{rng.randrange(10**11, 10**12)}",
                              "issued_by": spec.issuer, "valid_until": valid})
        if vol.kind == "medic" and rng.random() < 0.4:
            vol.quals.append({"kind": "急救员", "number": f"HJ{rng.randrange(10**8, 10**9)}", "issued_by": "辽阳市红十字会",
                              "valid_until": today + timedelta(days=rng.randrange(60, 1000))})
        vol.slots = _availability(rng, vol.kind)
        micro = rng.choices(world.micro[vol.community], weights=[m["households"] + 1 for m in world.micro[vol.community]])[0]
        vol.region = micro
        vol.lat = micro["center_lat"] + rng.uniform(-0.002, 0.002)
        vol.lng = micro["center_lng"] + rng.uniform(-0.002, 0.002)
    holders = [v for v in vols if v.quals and v.quals[0]["valid_until"] is not None]
    for vol in rng.sample(holders, min(5, len(holders))):  # a few certificates have lapsed
        vol.quals[0]["valid_until"] = today - timedelta(days=rng.randrange(5, 150))
    world.vols = vols


def _plan_teams(world: World, district: dict, streets: list[dict]) -> None:
    """The teams and who is in which: neighbourhood volunteers in their station's team, specialists in their
    institute's and the centre's teams; a team nobody joins is not created."""
    centre = world.centre_code
    teams = world.teams
    for n, (key, (name, caps)) in enumerate(CENTRE_TEAMS.items(), 1):
        teams[f"C-{key}"] = TeamPlan(f"{centre}-{n:02d}", f"{district['name']}{name}", centre, caps, district["code"])
    for street in streets:
        for n, (key, (name, caps)) in enumerate(INSTITUTE_TEAMS.items(), 1):
            teams[f"I-{street['code']}-{key}"] = TeamPlan(f"{street['code']}-{n:02d}", f"{street['name']}{name}",
                                                          street["code"], caps, street["code"])
    counsellor_at = {v.community for v in world.vols if v.kind == "counsellor"}
    for c in world.communities:
        teams[f"S-{c['code']}-敬老"] = TeamPlan(f"{c['code']}-01", f"{c['name']}敬老志愿服务队", c["code"],
                                              ["7003", "7004", "7006"], c["code"])
        if c["code"] in counsellor_at:
            teams[f"S-{c['code']}-心理"] = TeamPlan(f"{c['code']}-02", f"{c['name']}暖心心理服务队", c["code"], ["7001"],
                                                  c["code"])
    for vol in world.vols:
        spec = KINDS[vol.kind]
        keys = []
        if vol.kind in ("general", "social"):
            keys.append(f"S-{vol.community}-敬老")
        if vol.kind == "counsellor":
            keys.append(f"S-{vol.community}-心理")
        if spec.institute_team:
            keys.append(f"I-{vol.community[:9]}-{spec.institute_team}")
        if spec.centre_team:
            keys.append(f"C-{spec.centre_team}")
        if vol.youth:
            keys.append("C-青年")
        for key in keys:
            teams[key].members.append(vol)
            vol.teams.append(teams[key].code)
    for key in [k for k, t in teams.items() if not t.members]:
        del teams[key]


def _capabilities(world: World) -> dict[str, list[str]]:
    """A site's capabilities: what its own teams serve, for a station also its institute's teams."""
    own: dict[str, set[str]] = defaultdict(set)
    for team in world.teams.values():
        own[team.site] |= set(team.capabilities)
    caps = {world.centre_code: set(catalogue.REQUIRED)}
    for c in world.communities:
        street = c["code"][:9]
        caps[c["code"]] = own[c["code"]] | own[street]
        caps[street] = caps.get(street, set()) | caps[c["code"]]
    return {code: sorted(v) for code, v in caps.items()}


def _load_places(world: World) -> tuple[dict, list[dict]]:
    fields = ("id", "code", "name", "center_lat", "center_lng")
    district = Region.objects.filter(level="district").values(*fields).order_by("code").first()
    streets = list(Region.objects.filter(level="street").values(*fields).order_by("code"))
    households = dict(Household.objects.filter(is_active=True).values_list("region__code").annotate(n=Count("id")))
    micro: dict[str, list[dict]] = defaultdict(list)
    for m in Region.objects.filter(level="micro_grid", is_active=True).values(*fields).order_by("code"):
        if m["code"][12] != "9":  # dedicated (industrial) grids have no residents to serve
            m["households"] = households.get(m["code"], 0)
            micro[m["code"][:12]].append(m)
    for c in Region.objects.filter(level="community").values(*fields).order_by("code"):
        if micro.get(c["code"]):
            c["households"] = sum(m["households"] for m in micro[c["code"]])
            world.communities.append(c)
    world.micro = dict(micro)
    world.centre_code = district["code"]
    return district, streets


def build_structure(*, seed: int, scale: float, now: datetime) -> World:
    """Sites, station admins, volunteers, teams and memberships, created as the platform opened (DAYS + 12
    days before `now`) by the `centre` login, accounts by the `security` login."""
    rng = random.Random(f"{seed}:volunteers")
    world = World()
    district, streets = _load_places(world)
    today = timezone.localtime(now).date()
    _plan_volunteers(rng, world, max(150, min(400, round(320 * scale))), today)
    _plan_teams(world, district, streets)
    caps = _capabilities(world)
    centre, security = named_user("centre"), named_user("security")
    with clock.at(now - timedelta(days=DAYS + 12)):  # the platform opened half a year ago
        site = world.sites[district["code"]] = actions.create_site(
            actor=centre, code=district["code"], name=f"{district['name']}新时代文明实践中心", level=SiteLevel.CENTRE,
            region=Region.objects.get(pk=district["id"]), capabilities=caps[district["code"]], capacity=30,
            address=f"辽阳市{district['name']}新时代文明实践中心")
        for street in streets:
            if street["code"] not in caps:
                continue
            world.sites[street["code"]] = actions.create_site(
                actor=centre, code=street["code"], name=f"{street['name']}新时代文明实践所", level=SiteLevel.INSTITUTE,
                region=Region.objects.get(pk=street["id"]), parent=site, capabilities=caps[street["code"]],
                capacity=15, address=f"{street['name']}综合文化站")
        for c in world.communities:
            world.sites[c["code"]] = actions.create_site(
                actor=centre, code=c["code"], name=f"{c['name']}新时代文明实践站", level=SiteLevel.STATION,
                region=Region.objects.get(pk=c["id"]), parent=world.sites[c["code"][:9]], capabilities=caps[c["code"]],
                capacity=rng.randint(6, 12), address=f"{c['name']}党群服务中心")
        _station_admins(rng, world, security)
        _register(rng, world, centre, security)
    return world


def _station_admins(rng, world: World, security: User) -> None:
    """One administrator per station (`st` + the community code); the named `station` login runs the first."""
    first = world.communities[0]["code"]
    for code, site in world.sites.items():
        if site.level != SiteLevel.STATION:
            continue
        if code == first and User.objects.filter(username="station").exists():
            user = named_user("station")  # the named login: its placeholder assignment gets the station
            RoleAssignment.objects.filter(user=user, role=Role.STATION_ADMIN, department__isnull=True,
                                          region__isnull=True).delete()
        else:
            user = accounts.create_user(actor=security, username=f"st{code}", password=None,
                                        display_name=names.person_name(rng, pick(rng, [("F", 0.6), ("M", 0.4)])))
        accounts.assign_role(actor=security, user=user, role=Role.STATION_ADMIN, department=site.department)
        world.station_admin[code] = user


def _id_number(rng: random.Random, vol: Vol, taken: set) -> str:
    area = "211004" if rng.random() < 0.85 else rng.choice(people.OTHER_AREAS)
    while True:
        sequence = 900 + 2 * rng.randrange(50) + (1 if vol.gender == "M" else 0)  # residents use low sequences
        if (area, vol.birth, sequence) not in taken:
            taken.add((area, vol.birth, sequence))
            return idnumber.build(area, vol.birth, sequence)


def _register(rng, world: World, centre: User, security: User) -> None:
    """Create the teams, register the volunteers (team leaders with an account; the `volunteer` login leads
    the first station's 敬老 team) and add the memberships."""
    login = User.objects.filter(username="volunteer").first()
    first_team = next(t for t in world.teams.values() if t.site == world.communities[0]["code"])
    leaders = {id(t.members[0]) for t in world.teams.values()}
    if login is not None:
        first_team.members[0].name = login.display_name or first_team.members[0].name
        first_team.members[0].user = login
    taken: set = set()
    phones: set = set()
    for n, vol in enumerate(world.vols, 1):
        phone = (login.phone if vol.user is login and login.phone else "")
        while not phone or phone in phones:
            phone = "1" + rng.choice("3456789") + f"{rng.randrange(10**9):09d}"
        phones.add(phone)
        if vol.user is None and id(vol) in leaders:
            vol.user = accounts.create_user(actor=security, username=f"zyz{n:04d}", password=None,
                                            display_name=vol.name, phone=phone)
        data = actions.VolunteerInput(
            name=vol.name, id_number=_id_number(rng, vol, taken), phone=phone, region_code=vol.region["code"],
            skills=vol.skills, qualifications=vol.quals,
            availability=[{"weekday": d, "start": s, "end": e} for d, s, e in vol.slots],
            service_radius_km=vol.radius, lat=vol.lat, lng=vol.lng)
        self_service = login is not None and vol.user is login
        vol.pk = actions.register_volunteer(actor=login if self_service else centre, data=data, user=vol.user).pk
    if login is not None:
        RoleAssignment.objects.filter(user=login, role=Role.VOLUNTEER, department__isnull=True,
                                      region__isnull=True).delete()  # replaced by its team's assignment
    regions = {r.code: r for r in Region.objects.filter(code__in={t.region for t in world.teams.values()})}
    volunteers = {v.pk: v for v in Volunteer.objects.filter(pk__in=[v.pk for v in world.vols])}
    for team in world.teams.values():
        row = actions.create_team(actor=centre, code=team.code, name=team.name, site=world.sites[team.site],
                                  capabilities=team.capabilities, service_region=regions[team.region],
                                  capacity=max(2, min(8, len(team.members) // 2 + 1)))
        world.team_rows[team.code] = row
        for i, vol in enumerate(team.members):
            actions.add_member(actor=centre, team=row, volunteer=volunteers[vol.pk], is_leader=i == 0)
        world.leader[team.code] = team.members[0].user
    for user in [*world.station_admin.values(), *world.leader.values()]:
        user.forget_grants()

