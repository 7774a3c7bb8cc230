"""Dashboard panel: grid workers ranked by patrol compliance over the dashboard's month (每日巡视制度),
from the daily compliance report (`compliance.daily_report`) of each day up to yesterday. A past day's
report of one region is the same for everyone who may see that region, so it is cached for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.cache import cache

from civicgrid.dashboard import periods
from civicgrid.dashboard.registry import Panel, Ranking
from civicgrid.gridops.patrols import compliance

CACHE_SECONDS = 600
SHOWN = 15


@dataclass
class WorkerMonth:
    worker_id: int
    name: str
    region: str
    days: int = 0  # days under the rule
    met: int = 0
    minutes: int = 0
    km: float = 0.0

    @property
    def rate(self) -> float | None:
        return round(100 * self.met / self.days, 1) if self.days else None


def _day_rows(user, day: date, region_code: str) -> list[tuple]:
    key = f"dashboard:patrol-day:{region_code}:{day.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        report = compliance.daily_report(user, day, region_code)
        rows = [(w.worker_id, w.name, w.region.name, w.under_rule, not w.missed, w.duration_s, w.distance_m)
                for w in report.workers]
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def days_of(since: date, until: date, today: date) -> list[date]:
    """The days of [since, until] that are over (before today)."""
    last = min(until, today - timedelta(days=1))
    return [since + timedelta(days=i) for i in range((last - since).days + 1)] if last >= since else []


def month_summary(user, region_code: str, since: date, until: date, today: date) -> list[WorkerMonth]:
    """Every worker under the rule with days judged, days met, minutes and km; best compliance first."""
    workers: dict[int, WorkerMonth] = {}
    for day in days_of(since, until, today):
        for worker_id, name, region, under_rule, met, seconds, metres in _day_rows(user, day, region_code):
            if not under_rule:
                continue
            row = workers.setdefault(worker_id, WorkerMonth(worker_id, name, region))
            row.days += 1
            row.met += 1 if met else 0
            row.minutes += seconds // 60
            row.km = round(row.km + metres / 1000, 2)
    return sorted(workers.values(), key=lambda w: (-(w.rate or 0), -w.minutes, w.name))


def compliance_ranking(scope) -> Ranking | None:
    rows = month_summary(scope.user, scope.region_code, scope.since, scope.until, scope.today)
    if not rows:
        return None
    days = days_of(scope.since, scope.until, scope.today)
    url = "/gridops/patrols/compliance/?" + urlencode({"day": days[-1].isoformat(), "region": scope.region_code})
    met = sum(r.met for r in rows)
    judged = sum(r.days for r in rows)
    shown = rows if len(rows) <= 2 * SHOWN else rows[:SHOWN] + rows[-SHOWN:]
    return Ranking(("网格员", "所在网格", "应巡天数", "达标天数", "达标率%", "巡查分钟", "里程km"),
                   tuple(((r.name, r.region, r.days, r.met, r.rate, r.minutes, r.km), url) for r in shown),
                   note=f"{periods.label(scope.month)} {days[0]:%m-%d}至{days[-1]:%m-%d}:{len(rows)} 名网格员,"
                        f"达标 {met}/{judged} 人天" + (f";列出前 {SHOWN} 名和后 {SHOWN} 名" if shown is not rows else ""))


PANELS = (
    Panel("patrol_compliance", "网格员巡查达标排名", frozenset({"district", "street", "community", "grid"}),
          compliance.PERM, compliance_ranking, order=55, wide=True),
)
