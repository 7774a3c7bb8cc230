"""Scale benchmark: a city of 16 districts / 343 streets, at 1 M and at 11 M cases of history.

    createdb -h 127.0.0.1 -U postgres civicgrid_city
    CIVICGRID_DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicgrid_city .venv/bin/python manage.py migrate
    CIVICGRID_DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicgrid_city .venv/bin/python bench/city.py
    .venv/bin/python bench/city.py [--small 1000000] [--large 11000000] [--runs 30] [--phase both|small|large]

PostgreSQL only (a scratch database: the script builds the generated city in it with `build_demo --scale
city`'s builder, civicgrid/demo/city.py). The history is bulk-generated benchmark data, not worked cases:
one INSERT … SELECT FROM generate_series per million cases (civicgrid/demo/sql.py), no events, the KPI
rollups rebuilt from it set-wise; 1 M cases build in under 2 minutes, growing to 11 M in about 20. Cases arrive at a fixed rate of `--large` a year ending now, so the
small city is the newest stretch of the large one and growing it adds *older* history: the same month, the
same open cases, more years behind them. Phase `small` builds (or keeps) the city at `--small` cases and
measures; phase `large` grows it to `--large` and measures; `both` does one after the other. Each phase's
figures go to `--results` (JSON), so the phases may run at different times; the ratio is printed once both
are there. Nothing is rebuilt that exists: rerunning a phase reuses the city.

Queries, each through the code the pages use, over varying streets, departments and grid workers:

    street worklist      cases.queries.list_cases(dispatcher, worklist="open", region=<street>)[:50]
    department worklist  list_cases(<department handler>, worklist="open")[:50]
    grid worker          list_cases(<grid worker>, worklist="open")[:50]
    search               list_cases(dispatcher, q=<a 4–5 character phrase>)[:50]   (pg_trgm on PostgreSQL)
    search, rare phrase  list_cases(dispatcher, q=<a grid's name and a place>)[:50]: few matches, all history
    district month export cases.export.export_cases_xlsx over list_cases(dispatcher, since=30 days ago)
    KPIs, city           cases.kpis.kpis_for(city leader, this month)
    KPIs, district       kpis_for(district leader, this month)

Before each query the real SLA sweep runs (cases.actions.check_sla, every 5 minutes in service), so the
KPIs' live correction covers the crossings of minutes, not of the time since the build.

Printed: the load average, p50 and p95 per query and size, the pages its reads touch (EXPLAIN BUFFERS: the work, steadier
than milliseconds on a loaded machine), and the large/small p95 ratio against the target (≤ 2×). The
EXPLAIN (ANALYZE, BUFFERS) plan of each query's slowest statement is printed and written next to the
results (`<results>.plans.txt`). Figures measured are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from civicgrid.accounts.models import Department, User  # noqa: E402
from civicgrid.cases import actions as case_actions  # noqa: E402
from civicgrid.cases import export, kpis, queries  # noqa: E402
from civicgrid.cases.models import Case  # noqa: E402
from civicgrid.core import clock  # noqa: E402
from civicgrid.demo import city  # noqa: E402
from civicgrid.demo import sql as city_sql  # noqa: E402
from civicgrid.geo.choices import RegionLevel  # noqa: E402
from civicgrid.geo.models import Region  # noqa: E402

TARGET_RATIO = 2.0
SEARCH_PHRASES = ("下水道堵塞", "消防通道堵塞", "共享单车乱停", "广告牌松动", "施工扬尘")
QUERIES = ("street worklist", "department worklist", "grid worker", "search", "search, rare phrase",
           "district month export", "KPIs, city", "KPIs, district")


HISTORY_NOTE = ("history is bulk-generated benchmark data (civicgrid/demo/sql.py: INSERT … SELECT FROM "
                "generate_series; no workflow, no events), KPI rollups rebuilt from it set-wise")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _users():
    by_name = {u.username: u for u in User.objects.filter(username__regex=r"^(city_leader|leader_|dispatch_)")}
    districts = list(Region.objects.filter(level=RegionLevel.DISTRICT, code__startswith=city.CITY_CODE)
                     .order_by("code").values_list("code", flat=True))
    streets = list(Region.objects.filter(level=RegionLevel.STREET, code__startswith=city.CITY_CODE)
                   .values_list("code", flat=True))
    departments = list(Department.objects.filter(code__startswith=city.CITY_CODE).values_list("code", flat=True))
    handlers = {u.username: u for u in User.objects.filter(username__startswith="handler_2110")}
    grid_workers = list(User.objects.filter(username__startswith="gw_2110").order_by("username"))
    return by_name, districts, streets, departments, handlers, grid_workers


def _cases(qs) -> int:
    return len(list(qs[:50]))


def make_queries(rng: random.Random):
    """{name: a function of nothing that runs the query once, on a new random street/department/worker}."""
    by_name, districts, streets, departments, handlers, grid_workers = _users()
    today = clock.now().date()
    first, last = kpis.month_range(today)

    def dispatcher_of(code):
        return by_name[f"dispatch_{code[:6]}"]

    def street():
        code = rng.choice(streets)
        return _cases(queries.list_cases(dispatcher_of(code), worklist="open", region=code))

    def department():
        return _cases(queries.list_cases(handlers[f"handler_{rng.choice(departments)}"], worklist="open"))

    def grid_worker():
        return _cases(queries.list_cases(rng.choice(grid_workers), worklist="open"))

    def search():
        user = dispatcher_of(rng.choice(districts))
        return _cases(queries.list_cases(user, q=rng.choice(SEARCH_PHRASES)))

    grids = list(Region.objects.filter(level=RegionLevel.GRID, code__startswith=city.CITY_CODE)
                 .values_list("code", "name"))

    def rare_search():
        # one grid's place: about one case in 20,000 of the city (the trigram indexes' case, not a walk)
        code, name = rng.choice(grids)
        return _cases(queries.list_cases(dispatcher_of(code), q=f"{name}{rng.choice(city.PLACES)}"))

    def month_export():
        user = dispatcher_of(rng.choice(districts))
        qs = queries.list_cases(user, since=today - timedelta(days=30), until=today)
        with transaction.atomic():  # the export's audit row is rolled back: the bench leaves no trace
            content = export.export_cases_xlsx(actor=user, qs=qs)
            transaction.set_rollback(True)
        return len(content)

    def kpis_city():
        return kpis.kpis_for(by_name["city_leader"], since=first, until=last)["counts"]["created"]

    def kpis_district():
        return kpis.kpis_for(by_name[f"leader_{rng.choice(districts)}"], since=first, until=last)["counts"]["created"]

    return dict(zip(QUERIES, (street, department, grid_worker, search, rare_search, month_export, kpis_city,
                              kpis_district), strict=True))


def explain(run) -> tuple[str, int]:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements one call of `run` sends, the two slowest by the plan's own
    execution time (statement timings from the call itself are too noisy on a shared machine), and the
    database pages the call's reads touch in all: the work, which does not swing with the machine's load."""
    with CaptureQueriesContext(connection) as captured:
        run()
    # a server-side cursor (an export's iterator) is logged as DECLARE … CURSOR FOR <the select>
    statements = [re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR (WITH HOLD )?FOR ', "", q["sql"].lstrip())
                  for q in captured.captured_queries]
    reads = [sql for sql in statements
             if sql.upper().startswith(("SELECT", "WITH")) and "core_configversion" not in sql
             and not sql.upper().endswith("FOR UPDATE")]
    plans, pages = [], 0
    with connection.cursor() as cursor:
        for sql in reads:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            top = cursor.fetchone()[0][0]
            seconds = top["Execution Time"]
            pages += top["Plan"]["Shared Hit Blocks"] + top["Plan"]["Shared Read Blocks"]
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append((seconds, sql, "\n".join(row[0] for row in cursor.fetchall())))
    plans.sort(key=lambda p: -p[0])
    return f"-- {len(captured.captured_queries)} statements in the call, {pages} pages; the slowest:\n" + "\n".join(
        f"{sql}\n{plan}" for _, sql, plan in plans[:2]), pages


def measure(runs: int, export_runs: int, seed: int, only: tuple[str, ...] = QUERIES) -> tuple[dict, dict]:
    rng = random.Random(seed)
    figures, plans = {}, {}
    for name, run in make_queries(rng).items():
        if name not in only:
            continue
        count = export_runs if name == "district month export" else runs
        # the SLA sweep, as the 5-minute timer runs it in service: the KPIs' live correction reads the open
        # cases whose deadline or warning passed since the last sweep, which would otherwise grow with the
        # time since the city was built (20 minutes for 11 M), not with its size
        swept = case_actions.check_sla()
        print(f"  (SLA sweep before it: {swept['changed']} statuses recorded)", flush=True)
        run()  # warm the process (imports, the configuration snapshot) and the cache
        times = []
        for _ in range(count):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        plans[name], pages = explain(run)
        figures[name] = {"p50": round(statistics.median(times), 1), "p95": round(p95, 1), "runs": count,
                         "pages": pages}
        print(f"  {name:22} p50 {figures[name]['p50']:8.1f} ms  p95 {p95:8.1f} ms  pages {pages:6}  ({count} runs)",
              flush=True)
    return figures, plans


def grow(target: int, per_year: int, args) -> int:
    plan = city.Plan(districts=args.districts, streets=args.streets, cases=target, per_year=per_year, seed=args.seed)
    counts = city.build(plan=plan, say=lambda message: print("  " + message, flush=True))
    city_sql.settle()  # VACUUM ANALYZE: a settled table, and no autovacuum starting in the measurement
    return Case.objects.filter(region__code__startswith=city.CITY_CODE).count() if counts else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--large", type=int, default=11_000_000)
    parser.add_argument("--districts", type=int, default=city.DISTRICTS)
    parser.add_argument("--streets", type=int, default=city.STREETS)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=5)
    parser.add_argument("--phase", choices=("both", "small", "large"), default="both")
    parser.add_argument("--results", default="var/bench_city.json")
    parser.add_argument("--seed", type=int, default=20240701)
    parser.add_argument("--only", default=";".join(QUERIES),
                        help="the query names to measure, separated by ';' (default: all)")
    args = parser.parse_args()
    only = tuple(name.strip() for name in args.only.split(";") if name.strip())
    if unknown := set(only) - set(QUERIES):
        sys.exit(f"unknown queries {sorted(unknown)}: choose from {', '.join(QUERIES)}")
    if connection.vendor != "postgresql":
        sys.exit("bench/city.py needs PostgreSQL: set CIVICGRID_DATABASE_URL to a scratch database")
    results_path = Path(args.results)
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    per_year = args.large  # the large city is a year; the small one its newest stretch
    for phase in (("small", "large") if args.phase == "both" else (args.phase,)):
        target = args.small if phase == "small" else args.large
        have = Case.objects.filter(region__code__startswith=city.CITY_CODE).count()
        if phase == "small" and have > target:
            sys.exit(f"the city already holds {have} cases, more than --small {target}: use a fresh database")
        print(f"{phase}: {target} cases ({args.districts} districts, {args.streets} streets) …", flush=True)
        print(f"  {HISTORY_NOTE}", flush=True)
        started, cpu = time.monotonic(), time.process_time()
        total = grow(target, per_year, args) or have
        built = round(time.monotonic() - started)
        print(f"  city holds {total} cases (built/grown in {built} s, this process's CPU "
              f"{time.process_time() - cpu:.0f} s; load average {_load()})", flush=True)
        load_before = _load()
        figures, plans = measure(args.runs, args.export_runs, args.seed, only)
        load = f"{load_before} before, {_load()} after"
        print(f"  load average (1, 5, 15 min) while measuring: {load}", flush=True)
        results[phase] = {"cases": total, "figures": figures, "built_seconds": built if total != have else None,
                          "load_average": load, "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1))
        with open(f"{results_path}.plans.txt", "a", encoding="utf-8") as out:
            for name, plan in plans.items():
                out.write(f"\n===== {phase} ({total} cases): {name}\n{plan}\n")
        for name, plan in plans.items():
            print(f"\n----- EXPLAIN {phase}: {name}\n{plan}")
    if "small" in results and "large" in results:
        small, large = results["small"], results["large"]
        print(f"\n{HISTORY_NOTE}.\nload average: small {small.get('load_average')}; large {large.get('load_average')}")
        print(f"p95 at {large['cases']} cases / p95 at {small['cases']} cases (target ≤ {TARGET_RATIO}×):")
        for name in QUERIES:
            if name not in small["figures"] or name not in large["figures"]:
                continue
            a, b = small["figures"][name], large["figures"][name]
            ratio = b["p95"] / a["p95"] if a["p95"] else float("inf")
            verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
            work = (f" | pages {a['pages']} → {b['pages']}" if "pages" in a and "pages" in b else "")
            print(f"  {name:22} small p50 {a['p50']:8.1f} p95 {a['p95']:8.1f} | large p50 {b['p50']:8.1f} "
                  f"p95 {b['p95']:8.1f} ms | ×{ratio:.2f} {verdict}{work}")


if __name__ == "__main__":
    main()
