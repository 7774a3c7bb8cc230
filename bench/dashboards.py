"""Dashboard query latency against case volume: are the KPI module's reads nearly flat from a district's
year (110 k cases) to Beijing's (11 M)?

    createdb -h 127.0.0.1 -U postgres cg_bench_slakpi
    CIVICGRID_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cg_bench_slakpi \\
        nice -n 10 .venv/bin/python bench/dashboards.py [--sizes 110000,1100000,11000000] [--runs 30]
    dropdb -h 127.0.0.1 -U postgres cg_bench_slakpi

PostgreSQL only. The script migrates the scratch database, creates a district of 279 grids (7 streets ×
6 communities), 20 departments and the shipped categories and workflows, then for each size: empties the
case tables, inserts the cases in bulk with one INSERT … SELECT over generate_series (a year of cases,
created evenly; ≈ 1 % left open for good, 70 % of the last week's still open; deadlines, responses,
ratings and lateness drawn with plausible odds; statuses recorded as by a sweep two minutes ago), builds
both rollup tables with `cases.sql.rebuild_rollups()`, checks them, and times the dashboards.

A dashboard's refresh is the set of KPI-module calls it makes (civicgrid/dashboard/queries.py):
    district / street / department: this month, last month, the same month last year (kpis ×3), the
        12-month trend (breakdown "month"), breakdowns by case type, category, department and — district
        and street — region one level down, and the live open / due-soon / overdue counts (open_counts);
    big screen: open_counts, open_breakdown by street, this month's kpis, the trend and the street ranking.
Each is timed `--runs` times (after one warm-up); p50 / p95 in ms. The target: the district dashboard's
p95 at the largest size at most 2× its p95 at the smallest, and below 300 ms.

Besides time, each refresh's work is counted in database pages (EXPLAIN (ANALYZE, BUFFERS) of its
queries): a figure that does not depend on how busy the machine is.

Verification at each size: the rollup tables equal a fresh rebuild (kpis.stored_rollups before and after
sql.rebuild_rollups, on the month rows) and kpis() equals kpis_from_cases() — the figures recomputed from
every case with the live SLA rule — for the district over the year, a street this month and a department
this month. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
if not os.environ.get("CIVICGRID_DATABASE_URL", "").startswith("postgres"):
    sys.exit("bench/dashboards.py needs CIVICGRID_DATABASE_URL=postgres://…/<a scratch database>")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from civicgrid.accounts.models import Department  # noqa: E402
from civicgrid.cases import kpis, sql  # noqa: E402
from civicgrid.cases.actions import sync_categories  # noqa: E402
from civicgrid.cases.models import Case, Category, MonthlyCaseStat, WorkflowDefinition  # noqa: E402
from civicgrid.cases.workflow import registry  # noqa: E402
from civicgrid.core.scoping import Grant  # noqa: E402
from civicgrid.geo.models import Region  # noqa: E402

DISTRICT = "211004"
STREETS, COMMUNITIES = 7, 6
GRIDS = 279
TYPES = [("urban_event", 0.40), ("citizen_request", 0.35), ("dispute", 0.10), ("safety_hazard", 0.08),
         ("hard_case", 0.02), ("volunteer_order", 0.05)]


def build_world() -> dict:
    """The region tree, departments, categories and workflow definitions (idempotent)."""
    if not Region.objects.filter(code=DISTRICT).exists():
        district = Region.objects.create(code=DISTRICT, name="基准区", level="district")
        grids = []
        n = 0
        for s in range(1, STREETS + 1):
            street = Region.objects.create(code=f"{DISTRICT}{s:03d}", name=f"街道{s}", level="street", parent=district)
            for c in range(1, COMMUNITIES + 1):
                community = Region.objects.create(code=f"{street.code}{c:03d}", name=f"社区{s}-{c}",
                                                  level="community", parent=street)
                for g in range(1, 8):
                    if n >= GRIDS:
                        break
                    grids.append(Region(code=f"{community.code}{g:03d}", name=f"网格{n}", level="grid",
                                        parent=community))
                    n += 1
        Region.objects.bulk_create(grids)
    for i in range(1, 21):
        Department.objects.get_or_create(code=f"BD{i:02d}", defaults={"name": f"部门{i}"})
    sync_categories()
    definitions = {d.key: d for d in WorkflowDefinition.objects.all()}
    world = {"grids": list(Region.objects.filter(level="grid").values_list("id", flat=True)),
             "departments": list(Department.objects.filter(code__startswith="BD").values_list("id", flat=True)),
             "streets": list(Region.objects.filter(level="street").values_list("code", flat=True)),
             "types": {}}
    for key, _ in TYPES:
        spec = registry.SPECS[key]
        pre = kpis.pre_dispatch_states(spec)
        terminals = [s.key for s in spec.states if s.terminal]
        terminal = "closed" if "closed" in terminals else terminals[0]
        open_state = next(s.key for s in spec.states if not s.terminal and s.key not in pre)
        categories = list(Category.objects.filter(case_type=key).values_list("id", flat=True)) or [None]
        world["types"][key] = {"workflow": definitions[key].pk, "closed": terminal, "open": open_state,
                               "categories": categories}
    return world


def _pick(array_sql: str, n: int, r: str) -> str:
    return f"({array_sql})[1 + floor({r} * {n})::int]"


def insert_cases(world: dict, n: int, chunk: int = 1_100_000) -> None:
    """n cases over the year up to now, in chunks of one INSERT … SELECT each."""
    table = Case._meta.db_table
    sweep = "(now() - interval '2 minutes')"
    type_case, cum = [], 0.0
    for key, weight in TYPES:
        cum += weight
        type_case.append(f"WHEN r1 < {cum:.4f} THEN '{key}'")
    type_expr = "CASE " + " ".join(type_case[:-1]) + f" ELSE '{TYPES[-1][0]}' END"

    def per_type(field: str) -> str:
        parts = []
        for key, info in world["types"].items():
            value = info[field]
            parts.append(f"WHEN '{key}' THEN {value if isinstance(value, int) else repr(value)}")
        return f"CASE t.case_type {' '.join(parts)} END"

    def category() -> str:
        parts = []
        for key, info in world["types"].items():
            ids = [c for c in info["categories"] if c is not None]
            value = _pick(f"ARRAY[{','.join(map(str, ids))}]", len(ids), "r2") if ids else "NULL"
            parts.append(f"WHEN '{key}' THEN {value}")
        return f"CASE t.case_type {' '.join(parts)} END"

    def department_slot() -> str:
        """The category's department (categories are routed: each to one of the 20, by its index), so
        type × category × department combinations are as few as a real district's."""
        parts = []
        for k, (key, info) in enumerate(world["types"].items()):
            size = max(1, len([c for c in info["categories"] if c is not None]))
            parts.append(f"WHEN '{key}' THEN (floor(r2 * {size})::int + {3 * k}) %% {len(world['departments'])}")
        return f"CASE t.case_type {' '.join(parts)} END"

    grids = _pick(f"ARRAY[{','.join(map(str, world['grids']))}]", len(world["grids"]), "r3")
    departments = _pick(f"ARRAY[{','.join(map(str, world['departments']))}]", len(world["departments"]), "r4")
    values = {
        "case_type": "t.case_type", "workflow_id": per_type("workflow"), "category_id": category(),
        "region_id": "t.region_id",
        "department_id": (f"CASE WHEN r4 < 0.05 THEN NULL WHEN r4 < 0.10 THEN {departments}"
                          f" ELSE (ARRAY[{','.join(map(str, world['departments']))}])[1 + {department_slot()}] END"),
        "state": f"CASE WHEN t.open THEN {per_type('open')} ELSE {per_type('closed')} END",
        "is_open": "t.open", "title": "'基准案件'", "description": "''", "channel": "'hotline'",
        "urgency": "'normal'", "answers": "'{}'", "address": "''", "reporter_name": "''", "reporter_phone": "''",
        "is_anonymous": "false", "contact_preference": "'none'", "routing": "'{}'",
        "state_entered_at": "t.created_at", "due_at": "t.created_at + interval '5 days'",
        "warn_at": "t.created_at + interval '4 days'",
        "recorded_sla_status": (f"CASE WHEN NOT t.open THEN 'normal' WHEN t.created_at + interval '5 days' < {sweep}"
                                f" THEN 'overdue' WHEN t.created_at + interval '4 days' <= {sweep} THEN 'due_soon'"
                                " ELSE 'normal' END"),
        "was_overdue": (f"CASE WHEN t.open THEN t.created_at + interval '5 days' < {sweep} ELSE r8 >= 0.9 END"),
        "is_supervised": "false", "reminder_count": "0", "return_count": "0",
        "rework_count": "CASE WHEN r11 < 0.05 THEN 1 ELSE 0 END",
        "extension_count": "CASE WHEN r12 < 0.04 THEN 1 ELSE 0 END",
        "responded_at": ("CASE WHEN t.case_type NOT IN ('dispute', 'volunteer_order') AND r9 < 0.95"
                         " THEN t.created_at + interval '1 hour' END"),
        "responded_in_time": ("CASE WHEN t.case_type NOT IN ('dispute', 'volunteer_order') AND r9 < 0.95"
                              " THEN r10 < 0.93 END"),
        "closed_at": "CASE WHEN NOT t.open THEN LEAST(now(), t.created_at + r7 * interval '10 days') END",
        "closed_in_time": "CASE WHEN NOT t.open THEN r8 < 0.9 END",
        "satisfaction": "CASE WHEN NOT t.open AND r13 < 0.8 THEN 3 + floor(r14 * 3)::int END",
        "resolved": "CASE WHEN NOT t.open AND r13 < 0.3 THEN r14 < 0.9 END",
        "risk_level": "''", "complexity": "''", "event_count": "0", "last_event_hash": "''",
        "created_at": "t.created_at", "updated_at": "now()",
    }
    # any other NOT NULL column (added by later work) gets its type's zero
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns"
                       " WHERE table_name = %s", [table])
        for name, data_type, nullable, default in cursor.fetchall():
            if name in values or name == "id" or nullable == "YES" or default is not None:
                continue
            values[name] = {"boolean": "false", "integer": "0", "smallint": "0", "bigint": "0",
                            "jsonb": "'{}'"}.get(data_type, "''")
    columns = ", ".join(connection.ops.quote_name(c) for c in values)
    randoms = ", ".join(f"random() AS r{i}" for i in range(1, 15))
    # bulk load without the secondary indexes, then build them once (much faster than row by row)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
                       " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        statement = (
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(values.values())} FROM ("
            f" SELECT b.*, {type_expr} AS case_type, {grids} AS region_id,"
            f"  now() - interval '1 second' * ((%(n)s - b.i) * (31536000.0 / %(n)s)) AS created_at,"
            f"  (now() - interval '1 second' * ((%(n)s - b.i) * (31536000.0 / %(n)s)) > now() - interval '7 days'"
            f"   AND b.r6 < 0.7) OR b.r6 < 0.01 AS open"
            f" FROM (SELECT i, {randoms} FROM generate_series(%(start)s, %(stop)s) AS i) AS b) AS t")
        with connection.cursor() as cursor:
            cursor.execute(statement, {"n": n, "start": start + 1, "stop": stop})
        print(f"    {stop:>11,} cases", flush=True)
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)


def empty_cases() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Case._meta.db_table} CASCADE")
        cursor.execute(f"TRUNCATE {MonthlyCaseStat._meta.db_table}, cases_dailycasestat")


def dashboard(region: str | None, department: int | None, with_regions: bool, reach: Grant):
    today = timezone.localdate()
    month = today.replace(day=1)
    last = (month - timedelta(days=1)).replace(day=1)
    year_ago = month.replace(year=month.year - 1)
    trend_from = (month - timedelta(days=330)).replace(day=1)
    f = {"region_code": region, "department_id": department, "reach": reach}

    def run():
        for first in (month, last, year_ago):
            kpis.kpis(since=first, until=kpis.month_range(first)[1], **f)
        kpis.breakdown("month", since=trend_from, until=kpis.month_range(month)[1], **f)
        for by in ("case_type", "category", "department") + (("region",) if with_regions else ()):
            kpis.breakdown(by, since=month, until=kpis.month_range(month)[1], **f)
        kpis.open_counts(family="all", **f)
    return run


def big_screen(reach: Grant):
    today = timezone.localdate()
    month = today.replace(day=1)
    trend_from = (month - timedelta(days=330)).replace(day=1)

    def run():
        kpis.open_counts(region_code=DISTRICT, family="all", reach=reach)
        kpis.open_breakdown("region", region_code=DISTRICT, family="all", reach=reach)
        kpis.kpis(region_code=DISTRICT, since=month, until=kpis.month_range(month)[1], reach=reach)
        kpis.breakdown("month", region_code=DISTRICT, since=trend_from, until=kpis.month_range(month)[1], reach=reach)
        kpis.breakdown("region", region_code=DISTRICT, since=month, until=kpis.month_range(month)[1], reach=reach)
    return run


def timed(run, runs: int) -> tuple[float, float]:
    run()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(round(0.95 * len(samples))) - 1)]


def pages(run) -> int:
    """Database pages one refresh touches (EXPLAIN (ANALYZE, BUFFERS) of each of its queries: shared hits
    plus reads) — the work, independent of how busy the machine is."""
    import json

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    total = 0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query["sql"].replace("%", "%%"))
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            top = plan[0]["Plan"]
            total += top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return total


def verify(world: dict) -> list[str]:
    """Rollups == a fresh rebuild; kpis() == kpis_from_cases() for three scopes. Returns the failures."""
    failures = []
    before = kpis.stored_rollups(MonthlyCaseStat)
    sql.rebuild_rollups()
    if kpis.stored_rollups(MonthlyCaseStat) != before:
        failures.append("month rollups differ from a rebuild")
    today = timezone.localdate()
    month = today.replace(day=1)
    checks = [("district, one year", {"region_code": DISTRICT, "since": today - timedelta(days=365), "until": today}),
              ("street, this month", {"region_code": world["streets"][0], "since": month,
                                      "until": kpis.month_range(month)[1]}),
              ("department, this month", {"department_id": world["departments"][0], "since": month,
                                          "until": kpis.month_range(month)[1]})]
    now = timezone.now()
    for label, f in checks:
        if kpis.kpis(now=now, **f) != kpis.kpis_from_cases(now=now, **f):
            failures.append(f"kpis() != kpis_from_cases() for {label}")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="110000,1100000,11000000")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    call_command("migrate", verbosity=0)
    world = build_world()
    reach = Grant(region_codes=(DISTRICT,))
    street = world["streets"][2]
    department = world["departments"][0]
    scenarios = {
        "district": dashboard(DISTRICT, None, True, reach),
        "street": dashboard(street, None, True, reach),
        "department": dashboard(None, department, False, Grant(department_ids=(department,))),
        "big screen": big_screen(reach),
    }
    results: dict[str, dict[int, tuple[float, float]]] = {name: {} for name in scenarios}
    work: dict[str, dict[int, int]] = {name: {} for name in scenarios}
    for n in sizes:
        print(f"== {n:,} cases", flush=True)
        empty_cases()
        t0 = time.perf_counter()
        insert_cases(world, n)
        t1 = time.perf_counter()
        rows = sql.rebuild_rollups()
        t2 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        months = MonthlyCaseStat.objects.count()
        print(f"    built in {t1 - t0:.0f} s; rollups {rows:,} daily + {months:,} month rows in {t2 - t1:.0f} s")
        for name, run in scenarios.items():
            results[name][n] = timed(run, args.runs)
            p50, p95 = results[name][n]
            work[name][n] = pages(run)
            print(f"    {name:<11} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {work[name][n]:>7,} pages", flush=True)
        t3 = time.perf_counter()
        failures = verify(world)
        print(f"    verification ({time.perf_counter() - t3:.0f} s): "
              + ("rollups == rebuild, kpis() == kpis_from_cases() for 3 scopes" if not failures
                 else "FAILED: " + "; ".join(failures)), flush=True)
    small, large = sizes[0], sizes[-1]
    print(f"\np95 ratio {large:,} / {small:,} cases (target ≤ 2×, and < 300 ms):")
    for name in scenarios:
        ratio = results[name][large][1] / results[name][small][1]
        print(f"    {name:<11} {results[name][small][1]:7.1f} -> {results[name][large][1]:7.1f} ms  ×{ratio:.2f}"
              f"   pages {work[name][small]:,} -> {work[name][large]:,}  ×{work[name][large] / max(1, work[name][small]):.2f}")
    print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
