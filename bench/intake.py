"""Case intake throughput over real HTTP: gunicorn (2 sync workers) serving civicgrid on a scratch
database, against the same server's trivial authenticated JSON endpoint (`GET /api/v1/ping`) as the
ceiling.

    .venv/bin/python bench/intake.py [--db sqlite|postgres|both] [--seconds 10] [--clients 8]

Each intake is `POST /api/v1/cases` with a bearer token and a fresh Idempotency-Key: full validation,
locating the point, routing, the duplicate check, the first hash-chained event, the audit record, the
KPI rollup and notifications. Afterwards the run is verified: cases created == 2xx answers, every public
case number distinct, every event chain verifies, rollups equal a full recomputation.
Target: intake >= 15% of the ping ceiling on both databases and >= 575 cases/s. The load generator is wrk
(Debian package `wrk`) when installed, else Python threads (`--client python`), which take CPU from the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
PASSWORD = "Bench#Pass2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False):
    return subprocess.run([PY, "-m", "civicgrid", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=capture)


def prepare(env) -> None:
    manage(env, "migrate", "-v", "0")
    manage(env, "build_demo", "--scale", "0.001", "--cases", "0", "--volunteer-orders", "0", "--no-field-work",
           "--password", PASSWORD, capture=True)
    manage(env, "sync_categories", capture=True)


def snippet(env, code: str) -> str:
    full = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='civicgrid.settings'; django.setup()\n" + code
    return subprocess.run([PY, "-c", full], cwd=ROOT, env=env, check=True, text=True, capture_output=True).stdout


def token(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/auth/token", json.dumps({"username": "dispatcher", "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


def load(port: int, tok: str, seconds: float, clients: int, make_request) -> tuple[int, int, float]:
    ok = fail = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(i):
        nonlocal ok, fail
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        good = bad = 0
        while time.perf_counter() < stop:
            method, path, body, headers = make_request(rng)
            headers = {"Authorization": f"Bearer {tok}", **headers}
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                response.read()
                good, bad = (good + 1, bad) if 200 <= response.status < 300 else (good, bad + 1)
            except (http.client.HTTPException, OSError):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        with lock:
            ok += good
            fail += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok, fail, time.perf_counter() - started


# what every wrk script here shares: a number per thread, a seeded random, and a summary line to parse
WRK_FRAME = r"""
local counter = 0
local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("thread_no", thread_no)
end
function init(args)
  math.randomseed(os.time() * 100 + (thread_no or 0))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "status_errors": %d, "socket_errors": %d, "seconds": %f}\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration / 1e6))
end
"""

WRK_SCRIPT = r"""
local points = %(points)s
local categories = %(categories)s
local descriptions = %(descriptions)s
local token = "%(token)s"
local method = "%(method)s"
function request()
  local headers = {["Authorization"] = "Bearer " .. token}
  if method == "GET" then
    return wrk.format("GET", "/api/v1/ping", headers)
  end
  counter = counter + 1
  local p = points[math.random(#points)]
  local body = string.format(
    '{"description":"%%s","category":"%%s","channel":"hotline","reporter_name":"来电市民","lat":%%.7f,"lng":%%.7f}',
    descriptions[math.random(#descriptions)], categories[math.random(#categories)],
    p[1] + (math.random() - 0.5) * 4e-4, p[2] + (math.random() - 0.5) * 4e-4)
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = string.format("w%%d-%%d-%%d", thread_no or 0, counter, math.random(1, 2000000000))
  return wrk.format("POST", "/api/v1/cases", headers, body)
end
"""


def lua_list(values) -> str:
    return "{" + ", ".join(lua_list(v) if isinstance(v, list | tuple) else json.dumps(v, ensure_ascii=False)
                           for v in values) + "}"


def run_wrk(port: int, seconds: float, clients: int, script: str) -> tuple[int, int, float]:
    """(answers 2xx, failures, seconds) from wrk (one thread) running `script` with WRK_FRAME: a compiled
    load generator that leaves the server the CPU a Python client would take. Requests in flight when wrk
    stops may still complete (at most one per connection); callers allow for that."""
    path = Path(tempfile.mkstemp(suffix=".lua")[1])
    path.write_text(WRK_FRAME + script)  # the frame first: its locals must be in scope in request()
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{round(seconds)}s", "--timeout", "30s", "-s", str(path),
                              f"http://127.0.0.1:{port}"], check=True, text=True, capture_output=True).stdout
    finally:
        path.unlink()
    stats = json.loads(next(line[4:] for line in out.splitlines() if line.startswith("WRK ")))
    return stats["requests"] - stats["status_errors"], stats["status_errors"] + stats["socket_errors"], stats["seconds"]


def wrk_load(port: int, tok: str, seconds: float, clients: int, method: str, points, categories,
             descriptions) -> tuple[int, int, float]:
    """Pings (GET) or intakes (POST) through `run_wrk`."""
    return run_wrk(port, seconds, clients, WRK_SCRIPT % {
        "points": lua_list(points), "categories": lua_list(categories), "descriptions": lua_list(descriptions),
        "token": tok, "method": method})


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far (Linux /proc) by the gunicorn master and its workers, by the PostgreSQL
    server's processes, and by this script's finished children (the load generator)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "database": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                comm, rest = f.read().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        ppid, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if int(pid) == server_pid or ppid == server_pid:
            used["server"] += cpu
        elif comm.endswith("(postgres"):
            used["database"] += cpu
    children = os.times()
    used["load"] = children.children_user + children.children_system
    return used


def per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request for each part, over a measurement."""
    return {k: (after[k] - before[k]) * 1000 / max(requests, 1) for k in before}


DESCRIPTIONS = ["小区门口井盖丢失", "道路有坑", "停水", "楼道堆物", "夜间施工噪声扰民"]
CATEGORIES = ["0102", "0501", "0601", "3001", "3005", "0603", "4001"]


def run(kind: str, seconds: float, clients: int, use_wrk: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-"))
    env = {**os.environ, "CIVICGRID_VAR_DIR": str(tmp), "CIVICGRID_DEMO_PASSWORD": PASSWORD, "CIVICGRID_LOG_LEVEL": "ERROR"}
    dbname = f"civicgrid_bench_{os.getpid()}"
    if kind == "postgres":
        env["CIVICGRID_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{dbname}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {dbname}"], check=True)
    server = None
    try:
        prepare(env)
        points = json.loads(snippet(env, (
            "import json; from civicgrid.geo.models import Region\n"
            "print(json.dumps(list(Region.objects.filter(level='micro_grid').values_list('center_lat', 'center_lng')[:3000])))")))
        categories = CATEGORIES
        port = free_port()
        server = subprocess.Popen([GUNICORN, "civicgrid.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                   "--log-level", "warning"], cwd=ROOT, env=env)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        tok = token(port)

        def ping(rng):
            return "GET", "/api/v1/ping", None, {}

        def intake(rng):
            lat, lng = rng.choice(points)
            body = {"description": rng.choice(DESCRIPTIONS),
                    "category": rng.choice(categories), "channel": "hotline", "reporter_name": "来电市民",
                    "lat": lat + rng.uniform(-2e-4, 2e-4), "lng": lng + rng.uniform(-2e-4, 2e-4)}
            return "POST", "/api/v1/cases", json.dumps(body), {"Content-Type": "application/json",
                                                                "Idempotency-Key": uuid.uuid4().hex}

        load(port, tok, 2, clients, ping)  # warm-up: connections, caches, locator
        load(port, tok, 2, clients, intake)
        before = int(snippet(env, "from civicgrid.cases.models import Case; print(Case.objects.count())"))
        if use_wrk:
            cpu0 = cpu_seconds(server.pid)
            p_ok, p_fail, p_time = wrk_load(port, tok, seconds, clients, "GET", points, categories, DESCRIPTIONS)
            cpu1 = cpu_seconds(server.pid)
            i_ok, i_fail, i_time = wrk_load(port, tok, seconds, clients, "POST", points, categories, DESCRIPTIONS)
            cpu2 = cpu_seconds(server.pid)
            cpu = {"ping_cpu": per_request(cpu0, cpu1, p_ok + p_fail), "intake_cpu": per_request(cpu1, cpu2, i_ok + i_fail)}
        else:
            p_ok, p_fail, p_time = load(port, tok, seconds, clients, ping)
            i_ok, i_fail, i_time = load(port, tok, seconds, clients, intake)
            cpu = {}
        server.terminate()
        server.wait(timeout=30)
        server = None
        check = json.loads(snippet(env, (
            "import json\nfrom civicgrid.cases.models import Case\nfrom civicgrid.cases.chain import verify_case\n"
            "from civicgrid.cases import kpis\n"
            "numbers = list(Case.objects.values_list('number', flat=True))\n"
            "broken = sum(1 for c in Case.objects.all().iterator() if verify_case(c) is not None)\n"
            "print(json.dumps({'cases': len(numbers), 'distinct': len(set(numbers)), 'broken': broken,"
            " 'rollup_diffs': len(kpis.rollup_differences())}))")))
        created = check["cases"] - before
        return {
            **cpu, "db": kind, "ping_rps": p_ok / p_time, "intake_rps": i_ok / i_time, "ping_fail": p_fail,
            "intake_fail": i_fail, "intake_ok": i_ok, "created": created, **check,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if kind == "postgres":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname}"])
        shutil.rmtree(tmp, ignore_errors=True)


def machine_speed() -> float:
    """Seconds for 10 million additions in a Python loop (best of three): the absolute figures scale with
    it, the ratio to the ping ceiling much less."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk (Debian package wrk; the default when installed) or Python threads")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    use_wrk = args.client == "wrk"
    print(f"gunicorn 2 sync workers; {args.clients} connections from "
          f"{'wrk (1 thread)' if use_wrk else 'Python threads'}; {args.seconds:.0f} s per measurement; "
          f"{os.cpu_count()} cores shared by server and load generator; "
          f"machine speed: a 10 M-step Python loop in {machine_speed():.2f} s")
    failed = False
    for kind in kinds:
        r = run(kind, args.seconds, args.clients, use_wrk)
        ratio = r["intake_rps"] / r["ping_rps"] if r["ping_rps"] else 0
        print(f"\n== {kind}")
        print(f"   ping ceiling   {r['ping_rps']:8.1f} req/s   (failures {r['ping_fail']})")
        print(f"   case intake    {r['intake_rps']:8.1f} cases/s (failures {r['intake_fail']})   "
              f"ratio {ratio:6.1%}  (target >= 15%; >= 575 cases/s)")
        for name in ("ping", "intake"):
            if f"{name}_cpu" in r:
                c = r[f"{name}_cpu"]
                total = sum(c.values())
                print(f"   CPU per {name:6}  {total:5.2f} ms: gunicorn {c['server']:.2f}, "
                      + (f"PostgreSQL {c['database']:.2f}, " if kind == "postgres" else "")
                      + f"wrk {c['load']:.2f}  -> at most {os.cpu_count() * 1000 / total:,.0f}/s on "
                      f"{os.cpu_count()} cores")
        # wrk stops with up to one request per connection in flight, which the server may still complete
        slack = args.clients if use_wrk else 0
        print(f"   cases created {r['created']}, 2xx answers {r['intake_ok']}"
              + (f" (up to {slack} requests in flight at the stop may add cases)" if slack else ""))
        checks = {
            "cases created == 2xx answers": 0 <= r["created"] - r["intake_ok"] <= slack,
            "public case numbers distinct": r["distinct"] == r["cases"],
            "every event chain verifies": r["broken"] == 0,
            "rollups equal recomputation": r["rollup_diffs"] == 0,
        }
        for name, ok in checks.items():
            print(f"   {'ok ' if ok else 'FAIL'} {name}")
        failed |= not all(checks.values())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
