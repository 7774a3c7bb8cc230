"""Door-to-door campaigns for the demo district, written through the real campaign actions at
`clock.at(...)`, over the first community (the `community` login's, worked by its micro-grid workers
including `microworker`, and its grid workers including `gridworker`):

* 疫情防控入户统计 — the article's epidemic count (members at home, tested yes/no, ID verified): run for a
  week about two and a half months ago, answered for about 97% of the households, then closed.
* 燃气安全入户排查 — a gas-safety check that started six days ago and runs for another eight: each grid is at
  its own stage (15–80% of households done), and a few households carry a conflict (a grid worker's
  stale edit of a micro-grid worker's answer), so the progress page shows both values.

Answers use each household's real member count. Deterministic for a seed and a build day. Running it
again adds nothing (the campaigns are found by title in that community).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core import clock
from civicgrid.geo.choices import RegionLevel
from civicgrid.geo.models import Region
from civicgrid.gridops.campaigns import actions, examples
from civicgrid.gridops.campaigns.choices import CampaignKind
from civicgrid.gridops.campaigns.models import Campaign
from civicgrid.people.models import Household, Resident

EPIDEMIC_TITLE = "疫情防控入户统计"
GAS_TITLE = "燃气安全入户排查"
EPIDEMIC_SHARE = 0.97
CONFLICTS = 3


def _pick(rng: random.Random, weighted: list[tuple]):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _moment(rng: random.Random, day: date, tz) -> datetime:
    minute = rng.randrange(8 * 60 + 30, 19 * 60 + 30)
    return datetime.combine(day, dtime(minute // 60, minute % 60), tz)


def _epidemic_answers(rng: random.Random, members: int) -> dict:
    present = members if rng.random() < 0.6 else rng.randint(0, members)
    tested = present > 0 and rng.random() < 0.9
    answers = {"members_present": present, "test_done": "yes" if tested else "no",
               "id_verified": "yes" if rng.random() < 0.94 else "no"}
    if not tested:
        answers["not_tested_reason"] = "away" if present == 0 else _pick(
            rng, [("away", 5), ("sick", 2), ("refused", 1), ("other", 2)])
    return answers


def _gas_answers(rng: random.Random, members: int, day: date) -> dict:
    fuel = _pick(rng, [("pipeline", 72), ("bottle", 18), ("none", 10)])
    answers = {"fuel": fuel, "occupants": members, "checked_on": day.isoformat()}
    if fuel != "none":
        answers["alarm"] = "yes" if rng.random() < 0.3 else "no"
        odds = {"hose": 0.18, "valve": 0.05, "ventilation": 0.1, "storage": 0.12 if fuel == "bottle" else 0.0}
        hazards = [h for h, p in odds.items() if rng.random() < p]
        if hazards:
            answers["hazards"] = hazards
    return answers


class _Place:
    """The first community: its households (with member counts), admin and workers."""

    def __init__(self):
        self.community = Region.objects.filter(level=RegionLevel.COMMUNITY, is_active=True).order_by("code").first()
        code = self.community.code if self.community else "-"
        assignments = (RoleAssignment.objects.filter(is_active=True, user__is_active=True, region__code__startswith=code)
                       .select_related("user", "region").order_by("user__username"))
        self.admin = next((a.user for a in assignments if a.role == "community_admin" and a.region.code == code), None)
        self.micro = {a.region_id: a.user for a in assignments if a.role == "micro_grid_worker"}
        self.grid = {a.region.code: a.user for a in assignments if a.role == "grid_worker"}
        self.households = list(Household.objects.filter(is_active=True, region__code__startswith=code)
                               .select_related("region").order_by("region__code", "number"))
        self.members = dict(Resident.objects.filter(household__in=self.households, is_active=True)
                            .values_list("household").annotate(n=Count("id")).order_by())

    def worker(self, household: Household):
        return self.micro.get(household.region_id) or self.grid.get(household.region.code[:15])

    def size(self, household: Household) -> int:
        return max(1, self.members.get(household.pk, 1))


def _submit(campaign, household, worker, answers, moment, key, counts, base_version=0) -> None:
    with clock.at(moment + timedelta(minutes=2)):  # synced shortly after, as phones do
        result = actions.submit_answer(actor=worker, campaign=campaign, household=household, answers=answers,
                                       base_version=base_version, answered_at=moment, idempotency_key=key)
    counts[f"revisions_{result.revision.outcome}"] += 1


def _epidemic(rng, place: _Place, today: date, tz, counts: Counter) -> None:
    start = today - timedelta(days=75)
    end = start + timedelta(days=6)
    with clock.at(datetime.combine(start - timedelta(days=1), dtime(9, 30), tz)):
        campaign = actions.create_campaign(
            actor=place.admin, title=EPIDEMIC_TITLE, kind=CampaignKind.CENSUS, targets=[place.community],
            start_date=start, end_date=end, form=examples.EPIDEMIC,
            description="按区疫情防控指挥部要求,逐户统计在家人数、核酸检测和身份证件核验情况,做到不漏一户。")
        actions.publish_campaign(actor=place.admin, campaign=campaign)
    visits = []
    for household in place.households:
        worker = place.worker(household)
        if worker is None or rng.random() >= EPIDEMIC_SHARE:
            continue
        day = start + timedelta(days=min(6, int(rng.expovariate(0.6))))
        visits.append((_moment(rng, day, tz), household, worker, _epidemic_answers(rng, place.size(household))))
    for moment, household, worker, answers in sorted(visits, key=lambda v: (v[0], v[1].pk)):
        _submit(campaign, household, worker, answers, moment, f"demo-{campaign.pk}-{household.pk}", counts)
    with clock.at(datetime.combine(end + timedelta(days=1), dtime(10), tz)):
        actions.close_campaign(actor=place.admin, campaign=campaign)
    counts["epidemic_answers"] = len(visits)
    counts["epidemic_households"] = len(place.households)


def _gas(rng, place: _Place, today: date, tz, counts: Counter) -> None:
    start = today - timedelta(days=6)
    with clock.at(datetime.combine(start - timedelta(days=1), dtime(15), tz)):
        campaign = actions.create_campaign(
            actor=place.admin, title=GAS_TITLE, kind=CampaignKind.SCREENING, targets=[place.community],
            start_date=start, end_date=today + timedelta(days=8), form=examples.GAS_SAFETY,
            description="入冬前燃气安全专项排查:用气方式、报警器、软管阀门等隐患,发现隐患拍照并督促整改。")
        actions.publish_campaign(actor=place.admin, campaign=campaign)
    stage = {}  # each grid's share of households done so far
    visits = []
    for household in place.households:
        grid = household.region.code[:15]
        share = stage.setdefault(grid, rng.uniform(0.15, 0.8))
        worker = place.worker(household)
        if worker is None or rng.random() >= share:
            continue
        day = start + timedelta(days=rng.randrange(0, 6))  # up to yesterday
        visits.append((_moment(rng, day, tz), household, worker, _gas_answers(rng, place.size(household), day)))
    visits.sort(key=lambda v: (v[0], v[1].pk))
    for moment, household, worker, answers in visits:
        _submit(campaign, household, worker, answers, moment, f"demo-{campaign.pk}-{household.pk}", counts)
    # a grid worker who had the list open before the micro-grid worker's visit edits a few of the same
    # households from an older version: later device time wins, earlier is kept; both values are recorded
    for i, (moment, household, worker, answers) in enumerate(visits[:: max(1, len(visits) // CONFLICTS)][:CONFLICTS]):
        grid_worker = place.grid.get(household.region.code[:15])
        if grid_worker is None or grid_worker == worker:
            continue
        other = {**answers, "occupants": answers["occupants"] + 1}
        later = moment + timedelta(minutes=40) if i % 2 == 0 else moment - timedelta(minutes=30)
        _submit(campaign, household, grid_worker, other, later, f"demo-{campaign.pk}-{household.pk}-grid", counts)
        counts["gas_conflicts"] += 1
    counts["gas_answers"] = len(visits)


def build(*, seed: int, say=print, today: date | None = None) -> dict:
    """Both demo campaigns over the first community; returns counts (empty when there is nothing to do)."""
    started = time.monotonic()
    place = _Place()
    if place.community is None or place.admin is None:
        say("专项排查:没有社区或社区管理员,跳过")
        return {}
    if Campaign.objects.filter(targets=place.community, title__in=[EPIDEMIC_TITLE, GAS_TITLE]).exists():
        say("专项排查:示例任务已存在,跳过")
        return {}
    rng = random.Random(f"{seed}:campaigns")
    today = today or timezone.localdate(clock.now())
    tz = timezone.get_current_timezone()
    counts: Counter = Counter()
    say(f"专项排查:{place.community.name} {len(place.households)} 户……")
    with transaction.atomic():
        _epidemic(rng, place, today, tz, counts)
        _gas(rng, place, today, tz, counts)
    counts["campaigns"] = 2
    counts["seconds"] = round(time.monotonic() - started, 1)
    say(f"专项排查:疫情统计 {counts['epidemic_answers']} 户,燃气排查 {counts['gas_answers']} 户,"
        f"冲突 {counts['gas_conflicts']} 户")
    return dict(counts)
