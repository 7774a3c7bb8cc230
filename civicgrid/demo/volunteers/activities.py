"""The stations' own activities and the certificates volunteers asked for, through the real actions:

* Every community's 敬老志愿服务队 visits its elderly each Saturday morning (about four hours) and, once a
  month, joins a Sunday clean-up or publicity stall; its core members (the leader, often with one other)
  come nearly every time, the rest now and then, nobody while booked on an order. The station records and
  thereby confirms the hours (`record_activity_service`), so over half a year the most faithful pass 100
  confirmed hours: one star (★, the ≥100-hour level).
* About a third of the volunteers with 20 or more confirmed hours have asked their station for a
  志愿服务证明 (`issue_certificate`), issued on the day the demo is built (a certificate covers only
  service already done).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Sum
from django.utils import timezone

from civicgrid.core import clock
from civicgrid.demo.volunteers.structure import DAYS, World
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import ServiceRecord

WEEKLY = ("走访慰问独居老人,陪伴聊天、打扫卫生", time(8, 30), time(12, 30))
MONTHLY = [("小区环境整治志愿服务", time(14), time(16, 30)), ("文明实践政策宣传志愿服务", time(9), time(11, 30))]
CORE = (1, 2, 2)  # the leader, often with one other, comes nearly every time
CORE_TURNOUT, OTHER_TURNOUT = 0.93, 0.2
CERTIFICATE_MIN_HOURS = 20
CERTIFICATE_SHARE = 0.35


def _days(today: date, weekday: int) -> list[date]:
    """Every `weekday` (0 Monday) in the last DAYS days, before today."""
    first = today - timedelta(days=DAYS)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    out = []
    while day < today:
        out.append(day)
        day += timedelta(days=7)
    return out


def build(*, seed: int, world: World, now: datetime) -> Counter:
    rng = random.Random(f"{seed}:volunteer-activities")
    today = timezone.localtime(now).date()
    tz = timezone.get_current_timezone()
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for vid, start, end in ServiceRecord.objects.values_list("volunteer_id", "started_at", "ended_at"):
        busy[vid].append((start, end))
    counts: Counter = Counter()
    sessions = [(day, *WEEKLY) for day in _days(today, 5)]
    sessions += [(day, *rng.choice(MONTHLY)) for day in _days(today, 6)[::4]]
    elderly_teams = [t for t in world.teams.values() if t.site in world.station_admin and "7003" in t.capabilities]
    for team in sorted(elderly_teams, key=lambda t: t.code):
        members = [v for v in team.members if v.pk]
        if not members:
            continue
        core = {v.pk for v in members[:rng.choice(CORE)]}
        recorder = world.station_admin[team.site]
        for day, content, begin, finish in sorted(sessions):
            start, end = datetime.combine(day, begin, tz), datetime.combine(day, finish, tz)
            came = [v.pk for v in members if rng.random() < (CORE_TURNOUT if v.pk in core else OTHER_TURNOUT)
                    and not any(s < end and start < e for s, e in busy[v.pk])]
            if not came:
                continue
            with clock.at(min(end + timedelta(hours=rng.uniform(1, 30)), now)):
                actions.record_activity_service(actor=recorder, team_code=team.code, started_at=start, ended_at=end,
                                                content=content, volunteer_ids=came)
            for vid in came:
                busy[vid].append((start, end))
            counts["activities"] += 1
            counts["activity_records"] += len(came)
    counts.update(_certificates(rng, world, now))
    return counts


def _certificates(rng, world: World, now: datetime) -> Counter:
    counts: Counter = Counter()
    hours = dict(ServiceRecord.objects.filter(status=RecordStatus.CONFIRMED).values("volunteer_id")
                 .annotate(h=Sum("hours")).values_list("volunteer_id", "h"))
    station_of = {}
    for team in sorted(world.teams.values(), key=lambda t: t.code):
        if team.site in world.station_admin:
            for v in team.members:
                station_of.setdefault(v.pk, team.site)
    with clock.at(now):
        for vid in sorted(station_of):
            if hours.get(vid, 0) < CERTIFICATE_MIN_HOURS or rng.random() >= CERTIFICATE_SHARE:
                continue
            site = station_of[vid]
            actions.issue_certificate(actor=world.station_admin[site], volunteer_id=vid, site_code=site)
            counts["certificates"] += 1
    counts["one_star_or_more"] = sum(1 for h in hours.values() if h >= 100)
    return counts
