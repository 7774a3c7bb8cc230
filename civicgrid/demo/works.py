"""The improvement-works demo (创城项目, seed figures 19 and 20): this year's finished works whose recorded
quantities sum to the article's totals (修补道路 3.4 万余平方米, 花草树木 60 余万株, 停车位 3000 个, 路灯 1600 余盏,
老旧小区供水改造 6 栋 8000 多人, 文化墙 2000 多平方米), plus 四化 and 城乡接合部 works, a few works still planned or
under way, and last year's works (outside this year's figures). Every work is registered, started and
finished through `civicgrid.works.actions` by the `centre` login (the 文明办, which runs 创城) at `clock.at(...)`
moments. Locations are grid centres of the demo district (points; culture walls and 四化 sections as small
polygons). Deterministic for a seed and a build day; does nothing when works exist."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.core import clock
from civicgrid.geo.models import Region
from civicgrid.works import actions
from civicgrid.works.models import Work

# kind, department, name pattern, measure, total this year, number of works
PLAN = (
    ("road_repair", "CGJ", "{road}破损路面修补", "road_repair_m2", Decimal("34580"), 12),
    ("greening", "CGJ", "{road}沿线绿化补植", "plants", Decimal("612400"), 10),
    ("parking", "CGJ", "{estate}停车位施划", "parking_spaces", Decimal("3000"), 8),
    ("street_lights", "CGJ", "{road}路灯安装维修", "street_lights", Decimal("1638"), 9),
)
WATER = ((2, 2860), (2, 2745), (2, 2931))  # (buildings, people) of the three water renovations: 6 栋, 8,536 人
CULTURE_WALLS = (("健康路西侧墙体文化墙", Decimal("960")), ("工大小区外墙文化墙", Decimal("620")),
                 ("泰和园小区外墙文化墙", Decimal("580")))
UPGRADES = (("辽阳线“四化”提升", Decimal("2400")), ("健康路“四化”提升", Decimal("1850")))
FRINGE = (("南环街城乡接合部环境卫生整治", Decimal("48000")), ("文四路城乡接合部环境卫生整治", Decimal("36500")))
ROADS = ["新华路", "光华路", "长征路", "工农路", "曙光路", "庆阳路", "南环路", "繁荣路", "振兴路", "石化路", "富强街",
         "胜利街", "育才街", "民主街", "兴隆街", "文圣路"]
ESTATES = ["萃萃湖社区", "德兴小区", "锦绣花园", "幸福家园", "团结小区", "兴华苑", "友谊新城", "泰和园"]


def _split(total: Decimal, parts: int, rng: random.Random, whole: bool) -> list[Decimal]:
    """`parts` positive amounts summing exactly to `total`, uneven like real works."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    amounts = [(total * Decimal(w / sum(weights))).quantize(Decimal("1") if whole else Decimal("0.1"))
               for w in weights]
    amounts[-1] = total - sum(amounts[:-1])
    return amounts


def _square(lng: float, lat: float, size: float) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def build(*, seed: int, say: Callable[[str], None]) -> None:
    if Work.objects.exists():
        say("创城项目已存在,跳过")
        return
    office = User.objects.get(username="centre")
    rng = random.Random(seed + 1920)
    today = timezone.localdate()
    year_start = date(today.year, 1, 1)
    span = max((today - year_start).days, 1)
    grids = list(Region.objects.filter(level="grid", is_active=True, center_lng__isnull=False)
                 .order_by("code").values_list("center_lng", "center_lat"))
    rng.shuffle(grids)
    spots = iter(grids * 3)

    def finished_day(i: int, n: int) -> date:
        return year_start + timedelta(days=min(span - 1, int(span * (i + rng.uniform(0.2, 0.9)) / n)))

    def register(kind, department, name, quantities, finish_on: date | None, *, polygon=False, started=True):
        lng, lat = next(spots)
        geometry = _square(lng - 0.0002, lat - 0.0002, 0.0004) if polygon else {"type": "Point", "coordinates": [lng, lat]}
        start = (finish_on or today) - timedelta(days=rng.randint(20, 75))
        start = max(start, (finish_on or today) - timedelta(days=75))
        budget = Decimal(rng.randint(8, 400) * 10000)
        with clock.at(_moment(start - timedelta(days=7))):
            work = actions.create_work(actor=office, data=actions.WorkInput(
                name=name, kind=kind, department_code=department, geometry=geometry, start_date=start,
                end_date=(finish_on or today) + timedelta(days=rng.randint(0, 20)), budget=budget,
                quantities=quantities, description=""))
        if started and start <= today:
            with clock.at(_moment(start)):
                actions.transition_work(actor=office, work_id=work.pk, action="start")
        if finish_on is not None:
            with clock.at(_moment(finish_on, 16)):
                actions.transition_work(actor=office, work_id=work.pk, action="finish", on=finish_on)
        return work

    with transaction.atomic():
        count = 0
        for kind, department, pattern, measure, total, n in PLAN:
            whole = measure != "road_repair_m2"
            for i, amount in enumerate(_split(total, n, rng, whole)):
                name = pattern.format(road=ROADS[(i * 3 + n) % len(ROADS)], estate=ESTATES[i % len(ESTATES)])
                register(kind, department, name, {measure: amount}, finished_day(i, n))
                count += 1
        for i, (buildings, people) in enumerate(WATER):
            register("water", "ZJJ", f"老旧小区供水改造({ESTATES[i]})",
                     {"water_buildings": buildings, "water_people": people}, finished_day(i, len(WATER)))
        for i, (name, m2) in enumerate(CULTURE_WALLS):
            register("culture_wall", "WLJ", name, {"culture_wall_m2": m2}, finished_day(i, len(CULTURE_WALLS)),
                     polygon=True)
        for i, (name, metres) in enumerate(UPGRADES):
            register("street_upgrade", "CGJ", name, {"upgraded_length_m": metres}, finished_day(i, len(UPGRADES)),
                     polygon=True)
        for i, (name, m2) in enumerate(FRINGE):
            register("fringe_sanitation", "CGJ", name, {"sanitation_area_m2": m2}, finished_day(i, len(FRINGE)),
                     polygon=True)
        count += len(WATER) + len(CULTURE_WALLS) + len(UPGRADES) + len(FRINGE)
        # under way and planned: registered, not counted
        register("road_repair", "CGJ", "太子河路破损路面修补(二期)", {"road_repair_m2": Decimal("2300")}, None)
        register("culture_wall", "WLJ", "育才街文化墙", {"culture_wall_m2": Decimal("300")}, None, polygon=True,
                 started=False)
        # last year's: finished then, outside this year's figures
        last = date(today.year - 1, 10, 15)
        register("road_repair", "CGJ", "北环路破损路面修补", {"road_repair_m2": Decimal("5100")}, last)
        register("street_lights", "CGJ", "高新大街路灯维修", {"street_lights": 240}, last)
        count += 4
    say(f"创城项目:{count} 个(今年完工 {count - 4} 个)")
