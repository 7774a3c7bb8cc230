"""Cases raised in the field — household visits, dispute screening, police referrals, special campaigns,
patrol findings — are triaged like the demo's other cases: each walks its workflow through the real case
actions (file and dispatch to the routed department, sign, handle, verify, close; hazards get a notice;
disputes are screened, assigned and mediated), in time order from the day it was raised, and stops where
the build's "now" is, so the newest are still waiting.

A dispute is screened (排查研判) at its grid's half-monthly screening round (矛盾纠纷排查): one found in a
round is screened in that round, another at the grid's next reported round, or, where the grid reports no
rounds in the demo, at the start of the next half-month.

Run after field work, campaigns and patrols. Cases referred to the police are theirs and left alone.
Deterministic for a seed (and the build day).
"""

from __future__ import annotations

import bisect
import random
import time as timer
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from civicgrid.cases.models import Case
from civicgrid.core import audit, clock
from civicgrid.demo.cases import Actors, Replay, _script, _working_time
from civicgrid.gridops.fieldwork.models import Referral, ScreeningFinding, ScreeningRound
from civicgrid.gridops.fieldwork.periods import half_month

FIELD_CHANNELS = ("grid", "visit", "patrol", "police")
TRIAGED_TYPES = ("urban_event", "citizen_request", "dispute", "safety_hazard", "hard_case")


def waiting_cases():
    """Field-raised cases nobody has acted on: open, with only their intake event, not with the police."""
    with_police = Referral.objects.filter(direction="to_police").values("case_id")
    return (Case.objects.filter(is_open=True, event_count=1, channel__in=FIELD_CHANNELS, case_type__in=TRIAGED_TYPES)
            .exclude(pk__in=with_police))


class Rounds:
    """When each grid reported its screening rounds."""

    def __init__(self):
        self.times: dict[str, list[datetime]] = defaultdict(list)
        for code, at in ScreeningRound.objects.order_by("screened_at").values_list("grid__code", "screened_at"):
            self.times[code].append(at)
        self.found = set(ScreeningFinding.objects.values_list("case_id", flat=True))

    def screening_time(self, rng, case: Case) -> datetime:
        if case.pk in self.found:
            return case.created_at + timedelta(minutes=rng.randint(20, 90))  # in the round that found it
        times = self.times.get(case.region.code[:15], [])
        i = bisect.bisect_right(times, case.created_at)
        if i < len(times):
            return times[i] + timedelta(minutes=rng.randint(5, 60))
        _, end = half_month(timezone.localdate(case.created_at))
        return _working_time(rng, datetime.combine(end + timedelta(days=1), time()))  # the next round


def build(*, seed: int, say=print, now: datetime | None = None) -> dict:
    """Triage every waiting field-raised case; returns the counts."""
    started = timer.monotonic()
    now = now or clock.now()
    rng = random.Random(f"{seed}:triage")
    counts: Counter = Counter()
    with transaction.atomic():
        cases = list(waiting_cases().filter(category__isnull=False).select_related("category", "region").order_by("created_at", "pk"))
        if not cases:
            say("现场上报案件:无待分拨案件")
            return {}
        replay = Replay(rng, Actors(), now)
        rounds = Rounds()
        for case in cases:
            steps = [(*step, None) for step in _script(rng, case.case_type, case.category)]
            if case.case_type == "dispute":
                first = rounds.screening_time(rng, case)
            else:
                first = replay.after(case.created_at, steps[0][3])
            replay.push(first, case.pk, steps)
            counts[f"waiting_{case.case_type}"] += 1
        replay.run()
        counts.update(cases=len(cases), steps=replay.stats["steps"], refused=replay.stats["refused"],
                      photos=replay.stats["photos"])
        counts["still_waiting"] = waiting_cases().count()
        audit.record(actor=None, action="demo.triage", object_type="cases.case", details=dict(sorted(counts.items())))
    say(f"现场上报案件分拨:{len(cases)} 件,流程动作 {counts['steps']} 次,"
        f"尚待处理(时间未到){counts['still_waiting']} 件")
    result = dict(counts)
    result["seconds"] = round(timer.monotonic() - started, 1)
    return result
