"""The volunteer platform's demo (新时代文明实践): the practice structure, generated volunteers, half a year
of resident orders and the donations handed to low-income households, all written through the real
actions (`civicgrid.volunteers.actions`, `civicgrid.accounts.actions`) at `clock.at(...)`.

* Structure (`structure.py`): the district's 文明实践中心, one 实践所 per street, one 实践站 per community; teams at the
  stations (敬老, some 暖心心理), the institutes (法律援助, 助学) and the centre (心理, 法律, 医疗, 红十字应急救援,
  青年志愿服务队), so each of the 8 services can be served from every station; 150–400 volunteers
  (scaling with --scale) with made-up names, valid made-up ID numbers, certificates (a few expired),
  weekly availability and memberships. The `station` and `volunteer` logins are attached here.
* Orders (`orders.py`, seed figure 3): `ORDERS` orders placed over the last six months, replayed in time order through
  place → review → dispatch (top station suggestion; sometimes a decline and a re-dispatch) → accept →
  assign (volunteers from the shortlist) → contact → complete → rate → confirm. Each order is planned
  around a volunteer who can serve it (a team the station can use, certificate valid, available, in
  range, not booked), so every order is matched; the last few may still be in service.
* Activities and certificates (`activities.py`): each community's 敬老 team's weekly visits and monthly
  activities, recorded and confirmed by the station, so the most faithful volunteers reach one star; and
  certificates issued to about a third of those with 20 confirmed hours or more.
* Donations (`donations.py`, seed figure 4): money and goods received at stations in four rounds and distributed to
  low-income (低保户) households so that those distributions sum to 5万余元; goods collected on 捐赠服务
  orders go to other households in need.

Deterministic for a seed and a build day (dates count back from the day the demo is built)."""

from __future__ import annotations

import time as timer
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.core import audit, clock
from civicgrid.demo.volunteers import activities
from civicgrid.demo.volunteers.donations import LOW_INCOME_TARGET, donate, low_income_households
from civicgrid.demo.volunteers.orders import ORDERS, replay_orders
from civicgrid.demo.volunteers.structure import DAYS, build_structure
from civicgrid.volunteers.choices import SiteLevel
from civicgrid.volunteers.models import PracticeSite
from civicgrid.volunteers.queries import stats as stats_queries

__all__ = ["DAYS", "LOW_INCOME_TARGET", "ORDERS", "generate", "low_income_households"]


def generate(*, seed: int, scale: float = 1.0, orders: int = ORDERS, now: datetime | None = None) -> dict:
    """Build the volunteer demo in one transaction into a database without a practice centre (with one,
    nothing is changed and {} is returned). Returns the counts and the seconds it took."""
    if PracticeSite.objects.filter(level=SiteLevel.CENTRE).exists():
        return {}
    started = timer.monotonic()
    now = now or clock.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        world = build_structure(seed=seed, scale=scale, now=now)
        goods = replay_orders(seed=seed, world=world, count=orders, now=now).goods if orders > 0 else []
        counts = Counter(donate(seed=seed, world=world, now=now, goods=goods))
        counts.update(activities.build(seed=seed, world=world, now=now))
        figures = stats_queries.stats(User.objects.get(username="centre"), since=today - timedelta(days=DAYS + 2))
        counts.update(
            sites=len(world.sites), teams=len(world.teams), volunteers=len(world.vols),
            memberships=sum(len(t.members) for t in world.teams.values()),
            expired_certificates=sum(1 for v in world.vols for q in v.quals
                                     if q["valid_until"] and q["valid_until"] < today),
            orders=figures["orders"], matched=figures["matched"], completed=figures["completed"])
        result = {**counts, "hours": str(figures["hours"]), "by_status": figures["by_status"]}
        audit.record(actor=None, action="demo.volunteers", object_type="volunteers.practicesite",
                     object_id=world.centre_code, details=result)
    result["seconds"] = round(timer.monotonic() - started, 1)
    return result
