"""Patrol GPS ingestion over real HTTP: a day of patrols for every micro-grid worker of the demo district
(5,684), each through the phone's API calls — start, point batches, end — against gunicorn (2 sync
workers) on a scratch SQLite database.

    .venv/bin/python bench/patrol_ingest.py [--workers 5684] [--batch 100] [--connections 8]

Each worker patrols 60–120 minutes with one point every 30 s (120–240 points, ~1.02 M in all), uploaded in
batches of `--batch` points with an Idempotency-Key each, as the phone does. The day is deliberately
untidy: a third of the workers send their batches last-first, half send each batch's points newest-first,
every fifth re-sends its first batch under a new key (all duplicates), every seventh replays its last
batch under the same key, every fourth has one wild fix (2 km off) and every fifth one poor fix
(accuracy 150 m). wrk (Debian package `wrk`) drives one connection per thread, each thread walking its
share of the workers through start → batches → end (the patrol id comes from the start answer).

Printed: requests/s, points/s (distinct points stored per second of the run), the projected time of a
day's upload for 5,684 workers (target: under one minute), and the same server's ceiling for the trivial
authenticated `GET /api/v1/ping`, which says what the hardware allows for that many requests. Verified afterwards: one ended patrol per
worker, points stored == distinct points sent, and every patrol's distance equals the distance of its
clean points (wild and poor fixes left out) computed here independently, to 1 cm.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
PASSWORD = "Bench#Pass2026"
DAY_WORKERS = 5684
INTERVAL_S = 30
EARTH_RADIUS_M = 6_371_008.8
MODULUS = 2147483647  # Park–Miller: small enough for LuaJIT's doubles to stay exact


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snippet(env, code: str) -> str:
    full = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='civicgrid.settings'; django.setup()\n" + code
    return subprocess.run([PY, "-c", full], cwd=ROOT, env=env, check=True, text=True, capture_output=True).stdout


# ---- the day, generated the same way here and in the Lua script ---------------------------------------------

def n_points(w: int) -> int:
    return 120 + (w * 7919) % 121


def track(w: int, origin: tuple[int, int]) -> list[dict]:
    """Worker w's points: a random walk in 1e-7 degree steps (integers, so Lua and Python agree to the
    digit), plus the planned wild and poor fixes, each flagged."""
    x = w + 1
    lat, lng = origin
    glitch = 7 + w % 50 if w % 4 == 0 else -1
    poor = 11 if w % 5 == 1 else -1
    out = []
    for i in range(n_points(w)):
        x = x * 16807 % MODULUS
        dlat = x % 5001 - 2500
        x = x * 16807 % MODULUS
        dlng = x % 5001 - 2500
        lat, lng = lat + dlat, lng + dlng
        accuracy = 5 + x % 20
        shown_lat = lat + 200000 if i == glitch else lat
        out.append({"i": i, "lat": shown_lat, "lng": lng, "accuracy": 150 if i == poor else accuracy,
                    "clean": i not in (glitch, poor)})
    return out


def haversine(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def expected_distance(points: list[dict]) -> float:
    clean = [(p["lat"] / 1e7, p["lng"] / 1e7) for p in points if p["clean"]]
    return sum(haversine(*a, *b) for a, b in zip(clean, clean[1:], strict=False))


LUA = r"""
local tokens = %(tokens)s
local origins = %(origins)s
local NW, NT, BATCH, INTERVAL = %(workers)d, %(threads)d, %(batch)d, %(interval)d
local WHOLE = %(whole)d  -- 1: each patrol was recorded offline and is sent whole (POST /record)
local EPOCH = %(epoch)d
local DONE = "%(done_dir)s"
local API = "/api/v1/gridops/patrols"
local PAD = string.rep("x", 200000)
local M = 2147483647

local all_threads, made = {}, 0
function setup(thread)
  thread:set("tid", made)
  made = made + 1
  table.insert(all_threads, thread)
end

-- per-thread state; globals, so that done() can read them with thread:get
w, plan, step, patrol, failures, started_ok, finished = 0, nil, 0, nil, 0, 0, false
local function starts(w) return EPOCH + (w %% 600) end
local function iso(t) return os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", t) end
local function coord(v) return string.format("%%d.%%07d", math.floor(v / 1e7), v %% 1e7) end

local function points(w)
  local x, lat, lng = w + 1, origins[w + 1][1], origins[w + 1][2]
  local n = 120 + (w * 7919) %% 121
  local glitch = (w %% 4 == 0) and (7 + w %% 50) or -1
  local poor = (w %% 5 == 1) and 11 or -1
  local out = {}
  for i = 0, n - 1 do
    x = (x * 16807) %% M; local dlat = x %% 5001 - 2500
    x = (x * 16807) %% M; local dlng = x %% 5001 - 2500
    lat = lat + dlat; lng = lng + dlng
    local acc = 5 + x %% 20
    local shown = lat
    if i == glitch then shown = lat + 200000 end
    if i == poor then acc = 150 end
    out[#out + 1] = string.format('{"recorded_at":"%%s","lat":%%s,"lng":%%s,"accuracy":%%d}',
      iso(starts(w) + i * INTERVAL), coord(shown), coord(lng), acc)
  end
  return out, n
end

local function make_plan(w)
  local pts, n = points(w)
  local batches = {}
  for b = 1, n, BATCH do
    local chunk = {}
    for i = b, math.min(n, b + BATCH - 1) do chunk[#chunk + 1] = pts[i] end
    if w %% 2 == 0 then  -- newest first inside the batch
      for i = 1, math.floor(#chunk / 2) do chunk[i], chunk[#chunk - i + 1] = chunk[#chunk - i + 1], chunk[i] end
    end
    batches[#batches + 1] = '{"points":[' .. table.concat(chunk, ",") .. ']}'
  end
  local order = {}
  for b = 1, #batches do order[b] = b end
  if w %% 3 == 0 then for b = 1, #batches do order[b] = #batches - b + 1 end end  -- last batch first
  local p = {}
  for _, b in ipairs(order) do p[#p + 1] = {"/points", batches[b], "w" .. w .. "-b" .. b} end
  if w %% 5 == 0 then p[#p + 1] = {"/points", batches[1], "w" .. w .. "-again"} end  -- re-sent, new key
  if w %% 7 == 0 then p[#p + 1] = {"/points", batches[#batches], "w" .. w .. "-b" .. #batches} end  -- replay
  p[#p + 1] = {"/end", string.format('{"ended_at":"%%s"}', iso(starts(w) + (n - 1) * INTERVAL)), nil}
  return p
end

local function whole_plan(w)
  local pts, n = points(w)
  if w %% 3 == 0 then  -- any order
    for i = 1, math.floor(#pts / 2) do pts[i], pts[#pts - i + 1] = pts[#pts - i + 1], pts[i] end
  end
  local body = string.format('{"started_at":"%%s","ended_at":"%%s","points":[%%s]}', iso(starts(w)),
    iso(starts(w) + (n - 1) * INTERVAL), table.concat(pts, ","))
  local p = {{"/record", body, "whole-" .. w}}
  if w %% 7 == 0 then p[#p + 1] = {"/record", body, "whole-" .. w} end  -- a retry after a lost answer
  return p
end

function init(args)
  w, step, patrol, plan, failures, started_ok, finished = tid, 0, nil, nil, 0, 0, false
end

local function headers(key)
  local h = {["Authorization"] = "Bearer " .. tokens[w + 1], ["Content-Type"] = "application/json"}
  if key then h["Idempotency-Key"] = key end
  return h
end

function request()
  if finished then
    -- gunicorn's sync workers close every connection and wrk reconnects at once: stopping here, with one
    -- last cheap request on that connection, leaves no idle connection blocking a server worker. A stopped
    -- thread never closes that connection, though, and gunicorn (23+) lingers up to 2 s after an answer
    -- for the client to close (RFC 9112 §9.6): that stalled a server worker 2 s per finished thread and
    -- made the p99 of every run about 2 s. The bytes past the request's end make gunicorn stop draining
    -- (at 64 KB) and close at once.
    wrk.thread:stop()
    return wrk.format("GET", "/api/v1/ping", {["Authorization"] = "Bearer " .. tokens[1]}) .. PAD
  end
  if WHOLE == 1 then
    if plan == nil then plan, step = whole_plan(w), 1 end
    local item = plan[step]
    return wrk.format("POST", API .. item[1], headers(item[3]), item[2])
  end
  if patrol == nil then
    return wrk.format("POST", API, headers("start-" .. w), string.format('{"started_at":"%%s"}', iso(starts(w))))
  end
  local item = plan[step]
  return wrk.format("POST", API .. "/" .. patrol .. item[1], headers(item[3]), item[2])
end

local function next_worker()
  w, step, patrol, plan = w + NT, 0, nil, nil
  if w >= NW then
    finished = true
    local f = io.open(DONE .. "/" .. tid, "w"); f:write("done"); f:close()
  end
end

function response(status, headers, body)
  if finished then return end
  if WHOLE == 1 then
    if status == 200 or status == 201 then
      if step == 1 then started_ok = started_ok + 1 end
    else
      failures = failures + 1
    end
    step = step + 1
    if step > #plan then next_worker() end
    return
  end
  if patrol == nil then
    local id = (status == 200 or status == 201) and body:match('"id":%%s*(%%d+)')
    if not id then failures = failures + 1; next_worker(); return end
    started_ok = started_ok + 1
    patrol, plan, step = id, make_plan(w), 1
    return
  end
  if status >= 300 then failures = failures + 1 end
  step = step + 1
  if step > #plan then next_worker() end
end

function done(summary, latency, requests)
  local failed, started = 0, 0
  for _, t in ipairs(all_threads) do failed = failed + t:get("failures"); started = started + t:get("started_ok") end
  io.write(string.format('WRK {"requests": %%d, "failures": %%d, "started": %%d, "socket_errors": %%d, "p50_ms": %%.1f, "p99_ms": %%.1f}\n',
    summary.requests, failed, started, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def lua_list(values) -> str:
    return "{" + ",".join(lua_list(v) if isinstance(v, list | tuple) else json.dumps(v) for v in values) + "}"


SETUP = r"""
import json, secrets
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from civicgrid.accounts.models import ApiToken, RoleAssignment
from civicgrid.accounts.queries import token_hash
from civicgrid.core import confcache
from civicgrid.demo import builder
from civicgrid.geo.models import Region
from civicgrid.gridops.patrols.models import Checkpoint

builder.build(seed=1, scale=0.001, password=%(password)r)
workers = list(RoleAssignment.objects.filter(role="micro_grid_worker", is_active=True)
               .select_related("user", "region").order_by("region__code")[:%(workers)d])
now = timezone.now()
rows, out = [], []
for a in workers:
    raw = "cg_" + secrets.token_urlsafe(24)
    rows.append(ApiToken(user=a.user, key_hash=token_hash(raw), prefix=raw[3:11], name="bench",
                         expires_at=now + timedelta(days=1)))
    out.append({"user_id": a.user_id, "token": raw, "lat": round(a.region.center_lat * 1e7),
                "lng": round(a.region.center_lng * 1e7)})
with transaction.atomic():
    ApiToken.objects.bulk_create(rows, batch_size=2000)
    # two checkpoints per grid (a school gate, a hazard spot) at its centre and its first micro-grid's
    cps = []
    for grid in Region.objects.filter(level="grid").defer("boundary"):
        first = Region.objects.filter(parent=grid).order_by("code").defer("boundary").first()
        cps.append(Checkpoint(region=grid, name=grid.name + "小学", kind="school", lat=grid.center_lat,
                              lng=grid.center_lng, radius_m=50, created_at=now))
        if first is not None:
            cps.append(Checkpoint(region=first, name=first.name + "隐患点", kind="hazard", lat=first.center_lat,
                                  lng=first.center_lng, radius_m=50, created_at=now))
    Checkpoint.objects.bulk_create(cps)
confcache.bump()
print(json.dumps(out))
"""

CHECK = r"""
import json
from django.db.models import Count
from civicgrid.gridops.patrols.models import Patrol, PatrolPoint, CheckpointVisit
rows = {p["worker_id"]: p for p in Patrol.objects.values("worker_id", "status", "point_count", "distance_m", "id")}
counted = dict(PatrolPoint.objects.values_list("patrol_id").annotate(n=Count("id")))
print(json.dumps({"patrols": rows, "counted": {str(k): v for k, v in counted.items()},
                  "points": PatrolPoint.objects.count(), "visits": CheckpointVisit.objects.count()}))
"""


def run(workers: int, batch: int, connections: int, server_workers: int = 2, whole: bool = False) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="cg-patrol-bench-"))
    env = {**os.environ, "CIVICGRID_VAR_DIR": str(tmp), "CIVICGRID_DEMO_PASSWORD": PASSWORD,
           "CIVICGRID_LOG_LEVEL": "ERROR"}
    env.pop("CIVICGRID_DATABASE_URL", None)  # SQLite in the scratch directory
    server = wrk = None
    try:
        t = time.perf_counter()
        subprocess.run([PY, "-m", "civicgrid", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        people = json.loads(snippet(env, SETUP % {"password": PASSWORD, "workers": workers}))
        workers = len(people)
        print(f"   scratch database ready in {time.perf_counter() - t:.0f} s: {workers} micro-grid workers with tokens")
        port = free_port()
        server = subprocess.Popen([GUNICORN, "civicgrid.wsgi:application", "--bind", f"127.0.0.1:{port}",
                                   "--workers", str(server_workers), "--log-level", "warning"], cwd=ROOT, env=env)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        epoch = int(time.time()) - 4 * 3600  # the patrols were walked this morning; now they are uploaded
        done_dir = tmp / "done"
        done_dir.mkdir()
        script = tmp / "day.lua"
        script.write_text(LUA % {
            "tokens": lua_list([p["token"] for p in people]), "origins": lua_list([[p["lat"], p["lng"]] for p in people]),
            "workers": workers, "threads": connections, "batch": batch, "interval": INTERVAL_S, "epoch": epoch,
            "done_dir": str(done_dir), "whole": int(whole)})
        # warm both gunicorn workers (imports, the configuration snapshot) with the first worker's token
        for _ in range(4):
            subprocess.run(["curl", "-s", "-o", "/dev/null", "-H", f"Authorization: Bearer {people[0]['token']}",
                            f"http://127.0.0.1:{port}/api/v1/ping"], check=False)
        ping = subprocess.run(["wrk", "-t1", f"-c{connections}", "-d5s", "-H", f"Authorization: Bearer {people[0]['token']}",
                               f"http://127.0.0.1:{port}/api/v1/ping"], check=True, text=True, capture_output=True).stdout
        ping_rps = float(next(line.split()[1] for line in ping.splitlines() if line.startswith("Requests/sec")))
        started = time.perf_counter()
        wrk = subprocess.Popen(["wrk", f"-t{connections}", f"-c{connections}", "-d3600s", "--timeout", "60s", "-s",
                                str(script), f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True)
        while len(list(done_dir.iterdir())) < connections and wrk.poll() is None:
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        wrk.send_signal(signal.SIGINT)
        out = wrk.communicate(timeout=60)[0]
        wrk = None
        stats = json.loads(next(line[4:] for line in out.splitlines() if line.startswith("WRK ")))
        server.terminate()
        server.wait(timeout=30)
        server = None
        check = json.loads(snippet(env, CHECK))
        return {"workers": workers, "seconds": seconds, "stats": stats, "check": check, "people": people,
                "ping_rps": ping_rps}
    finally:
        if wrk is not None:
            wrk.kill()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def verify(result: dict) -> dict[str, bool]:
    patrols = result["check"]["patrols"]
    counted = result["check"]["counted"]
    sent = wrong_count = wrong_distance = missing = 0
    worst = 0.0
    for w, person in enumerate(result["people"]):
        points = track(w, (person["lat"], person["lng"]))
        sent += len(points)
        row = patrols.get(str(person["user_id"]))
        if row is None or row["status"] != "ended":
            missing += 1
            continue
        if row["point_count"] != len(points) or counted.get(str(row["id"])) != len(points):
            wrong_count += 1
        error = abs(row["distance_m"] - expected_distance(points))
        worst = max(worst, error)
        wrong_distance += error > 0.01
    result["sent"], result["worst_error_m"] = sent, worst
    return {
        "one ended patrol per worker": missing == 0 and len(patrols) == result["workers"],
        "points stored == distinct points sent": result["check"]["points"] == sent and wrong_count == 0,
        "every distance right (wild and poor fixes dropped; to 1 cm)": wrong_distance == 0,
        "no failed request": result["stats"]["failures"] == 0 and result["stats"]["socket_errors"] == 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=DAY_WORKERS, help="workers patrolling (default: all 5,684)")
    parser.add_argument("--batch", type=int, default=100, help="points per upload (default 100)")
    parser.add_argument("--connections", type=int, default=8, help="wrk threads, one connection each (default 8)")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--whole", action="store_true",
                        help="each patrol recorded offline and sent whole in one request (POST /record)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian package wrk)")
    print(f"gunicorn {args.server_workers} sync workers, SQLite; wrk {args.connections} threads × 1 connection; "
          f"{os.cpu_count()} cores shared by server and load generator")
    r = run(args.workers, args.batch, args.connections, args.server_workers, args.whole)
    checks = verify(r)
    s, n, sec = r["stats"], r["sent"], r["seconds"]
    per_worker = sec / r["workers"]
    projected = per_worker * DAY_WORKERS
    mode = "each patrol sent whole (POST /record)" if args.whole else f"live: start, batches of {args.batch}, end"
    print(f"\n== {r['workers']} workers × one day: {n:,} distinct points ({n / r['workers']:.0f} per worker), {mode}")
    print(f"   run             {sec:8.1f} s   {s['requests']:,} requests (start, batches incl. re-sends, end)"
          f"  {s['requests'] / sec:7.1f} req/s   p50 {s['p50_ms']:.0f} ms  p99 {s['p99_ms']:.0f} ms")
    print(f"   ingested        {n / sec:8.0f} points/s   (checkpoint visits recorded: {r['check']['visits']:,})")
    print(f"   projected day   {projected:8.1f} s for {DAY_WORKERS:,} workers  (target < 60 s)")
    floor = s["requests"] / r["ping_rps"] * DAY_WORKERS / r["workers"]
    print(f"   ping ceiling    {r['ping_rps']:8.1f} req/s: the day's requests would take {floor:.1f} s even if each "
          f"cost no more than GET /api/v1/ping  (upload at {s['requests'] / sec / r['ping_rps']:.0%} of the ceiling, "
          f"the day {projected / floor:.1f}× the ping floor: compare machines by this)")
    print(f"   distance error  {r['worst_error_m']:.6f} m at worst")
    for name, ok in checks.items():
        print(f"   {'ok ' if ok else 'FAIL'} {name}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
