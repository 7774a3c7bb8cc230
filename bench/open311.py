"""Open311 over real HTTP: gunicorn (2 sync workers) on a scratch database, against the same server's
`GET /api/v1/ping` as the ceiling, in one run per database.

    .venv/bin/python bench/open311.py [--db sqlite|postgres|both] [--seconds 8] [--clients 8] [--history 10000]
                                      [--client wrk|python]

Measures `GET /open311/v2/services.json` (target >= 50% of the ping), `POST /open311/v2/requests.json`
with an api_key on an empty month (target >= 15% of the ping), then the same POST with `--history`
requests already in the current month (target >= 90% of the empty month: numbering and every check must
not grow with the history). Verifies afterwards: requests created == 2xx answers, public ids distinct.
Load from wrk (Debian package `wrk`, one thread; the default when installed) or from Python threads
(`bench/intake.py`'s client), which take CPU from the server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import intake as base  # noqa: E402  (bench/ is a folder of scripts, not a package)

SERVICES = ["0102", "0104", "0603"]

WRK_SCRIPT = r"""
local points = %(points)s
local services = %(services)s
local token = "%(token)s"
local key = "%(key)s"
local kind = "%(kind)s"
function request()
  if kind == "ping" then
    return wrk.format("GET", "/api/v1/ping", {["Authorization"] = "Bearer " .. token})
  elseif kind == "services" then
    return wrk.format("GET", "/open311/v2/services.json")
  end
  counter = counter + 1
  local p = points[math.random(#points)]
  local body = string.format("api_key=%%s&service_code=%%s&description=%%s&lat=%%.7f&long=%%.7f", key,
    services[math.random(#services)], "%%E8%%B7%%AF%%E8%%BE%%B9%%E6%%9C%%89%%E5%%9E%%83%%E5%%9C%%BE",
    p[1] + (math.random() - 0.5) * 4e-4, p[2] + (math.random() - 0.5) * 4e-4)
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Idempotency-Key"] = string.format("w%%d-%%d-%%d", thread_no or 0, counter, math.random(1, 2000000000))}
  return wrk.format("POST", "/open311/v2/requests.json", headers, body)
end
"""


def wrk_load(port: int, seconds: float, clients: int, values: dict) -> tuple[int, int, float]:
    """(answers 2xx, failures, seconds) from wrk for one kind of request (ping, services or post)."""
    return base.run_wrk(port, seconds, clients, WRK_SCRIPT % values)


def seed_history(env, count: int) -> None:
    """`count` requests in the current month through the one intake, as the Open311 client would make them;
    then the planner statistics a month in service has (PostgreSQL's ANALYZE, which autovacuum would
    otherwise run during the measurement)."""
    base.snippet(env, (
        "import random\n"
        "from civicgrid.accounts.models import User\n"
        "from civicgrid.cases.actions import submit_case\nfrom civicgrid.cases.intake import IntakeInput\n"
        "from civicgrid.geo.models import Region\n"
        "user = User.objects.get(username__startswith='open311-')\n"
        "micro = list(Region.objects.filter(level='micro_grid').values_list('code', flat=True)[:500])\n"
        "rng = random.Random(7)\n"
        f"for i in range({count}):\n"
        "    submit_case(actor=user, data=IntakeInput(description=f'历史第{i}件', channel='open311',\n"
        f"        category_code=rng.choice({SERVICES!r}), region_code=rng.choice(micro)))\n"
        "from civicgrid.demo import sql\nsql.analyze()\n"))  # a month in service has its statistics


def run(kind: str, seconds: float, clients: int, history: int, use_wrk: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="cg-bench-o311-"))
    env = {**os.environ, "CIVICGRID_VAR_DIR": str(tmp), "CIVICGRID_DEMO_PASSWORD": base.PASSWORD,
           "CIVICGRID_LOG_LEVEL": "ERROR"}
    dbname = f"civicgrid_bench_o311_{os.getpid()}"
    if kind == "postgres":
        env["CIVICGRID_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{dbname}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {dbname}"], check=True)
    server = None
    try:
        base.prepare(env)
        key = base.snippet(env, (
            "from civicgrid.accounts.models import User\nfrom civicgrid.open311.actions import issue_key\n"
            "admin = User.objects.filter(assignments__role='system_admin').first()\n"
            "print(issue_key(actor=admin, name='bench', rate_per_minute=6000)[0])")).strip()
        points = json.loads(base.snippet(env, (
            "import json; from civicgrid.geo.models import Region\n"
            "print(json.dumps(list(Region.objects.filter(level='micro_grid').values_list('center_lat', 'center_lng')[:3000])))")))
        port = base.free_port()
        server = subprocess.Popen([base.GUNICORN, "civicgrid.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                   "--workers", "2", "--log-level", "warning"], cwd=base.ROOT, env=env)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        tok = base.token(port)

        def ping(rng):
            return "GET", "/api/v1/ping", None, {}

        def services(rng):
            return "GET", "/open311/v2/services.json", None, {}

        def post(rng):
            lat, lng = rng.choice(points)
            form = {"api_key": key, "service_code": rng.choice(SERVICES), "description": "路边有垃圾",
                    "lat": f"{lat + rng.uniform(-2e-4, 2e-4):.7f}", "long": f"{lng + rng.uniform(-2e-4, 2e-4):.7f}"}
            return "POST", "/open311/v2/requests.json", urlencode(form), {
                "Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": uuid.uuid4().hex}

        def count() -> int:
            return int(base.snippet(env, "from civicgrid.cases.models import Case; "
                                         "print(Case.objects.filter(channel='open311').count())"))

        python_requests = {"ping": ping, "services": services, "post": post}
        lua = {"points": base.lua_list(points), "services": base.lua_list(SERVICES), "token": tok, "key": key}

        def measure(name: str, length: float):
            if use_wrk:
                return wrk_load(port, length, clients, {**lua, "kind": name})
            return base.load(port, tok, length, clients, python_requests[name])

        for name in ("ping", "services", "post"):  # warm-up
            measure(name, 2)
        out = {"db": kind}
        out["ping"] = measure("ping", seconds)
        out["services"] = measure("services", seconds)
        measure("post", 2)  # warm-up right before, as before the full month: both POST figures start alike
        before = count()
        out["post_empty"] = measure("post", seconds)
        time.sleep(0.5)  # wrk stops with requests in flight: let them finish before counting
        out["created_empty"] = count() - before
        seed_history(env, history)
        measure("post", 2)  # warm-up again, as before the empty month (caches, the WAL)
        out["history"] = count()
        before = count()
        out["post_full"] = measure("post", seconds)
        time.sleep(0.5)
        out["created_full"] = count() - before
        server.terminate()
        server.wait(timeout=30)
        server = None
        check = json.loads(base.snippet(env, (
            "import json\nfrom civicgrid.cases.models import Case\n"
            "n = list(Case.objects.filter(channel='open311').values_list('number', flat=True))\n"
            "print(json.dumps({'cases': len(n), 'distinct': len(set(n))}))")))
        return {**out, **check}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if kind == "postgres":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname}"])
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    args = parser.parse_args()
    use_wrk = args.client == "wrk"
    failed = False
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        r = run(kind, args.seconds, args.clients, args.history, use_wrk)
        rps = {name: ok / took for name, (ok, _, took) in
               ((n, r[n]) for n in ("ping", "services", "post_empty", "post_full"))}
        print(f"\n== {kind}  (gunicorn 2 sync workers, {args.clients} {'wrk connections' if use_wrk else 'Python client threads'}, "
              f"{args.seconds:.0f} s each)")
        print(f"   ping ceiling          {rps['ping']:8.1f} req/s")
        print(f"   GET services.json     {rps['services']:8.1f} req/s   {rps['services'] / rps['ping']:6.1%} of ping (target >= 50%)")
        print(f"   POST, empty month     {rps['post_empty']:8.1f} req/s   {rps['post_empty'] / rps['ping']:6.1%} of ping (target >= 15%)")
        print(f"   POST, {r['history']:,} in month {rps['post_full']:8.1f} req/s   "
              f"{rps['post_full'] / rps['post_empty']:6.1%} of the empty month (target >= 90%)")
        checks = {
            # wrk stops with up to one request per connection in flight, which the server still completes
            "requests created == 2xx answers": all(
                0 <= r[f"created_{m}"] - r[f"post_{m}"][0] <= (args.clients if use_wrk else 0) for m in ("empty", "full")),
            "no failed request": r["post_empty"][1] == 0 and r["post_full"][1] == 0 and r["services"][1] == 0,
            "public ids distinct": r["distinct"] == r["cases"],
        }
        for name, ok in checks.items():
            print(f"   {'ok ' if ok else 'FAIL'} {name}")
        failed |= not all(checks.values())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
