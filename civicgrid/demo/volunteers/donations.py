"""Donations received at stations and handed to low-income households (seed figure 4)."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from civicgrid.core import clock
from civicgrid.demo import names
from civicgrid.demo.volunteers.structure import World, local_time, office_hours
from civicgrid.people.models import Household
from civicgrid.volunteers import actions
from civicgrid.volunteers.choices import DonationKind

LOW_INCOME_TARGET = (52_000, 59_000)  # seed figure 4: 5万余元 to low-income households
ROUNDS = [  # donation rounds: (days ago, kind, what, distribution range in yuan)
    (160, DonationKind.MONEY, "爱心慰问金", (300, 800)), (118, DonationKind.GOODS, "米、面、油爱心礼包", (200, 400)),
    (72, DonationKind.GOODS, "冬衣、棉被", (300, 600)), (25, DonationKind.MONEY, "助学助困金", (400, 1000)),
]


def low_income_households() -> dict[int, str]:
    """Households with a member tagged 低保户 (people tag `low_income`): id -> community code."""
    rows = (Household.objects.filter(is_active=True, members__tags__tag__code="low_income")
            .values_list("id", "region__code").distinct())
    return {hid: code[:12] for hid, code in rows}


def _households_in_need(exclude: set[int]) -> dict[str, list[int]]:
    """Other households in need (独居老人, 残疾人), by community: where goods collected on orders go."""
    rows = (Household.objects.filter(is_active=True, members__tags__tag__code__in=["elderly_alone", "disabled"])
            .values_list("id", "region__code").distinct().order_by("id"))
    out = defaultdict(list)
    for hid, code in rows:
        if hid not in exclude:
            out[code[:12]].append(hid)
    return out


def _donor(rng, kind: str) -> str:
    word = rng.choice(names.COMMUNITY_WORDS)
    if kind == DonationKind.GOODS:
        return rng.choice([f"{word}超市", f"{word}{rng.choice(names.ENTERPRISE_WORDS)}有限公司"])
    return rng.choice([f"{word}{rng.choice(names.ENTERPRISE_WORDS)}有限公司", f"爱心人士{names.person_name(rng, 'M')}",
                       f"{word}商会"])


def _amounts(rng, drafts: list[int], total: int) -> list[int]:
    """`drafts` scaled to sum exactly to `total`, in tens of yuan."""
    factor = total / sum(drafts)
    out = [max(50, round(a * factor / 10) * 10) for a in drafts]
    out[out.index(max(out))] += total - sum(out)
    return out


def donate(*, seed: int, world: World, now: datetime, goods: list) -> Counter:
    """Four rounds of donations received at stations and handed to low-income households (5万余元 in all),
    and part of the goods collected on 捐赠服务 orders handed to other households in need."""
    rng = random.Random(f"{seed}:donations")
    counts = Counter()
    low_income = {h: c for h, c in low_income_households().items() if c in world.station_admin}
    events: list[tuple[datetime, int, tuple]] = []  # (when, order of drawing, what happens)
    if low_income:
        chosen = sorted(rng.sample(sorted(low_income), min(40, len(low_income))))
        total = rng.randrange(LOW_INCOME_TARGET[0] // 10, LOW_INCOME_TARGET[1] // 10) * 10
        rows = []  # (round, household, draft amount)
        for r, (_, _, _, (lo, hi)) in enumerate(ROUNDS):
            for h in rng.sample(chosen, max(1, round(len(chosen) * rng.uniform(0.6, 1.0)))):
                rows.append((r, h, rng.randrange(lo // 10, hi // 10 + 1) * 10))
        amounts = _amounts(rng, [a for _, _, a in rows], total)
        by_batch = defaultdict(list)
        for (r, h, _), amount in zip(rows, amounts, strict=True):
            by_batch[(r, low_income[h])].append((h, amount))
        for key, ((r, station), handed) in enumerate(sorted(by_batch.items())):
            days_ago, kind, what, _ = ROUNDS[r]
            day = timezone.localtime(now).date() - timedelta(days=days_ago + rng.randint(-4, 4))
            amount = math.ceil(sum(a for _, a in handed) * rng.uniform(1.0, 1.2) / 100) * 100  # some kept in stock
            items = f"{what}{len(handed) * rng.randint(1, 2)}份" if kind == DonationKind.GOODS else ""
            received = local_time(day - timedelta(days=rng.randint(3, 12)), rng.randrange(9 * 60, 17 * 60))
            events.append((received, len(events), ("donation", key, station, kind, amount, items, _donor(rng, kind))))
            for h, a in handed:
                events.append((local_time(day, rng.randrange(9 * 60, 17 * 60)), len(events), ("hand", key, h, a, what)))
    need = _households_in_need(set(low_income_households())) if goods else {}
    for moment, donation in goods:  # goods collected on orders: part goes to households in need nearby
        station = donation.site.code
        when = office_hours(rng, moment + timedelta(days=rng.randint(1, 5)))
        if need.get(station) and when < now and rng.random() < 0.6:
            amount = max(10, round(int(donation.amount) * rng.uniform(0.3, 1.0) / 10) * 10)
            events.append((when, len(events), ("share", donation, rng.choice(need[station]), amount)))
    received: dict[int, object] = {}
    for moment, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        with clock.at(moment):
            if event[0] == "donation":
                _, key, station, kind, amount, items, donor = event
                received[key] = actions.record_donation(actor=world.station_admin[station], site=world.sites[station],
                                                        donor=donor, kind=kind, amount=Decimal(amount), items=items)
                counts["donations"] += 1
            elif event[0] == "hand":
                _, key, household, amount, what = event
                donation = received[key]
                actions.distribute_donation(actor=world.station_admin[donation.site.code], donation_id=donation.pk,
                                            household_id=household, amount=Decimal(amount), items=what)
                counts["distributions"] += 1
                counts["low_income_yuan"] += amount
            else:
                _, donation, household, amount = event
                actions.distribute_donation(actor=world.station_admin[donation.site.code], donation_id=donation.pk,
                                            household_id=household, amount=Decimal(amount), items=donation.items)
                counts["distributions"] += 1
    counts["donations"] += len(goods)
    return counts
