"""KPI query latency over the rollups of a million cases.

    CIVICGRID_DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicgrid_bench .venv/bin/python bench/kpis.py
    .venv/bin/python bench/kpis.py [--cases 1000000] [--runs 50] [--keep | --reuse]

PostgreSQL is the target (create the scratch database first: `createdb -h 127.0.0.1 -U postgres
civicgrid_bench`, drop it afterwards). Without CIVICGRID_DATABASE_URL a temporary SQLite file is used.
The script creates only the `cases_dailycasestat` table (dropping an existing one in that scratch
database — never point it at a real one), fills it, and times `civicgrid.cases.kpis.kpis()`.

Data: a year of cases over a district of 279 grids (7 streets, 42 communities), created at a steady
rate (≈ 10 per grid per day), each with a case type and main department drawn from a realistic mix
(≈ 20 type × department combinations, skewed), and counters drawn per case with plausible
probabilities. Cases are aggregated into rollup rows exactly as the actions would: one row per
(day, grid, department, type) that has cases — ≈ 0.5–0.6 M rows for 1 M cases.

Figures: p50 / p95 / max over `--runs` calls of kpis() for the district over the year, a street over
the year, a department over the year, a community over a quarter, and a street × case type.
Target: p95 < 300 ms on PostgreSQL.

Measured (PostgreSQL 15, 2 vCPUs shared with other jobs, 1 M cases -> 630,267 rows, 50 runs):

    district, one year                  p50 153.4 ms  p95 170.4 ms  max 185.3 ms
    street, one year                    p50  63.8 ms  p95  85.6 ms  max 102.1 ms
    department, one year                p50  78.5 ms  p95 101.5 ms  max 112.7 ms
    community, one quarter              p50   9.4 ms  p95  10.9 ms  max  12.9 ms
    street x citizen_request, one year  p50  68.4 ms  p95  84.0 ms  max  86.6 ms
    two streets (a grant), one year     p50 121.3 ms  p95 141.6 ms  max 155.2 ms

A fresh full run on a quieter moment: district p50 107 / p95 121 ms, street 47 / 53 ms, department
57 / 78 ms, community-quarter 9 / 11 ms.

The district query reads every row (parallel seq scan + 17 sums); a month × street rollup on top would
make it constant-time if a district screen needs it much faster.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
if not os.environ.get("CIVICGRID_DATABASE_URL"):
    os.environ["CIVICGRID_DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/civicgrid_kpi_bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from civicgrid.cases import kpis  # noqa: E402
from civicgrid.cases.models import DailyCaseStat  # noqa: E402

DISTRICT = "211004"
START = date(2024, 1, 1)
DAYS = 365
# (case type, department id, weight): who handles what, roughly as in a district platform
MIX = [
    ("urban_event", 1, 30), ("urban_event", 2, 6), ("urban_event", 3, 4), ("urban_event", 4, 3),
    ("urban_event", 0, 2),
    ("citizen_request", 1, 8), ("citizen_request", 5, 7), ("citizen_request", 6, 6), ("citizen_request", 7, 5),
    ("citizen_request", 8, 4), ("citizen_request", 9, 3), ("citizen_request", 10, 2), ("citizen_request", 0, 2),
    ("dispute", 11, 5), ("dispute", 12, 2), ("dispute", 0, 1),
    ("safety_hazard", 13, 4), ("safety_hazard", 14, 2),
    ("hard_case", 15, 1), ("hard_case", 0, 1),
]


def grid_codes() -> list[str]:
    codes = []
    for street in range(1, 8):
        for community in range(1, 7):
            for grid in range(1, 8):
                codes.append(f"{DISTRICT}{street:03d}{community:03d}{grid:03d}")
    return codes[:279]


def one_case(rng: random.Random, case_type: str) -> dict[str, int]:
    dispatched = rng.random() < 0.92
    closed = rng.random() < 0.9
    responded = dispatched and rng.random() < 0.97
    rated = closed and rng.random() < 0.7
    satisfaction = rng.choices((5, 4, 3, 2, 1), (55, 30, 8, 4, 3))[0] if rated else 0
    known = rated and rng.random() < 0.8
    overdue = rng.random() < 0.04
    dispute = case_type == "dispute"
    concluded = dispute and closed
    return {
        "created": 1, "dispatched": dispatched, "response_due": responded or (dispatched and overdue),
        "responded_in_time": responded and rng.random() < 0.97, "closed": closed,
        "closed_in_time": closed and not overdue, "overdue": overdue,
        "reworked": dispatched and rng.random() < 0.02, "extended": dispatched and rng.random() < 0.03,
        "followed_up": closed and rng.random() < 0.85, "rated": rated, "satisfied": satisfaction >= 4,
        "resolution_known": known, "resolved": known and rng.random() < 0.92,
        "handling_seconds": int(rng.expovariate(1 / (60 * 3600))) if closed else 0,
        "dispute_concluded": concluded, "dispute_resolved": concluded and rng.random() < 0.85,
    }


def build_rows(n_cases: int, seed: int = 7) -> list[DailyCaseStat]:
    rng = random.Random(seed)
    grids = grid_codes()
    combos = [(t, d) for t, d, _ in MIX]
    weights = [w for _, _, w in MIX]
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(kpis.COUNTERS, 0))
    grid_weights = [rng.uniform(0.3, 1.7) for _ in grids]  # busier and quieter grids
    days = [START + timedelta(days=i) for i in range(DAYS)]
    batch = 10000
    for done in range(0, n_cases, batch):
        size = min(batch, n_cases - done)
        picks = rng.choices(combos, weights, k=size)
        places = rng.choices(grids, grid_weights, k=size)
        when = rng.choices(days, k=size)
        for (case_type, dept), grid, day in zip(picks, places, when, strict=True):
            row = rows[(day, grid, dept, case_type)]
            for name, value in one_case(rng, case_type).items():
                row[name] += int(value)
    return [DailyCaseStat(day=k[0], region_code=k[1], department_key=k[2], case_type=k[3], **v)
            for k, v in rows.items()]


def load(rows: list[DailyCaseStat]) -> None:
    with connection.schema_editor() as editor:
        if DailyCaseStat._meta.db_table in connection.introspection.table_names():
            editor.delete_model(DailyCaseStat)
        editor.create_model(DailyCaseStat)
    with transaction.atomic():
        DailyCaseStat.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(f"{'VACUUM ' if connection.vendor == 'postgresql' else ''}ANALYZE "
                       f"{DailyCaseStat._meta.db_table}")


def timed(label: str, runs: int, **filters) -> None:
    kpis.kpis(**filters)  # warm up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = kpis.kpis(**filters)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
    print(f"{label:<38} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   max {samples[-1]:7.1f} ms"
          f"   ({result['counts']['created']:,} cases)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the table afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the table a --keep run left (no rebuild)")
    args = parser.parse_args()

    db = connection.settings_dict
    print(f"database: {connection.vendor} {db['NAME']}")
    if args.reuse:
        print(f"reusing {DailyCaseStat.objects.count():,} rollup rows")
    else:
        t0 = time.perf_counter()
        rows = build_rows(args.cases)
        t1 = time.perf_counter()
        load(rows)
        t2 = time.perf_counter()
        print(f"{args.cases:,} cases -> {len(rows):,} rollup rows (generated {t1 - t0:.1f} s, "
              f"loaded {t2 - t1:.1f} s)")

    year = {"since": START, "until": START + timedelta(days=DAYS - 1)}
    quarter = {"since": date(2024, 4, 1), "until": date(2024, 6, 30)}
    street, community = f"{DISTRICT}003", f"{DISTRICT}003002"
    timed("district, one year", args.runs, region_code=DISTRICT, **year)
    timed("street, one year", args.runs, region_code=street, **year)
    timed("department, one year", args.runs, department_id=1, **year)
    timed("community, one quarter", args.runs, region_code=community, **quarter)
    timed("street x citizen_request, one year", args.runs, region_code=street, case_type="citizen_request", **year)
    timed("two streets (a grant), one year", args.runs, region_code=[street, f"{DISTRICT}005"], **year)
    if not args.keep:
        with connection.schema_editor() as editor:
            editor.delete_model(DailyCaseStat)


if __name__ == "__main__":
    main()
