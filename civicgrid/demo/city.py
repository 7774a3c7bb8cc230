"""`build_demo --scale city`: a generated city of many districts for the scale benchmarks (bench/city.py).

Not the demo district: no population, no field work, no case histories. A city root (辽阳市, 2110) over
`districts` districts (211001…), `streets` streets spread over them, two communities per street and three
grids per community; per district its own departments, routing table (each top-level category to one of
its departments) and a local calendar override on some districts; a city leader, a leader and a dispatcher
per district, a handler per department and a grid worker per grid. Cases are bulk-inserted at a fixed
rate (`per_year`, default 11 M a year) ending now, so a city with more cases has more *history*, not more
cases per day: the newest month looks the same at 1 M and at 11 M. Running again with a larger `cases`
adds older history before the oldest case; the newest cases are never touched.

Cases are benchmark history, not worked cases: no events, no audit rows. On PostgreSQL they are written
set-wise, one `INSERT … SELECT FROM generate_series` per million (demo/sql.py; the case table's secondary
indexes dropped and rebuilt around a large load): a million cases in about two minutes with the indexes
and rollups. Elsewhere (SQLite, the tests) `bulk_create` in large batches. Both follow the same rules;
the reporter's phone number is AES-GCM encrypted like any intake's (the SQL path draws from a pool of
PHONES encrypted numbers). The KPI rollups are rebuilt set-based at the end (`cases.sql.rebuild_rollups`).
Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Min

from civicgrid.accounts.models import Department, RoleAssignment, User
from civicgrid.cases import sla
from civicgrid.cases import sql as case_sql
from civicgrid.cases.actions import sync_categories
from civicgrid.cases.choices import Channel, ContactPreference, SlaStatus, Urgency
from civicgrid.cases.models import Case, Category, RoutingRule
from civicgrid.cases.workflows import current_definition, spec_for
from civicgrid.core import audit, clock, confcache, crypto
from civicgrid.core.models import CalendarDay, CalendarSource
from civicgrid.demo import logins
from civicgrid.demo import sql as city_sql
from civicgrid.geo.choices import RegionKind, RegionLevel
from civicgrid.geo.models import Region

CITY_CODE = "2110"
CITY_NAME = "辽阳市"
DISTRICTS = 16
STREETS = 343
CASES = 1_000_000
PER_YEAR = 11_000_000
COMMUNITIES_PER_STREET = 2
GRIDS_PER_COMMUNITY = 3
BATCH = 5000
COMMIT_EVERY = 100_000  # rows per transaction: progress is kept and memory bounded
OPEN_DAYS = 12  # cases younger than this may still be open; older ones are closed
OPEN_SHARE = 0.6  # of those, the share still open
DUE_AFTER = timedelta(days=3)
RESPOND_AFTER = timedelta(hours=1)
CLOSED_AFTER_HOURS = (2, 96)  # closed this many hours after the report (uniform, inclusive)
SATISFACTION = (3, 4, 5, 5)
RESOLVED_SHARE = 0.92
JITTER = 0.006  # degrees: a case lies within ±JITTER/2 of its grid's centre
CHANNELS = (Channel.RESIDENT, Channel.GRID, Channel.HOTLINE, Channel.API)
REPORTER_NAME = "市民"
TITLE_SEP, DETAIL_SEP, END_MARK = ":", ",", "。"
PHONES = 1000  # distinct encrypted phone numbers the SQL generator draws from
SQL_CHUNK = 1_000_000  # rows per statement and transaction of the SQL generator
REINDEX_FROM = 200_000  # adding at least this many: drop the case table's secondary indexes, rebuild after
# per district: (code suffix, name) of the departments its routing table sends cases to
DEPARTMENTS = (("CGJ", "城市管理局"), ("ZJJ", "住房和城乡建设局"), ("SWJ", "水务局"), ("SJJ", "市场监督管理局"),
               ("HBJ", "生态环境分局"))
CASE_TYPES = (("urban_event", 0.7), ("citizen_request", 0.3))
# what residents report, and where: descriptions are built from these (the search benchmark looks for some)
PROBLEMS = ("井盖破损", "路灯不亮", "占道经营", "噪音扰民", "垃圾堆放", "违章搭建", "下水道堵塞", "树木倒伏",
            "道路积水", "共享单车乱停", "楼道堆物", "广告牌松动", "油烟扰民", "外墙脱落", "消防通道堵塞",
            "供暖不热", "水管漏水", "电梯故障", "宠物扰民", "施工扬尘")
PLACES = ("小区门口", "菜市场旁", "学校附近", "公交站台", "十字路口", "楼道内", "停车场", "广场东侧", "河堤步道",
          "商铺门前")
DETAILS = ("已持续多日", "影响居民出行", "存在安全隐患", "夜间尤为严重", "多次反映未解决", "请尽快处理",
           "老人孩子经过不便", "雨天更加明显")
DISTRICT_NAMES = ("白塔区", "文圣区", "宏伟区", "弓长岭区", "太子河区", "辽阳县", "灯塔市", "首山区", "汤河区",
                  "千山区", "东京陵区", "刘二堡区", "小北河区", "柳壕区", "唐马寨区", "黄泥洼区")
# districts that keep a local day off (a district's own calendar override), by index
LOCAL_HOLIDAYS = {1: "地方节日", 6: "灯塔庙会"}
PASSWORD_ALGORITHM = "pbkdf2_sha256"


@dataclass
class Plan:
    districts: int = DISTRICTS
    streets: int = STREETS
    cases: int = CASES
    per_year: int = PER_YEAR
    seed: int = 20240701


def _square(lng: float, lat: float, width: float, height: float) -> dict:
    ring = [[lng, lat], [lng + width, lat], [lng + width, lat + height], [lng, lat + height], [lng, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def city_exists() -> bool:
    return Region.objects.filter(code=CITY_CODE).exists()


def _region(code, name, level, parent_id, lng, lat, width, height, kind=RegionKind.STANDARD) -> Region:
    return Region(code=code, name=name, level=level, kind=kind, parent_id=parent_id,
                  boundary=_square(lng, lat, width, height), center_lng=lng + width / 2, center_lat=lat + height / 2)


def build_tree(plan: Plan) -> dict[str, list[Region]]:
    """The city, its districts on a 4-wide layout, each split into its streets (strips), communities (halves)
    and grids (thirds). Returns the saved regions by level."""
    if Region.objects.exists():
        raise ValueError("城市规模的演示数据须在空库上构建:已有区域,未做任何修改。")
    if not 1 <= plan.districts <= 99 or plan.streets < plan.districts:
        raise ValueError("区县数须在 1–99 之间,且街道数不少于区县数")
    size, lng0, lat0 = 0.2, 122.6, 40.8
    city = _region(CITY_CODE, CITY_NAME, RegionLevel.CITY, None, lng0, lat0, size * 4,
                   size * ((plan.districts + 3) // 4))
    city.save()
    out: dict[str, list[Region]] = {RegionLevel.CITY: [city]}
    districts = [_region(f"{CITY_CODE}{i + 1:02d}", DISTRICT_NAMES[i % len(DISTRICT_NAMES)], RegionLevel.DISTRICT,
                         city.pk, lng0 + (i % 4) * size, lat0 + (i // 4) * size, size, size)
                 for i in range(plan.districts)]
    out[RegionLevel.DISTRICT] = Region.objects.bulk_create(districts)
    streets, per = [], [plan.streets // plan.districts + (i < plan.streets % plan.districts)
                        for i in range(plan.districts)]
    for district, count in zip(out[RegionLevel.DISTRICT], per, strict=True):
        lng, lat = district.boundary["coordinates"][0][0]
        width = size / count
        streets += [_region(f"{district.code}{j + 1:03d}", f"{district.name}第{j + 1}街道", RegionLevel.STREET,
                            district.pk, lng + j * width, lat, width, size) for j in range(count)]
    out[RegionLevel.STREET] = Region.objects.bulk_create(streets, batch_size=BATCH)
    communities = []
    for street in out[RegionLevel.STREET]:
        (lng, lat), (right, _) = street.boundary["coordinates"][0][0], street.boundary["coordinates"][0][1]
        height = size / COMMUNITIES_PER_STREET
        communities += [_region(f"{street.code}{k + 1:03d}", f"{street.name}第{k + 1}社区", RegionLevel.COMMUNITY,
                                street.pk, lng, lat + k * height, right - lng, height)
                        for k in range(COMMUNITIES_PER_STREET)]
    out[RegionLevel.COMMUNITY] = Region.objects.bulk_create(communities, batch_size=BATCH)
    grids = []
    for community in out[RegionLevel.COMMUNITY]:
        ring = community.boundary["coordinates"][0]
        (lng, lat), width, height = ring[0], ring[1][0] - ring[0][0], ring[2][1] - ring[1][1]
        grids += [_region(f"{community.code}{g + 1:03d}", f"{community.name}第{g + 1}网格", RegionLevel.GRID,
                          community.pk, lng + g * width / GRIDS_PER_COMMUNITY, lat, width / GRIDS_PER_COMMUNITY,
                          height, RegionKind.COMPREHENSIVE) for g in range(GRIDS_PER_COMMUNITY)]
    out[RegionLevel.GRID] = Region.objects.bulk_create(grids, batch_size=BATCH)
    return out


def build_departments(districts: list[Region]) -> dict[str, list[Department]]:
    """Each district's own departments, placed in the district: {district code: [department]}."""
    rows = [Department(code=f"{d.code}-{suffix}", name=f"{d.name}{name}", short_name=name, region_id=d.pk)
            for d in districts for suffix, name in DEPARTMENTS]
    made = Department.objects.bulk_create(rows, batch_size=BATCH)
    out: dict[str, list[Department]] = {}
    for department in made:
        out.setdefault(department.code.split("-")[0], []).append(department)
    return out


def build_routing(districts: list[Region], departments: dict[str, list[Department]]) -> dict[tuple[str, str], int]:
    """Each district's routing table: every top-level category to one of its departments.
    Returns {(district code, top category code): department id}."""
    tops = list(Category.objects.filter(parent__isnull=True, is_active=True).order_by("code"))
    rules, table = [], {}
    for district in districts:
        for i, category in enumerate(tops):
            department = departments[district.code][i % len(DEPARTMENTS)]
            rules.append(RoutingRule(region_id=district.pk, category_id=category.pk, department_id=department.pk,
                                     note=f"{district.name}派遣规则"))
            table[(district.code, category.code)] = department.pk
    RoutingRule.objects.bulk_create(rules, batch_size=BATCH)
    return table


def build_calendar(districts: list[Region], today: date) -> int:
    """A local day off in some districts: the Wednesday of next week, overriding the national table."""
    day = today + timedelta(days=7 - today.weekday() + 2)
    rows = [CalendarDay(region_code=districts[i].code, date=day, is_workday=False, name=name,
                        source=CalendarSource.ADMIN) for i, name in LOCAL_HOLIDAYS.items() if i < len(districts)]
    CalendarDay.objects.bulk_create(rows)
    return len(rows)


def build_accounts(tree: dict[str, list[Region]], departments: dict[str, list[Department]], password: str) -> int:
    """A city leader; a leader and a dispatcher per district; a handler per department; a grid worker per
    grid. One password hash for all (hashing each would take longer than the rest of the tree)."""
    hashed = make_password(password)
    city = tree[RegionLevel.CITY][0]
    wanted = [("city_leader", "市领导", "leader", city.pk, None)]
    for district in tree[RegionLevel.DISTRICT]:
        wanted += [(f"leader_{district.code}", f"{district.name}领导", "leader", district.pk, None),
                   (f"dispatch_{district.code}", f"{district.name}调度员", "dispatcher", district.pk, None)]
        wanted += [(f"handler_{d.code}", f"{d.name}承办人", "department_handler", None, d.pk)
                   for d in departments[district.code]]
    wanted += [(f"gw_{grid.code}", f"{grid.name}网格员", "grid_worker", grid.pk, None) for grid in tree[RegionLevel.GRID]]
    users = User.objects.bulk_create([User(username=name, display_name=label, password=hashed)
                                      for name, label, *_ in wanted], batch_size=BATCH)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user_id=user.pk, role=role, region_id=region_id, department_id=department_id)
         for user, (_, _, role, region_id, department_id) in zip(users, wanted, strict=True)], batch_size=BATCH)
    return len(users)


@dataclass
class _CaseKinds:
    """What a generated case of one type needs: its workflow row, leaf categories, open and closed states."""

    definition: object
    categories: list[Category]
    open_states: list[str]
    closed_state: str


def _case_kinds() -> dict[str, _CaseKinds]:
    out = {}
    for case_type, _ in CASE_TYPES:
        definition = current_definition(case_type)
        spec = spec_for(definition)
        open_states = [s.key for s in spec.states if not s.terminal and s.clock and s.key != spec.initial]
        closed = "closed" if "closed" in spec.terminal_states() else spec.terminal_states()[0]
        categories = list(Category.objects.filter(case_type=case_type, parent__isnull=False, is_active=True)
                          .select_related("parent").order_by("code"))
        out[case_type] = _CaseKinds(definition, categories, open_states or [spec.initial], closed)
    return out


def generate_cases(*, target: int, per_year: int, seed: int, say=print) -> int:
    """Bulk-insert cases until the city holds `target`, at `per_year` a year ending now: the first call writes
    the newest, a later one with a larger target adds older history. Returns how many were written.
    On PostgreSQL set-wise in SQL (demo/sql.py, minutes for millions); elsewhere through `bulk_create`."""
    city_q = {"region__code__startswith": CITY_CODE}
    have = Case.objects.filter(**city_q).count()
    if have >= target:
        return 0
    oldest = Case.objects.filter(**city_q).aggregate(first=Min("created_at"))["first"]
    end = oldest or clock.now()
    spacing = timedelta(days=365) / per_year  # the fixed rate: more cases reach further back
    if connection.vendor == "postgresql":
        return _generate_in_sql(have=have, target=target, end=end, spacing=spacing, seed=seed, say=say)
    grids = list(Region.objects.filter(code__startswith=CITY_CODE, level=RegionLevel.GRID)
                 .values_list("pk", "code", "name", "center_lng", "center_lat").order_by("code"))
    routing = {(district, category): department for district, category, department in RoutingRule.objects.filter(
        region__code__startswith=CITY_CODE).values_list("region__code", "category__code", "department_id")}
    kinds = _case_kinds()
    types, weights = [t for t, _ in CASE_TYPES], [w for _, w in CASE_TYPES]
    rng = random.Random(f"{seed}:city-cases:{have}")
    channels = list(CHANNELS)
    now = clock.now()
    started, written = time.monotonic(), 0
    while have + written < target:
        chunk = min(COMMIT_EVERY, target - have - written)
        rows = []
        for i in range(chunk):
            # newest first: case number n (counted back from `end`) sits n spacings before it
            created = end - spacing * (written + i + 1)
            case_type = rng.choices(types, weights)[0]
            kind = kinds[case_type]
            category = rng.choice(kind.categories)
            grid_id, grid_code, grid_name, lng, lat = rng.choice(grids)
            problem, place = rng.choice(PROBLEMS), rng.choice(PLACES)
            is_open = (now - created).days < OPEN_DAYS and rng.random() < OPEN_SHARE
            due = created + DUE_AFTER
            closed = None if is_open else created + timedelta(hours=rng.randint(*CLOSED_AFTER_HOURS))
            # as the daily SLA sweep leaves them: an open case past its deadline is recorded overdue
            recorded = sla.status(now=now, started_at=created, due=due) if is_open else SlaStatus.NORMAL
            rows.append(Case(
                number=f"{created:%Y%m%d}{have + written + i:09d}", case_type=case_type,
                workflow_id=kind.definition.pk, state=rng.choice(kind.open_states) if is_open else kind.closed_state,
                is_open=is_open, category_id=category.pk, title=f"{category.name}{TITLE_SEP}{problem}",
                description=f"{grid_name}{place}{problem}{DETAIL_SEP}{rng.choice(DETAILS)}{END_MARK}", channel=rng.choice(channels),
                region_id=grid_id, lat=round(lat + rng.uniform(-JITTER / 2, JITTER / 2), 6),
                lng=round(lng + rng.uniform(-JITTER / 2, JITTER / 2), 6), address=f"{grid_name}{place}",
                reporter_name=REPORTER_NAME, reporter_phone=f"13{rng.randint(0, 999_999_999):09d}",
                department_id=routing.get((grid_code[:6], category.parent.code)), routing={"source": "city_demo"},
                state_entered_at=created, due_at=due if is_open else None,
                warn_at=sla.warn_at(created, due) if is_open else None, recorded_sla_status=recorded,
                was_overdue=recorded == SlaStatus.OVERDUE or (closed is not None and closed > due),
                responded_at=created + RESPOND_AFTER, responded_in_time=True, closed_at=closed,
                closed_in_time=None if is_open else closed <= due, satisfaction=None if is_open else rng.choice(
                    SATISFACTION), resolved=None if is_open else rng.random() < RESOLVED_SHARE,
                created_at=created,
            ))
        with transaction.atomic():
            Case.objects.bulk_create(rows, batch_size=BATCH)
        written += chunk
        say(f"案件 {have + written}/{target}(用时 {time.monotonic() - started:.0f} 秒)")
    return written


def _sql_params(*, end, spacing: timedelta, now) -> dict:
    """The arrays and constants demo/sql.py draws generated cases from: the city's grids (with their
    district), its leaf categories by case type (with workflow, states and top category), each district's
    routing table, a pool of encrypted phone numbers, and the rules the Python generator follows."""
    grids = list(Region.objects.filter(code__startswith=CITY_CODE, level=RegionLevel.GRID)
                 .values_list("pk", "code", "name", "center_lng", "center_lat").order_by("code"))
    districts = list(Region.objects.filter(code__startswith=CITY_CODE, level=RegionLevel.DISTRICT)
                     .order_by("code").values_list("code", flat=True))
    district_index = {code: i + 1 for i, code in enumerate(districts)}
    tops = list(Category.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True))
    top_index = {code: i + 1 for i, code in enumerate(tops)}
    routing = [0] * (len(districts) * len(tops))
    for district, category, department in RoutingRule.objects.filter(region__code__in=districts).values_list(
            "region__code", "category__code", "department_id"):
        if category in top_index:
            routing[(district_index[district] - 1) * len(tops) + top_index[category] - 1] = department
    kinds = _case_kinds()
    cats: dict[str, list] = {k: [] for k in ("cat_id", "cat_name", "cat_type", "cat_workflow", "cat_closed",
                                             "cat_top", "cat_open_first", "cat_open_count")}
    open_states, type_first, type_count, cuts, cumulative = [], [], [], [], 0.0
    for case_type, weight in CASE_TYPES:
        kind = kinds[case_type]
        first_state = len(open_states) + 1
        open_states += kind.open_states
        type_first.append(len(cats["cat_id"]) + 1)
        type_count.append(len(kind.categories))
        for category in kind.categories:
            for key, value in (("cat_id", category.pk), ("cat_name", category.name), ("cat_type", case_type),
                               ("cat_workflow", kind.definition.pk), ("cat_closed", kind.closed_state),
                               ("cat_top", top_index.get(category.parent.code)), ("cat_open_first", first_state),
                               ("cat_open_count", len(kind.open_states))):
                cats[key].append(value)
        cumulative += weight
        cuts.append(cumulative / sum(w for _, w in CASE_TYPES))
    rng = random.Random(f"{CITY_CODE}:phones")
    microsecond = timedelta(microseconds=1)
    return {
        **cats, "open_states": open_states, "type_first": type_first, "type_count": type_count,
        "type_cuts": cuts[:-1], "grid_id": [g[0] for g in grids], "grid_name": [g[2] for g in grids],
        "grid_lng": [g[3] for g in grids], "grid_lat": [g[4] for g in grids],
        "grid_district": [district_index[g[1][:6]] for g in grids], "tops": len(tops), "routing": routing,
        "problems": list(PROBLEMS), "places": list(PLACES), "details": list(DETAILS),
        "title_sep": TITLE_SEP, "detail_sep": DETAIL_SEP, "end_mark": END_MARK, "channels": [str(c) for c in CHANNELS],
        "urgency": str(Urgency.NORMAL), "contact": str(ContactPreference.ONLINE), "reporter_name": REPORTER_NAME,
        "phones": [crypto.encrypt(f"13{rng.randint(0, 999_999_999):09d}") for _ in range(PHONES)],
        "routing_json": json.dumps({"source": "city_demo"}), "satisfaction": list(SATISFACTION),
        "resolved_share": RESOLVED_SHARE, "open_share": OPEN_SHARE, "open_days": OPEN_DAYS, "jitter": JITTER,
        "closed_min_h": CLOSED_AFTER_HOURS[0], "closed_span_h": CLOSED_AFTER_HOURS[1] - CLOSED_AFTER_HOURS[0] + 1,
        "due_us": DUE_AFTER // microsecond, "respond_us": RESPOND_AFTER // microsecond,
        "warn_us": (sla.warn_at(now, now + DUE_AFTER) - now) // microsecond,
        "normal": str(SlaStatus.NORMAL), "due_soon": str(SlaStatus.DUE_SOON), "overdue": str(SlaStatus.OVERDUE),
        "now": now, "end": end, "spacing_us": spacing // microsecond,
    }


def _generate_in_sql(*, have: int, target: int, end, spacing: timedelta, seed: int, say) -> int:
    """generate_cases on PostgreSQL: chunks of SQL_CHUNK cases, each one INSERT … SELECT (demo/sql.py) in
    its own transaction. Adding REINDEX_FROM cases or more, the case table's secondary indexes are dropped
    first and rebuilt at the end (also when a chunk fails)."""
    params = _sql_params(end=end, spacing=spacing, now=clock.now())
    fast = city_sql.is_superuser()
    started, written = time.monotonic(), 0
    dropped = city_sql.secondary_indexes() if target - have >= REINDEX_FROM else []
    if dropped:
        city_sql.drop_indexes([name for name, _ in dropped])
        say(f"批量写入:暂时删除案件表的 {len(dropped)} 个二级索引,写完后重建")
    try:
        while have + written < target:
            chunk = min(SQL_CHUNK, target - have - written)
            # the case numbered n (counted back from `end`, 0 the newest) sits n + 1 spacings before it
            params.update(first=have + written, offset=written, count=chunk)
            with transaction.atomic():
                written += city_sql.insert_history(params, seed=hash((seed, have + written)) & 0x7FFFFFFF,
                                                   fast=fast)
            say(f"案件 {have + written}/{target}(SQL 批量生成,用时 {time.monotonic() - started:.0f} 秒)")
    finally:
        if dropped:
            rebuilding = time.monotonic()
            city_sql.create_indexes([definition for _, definition in dropped])
            say(f"重建 {len(dropped)} 个索引,用时 {time.monotonic() - rebuilding:.0f} 秒")
    return written


def build(*, plan: Plan, password: str | None = None, say=print) -> dict:
    """The city (on an empty region tree) and its cases; run again with more cases to add older history."""
    started = time.monotonic()
    counts: dict = {}
    if not city_exists():
        password, _ = logins.resolve_password(password)
        sync_categories()
        with transaction.atomic():
            tree = build_tree(plan)
            departments = build_departments(tree[RegionLevel.DISTRICT])
            build_routing(tree[RegionLevel.DISTRICT], departments)
            counts["calendar_overrides"] = build_calendar(tree[RegionLevel.DISTRICT], clock.now().date())
            counts["accounts"] = build_accounts(tree, departments, password)
            counts.update({f"regions_{level}": len(rows) for level, rows in tree.items()})
            from civicgrid.geo.actions import bump_boundary_version

            bump_boundary_version()
            confcache.bump()  # regions, departments, rules and assignments were bulk-created
            audit.record(actor=None, action="demo.build_city", object_type="geo.region", object_id=CITY_CODE,
                         details={"districts": plan.districts, "streets": plan.streets})
        say(f"城市 {CITY_NAME}({CITY_CODE}):区县 {counts['regions_district']} 个,街道 {counts['regions_street']} 个,"
            f"网格 {counts['regions_grid']} 个,账号 {counts['accounts']} 个。")
    counts["cases_added"] = generate_cases(target=plan.cases, per_year=plan.per_year, seed=plan.seed, say=say)
    if counts["cases_added"]:
        counts["rollup_rows"] = case_sql.rebuild_rollups()
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
