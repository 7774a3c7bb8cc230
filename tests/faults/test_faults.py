"""Fault tests on real processes (scripts/layout.py: nginx → 2 gunicorn instances → PostgreSQL, the task
worker and the scheduler), loopback only, bounded in time. Sixteen clients post cases with idempotency
keys and retry each key until it is acknowledged, while a fault hits the layout. Afterwards: every
acknowledged case is present exactly once, no retry made a duplicate, every event chain verifies and
the rollups equal a recomputation. Marked `faults` (and slow): `pytest -m faults tests/faults`.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from layout import PY, Layout  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.faults]
PASSWORD = "Fault#Pass2026"
CATEGORIES = ["0102", "0501", "0601", "3001", "4001"]


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, capture_output=True)


def _manage(env, *args) -> str:
    return subprocess.run([PY, "-m", "civicgrid", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=True).stdout


def _snippet(env, code: str) -> str:
    full = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='civicgrid.settings'; django.setup()\n" + code
    return subprocess.run([PY, "-c", full], cwd=ROOT, env=env, check=True, text=True, capture_output=True).stdout


@pytest.fixture(scope="module")
def district():
    try:
        _psql("SELECT 1")
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1")
    name = f"civicgrid_faults_{os.getpid()}"
    _psql(f"CREATE DATABASE {name}")
    env = {**os.environ, "CIVICGRID_VAR_DIR": tempfile.mkdtemp(prefix="cg-faults-"), "CIVICGRID_LOG_LEVEL": "ERROR",
           "CIVICGRID_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
           "CIVICGRID_DEMO_PASSWORD": PASSWORD}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _manage(env, "migrate", "-v", "0")
    _manage(env, "build_demo", "--scale", "0.001", "--cases", "0", "--volunteer-orders", "0", "--no-field-work",
            "--password", PASSWORD)
    _manage(env, "sync_categories")
    env["points"] = _snippet(env, "import json; from civicgrid.geo.models import Region\nprint(json.dumps(list("
                             "Region.objects.filter(level='micro_grid').values_list('center_lat', 'center_lng')[:500])))")
    yield env
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Clients:
    """16 threads, each posting new cases and retrying every key (same body, same key) until a 2xx."""

    def __init__(self, port: int, token: str, points: list, n: int = 16):
        self.port, self.token, self.points, self.n = port, token, points, n
        self.acknowledged: dict[str, str] = {}  # idempotency key -> case number
        self.retries = 0
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(n)]

    def _post(self, conn, body: bytes, key: str):
        conn.request("POST", "/api/v1/cases", body, {"Authorization": f"Bearer {self.token}",
                                                     "Content-Type": "application/json", "Idempotency-Key": key})
        response = conn.getresponse()
        return response.status, response.read()

    def _run(self, i: int) -> None:
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stopping.is_set():
            key = f"fault-{i}-{uuid.uuid4().hex}"
            lat, lng = rng.choice(self.points)
            body = json.dumps({"description": "故障测试:井盖丢失", "category": rng.choice(CATEGORIES),
                               "channel": "hotline", "reporter_name": "来电市民", "lat": lat, "lng": lng}).encode()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # the key is retried to the end, even after stopping
                try:
                    status, payload = self._post(conn, body, key)
                except (http.client.HTTPException, OSError):
                    status, payload = 0, b""
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if 200 <= status < 300:
                    with self.lock:
                        self.acknowledged[key] = json.loads(payload)["number"]
                    break
                if 400 <= status < 500 and status != 409:
                    raise AssertionError(f"client error {status}: {payload[:300]!r}")
                with self.lock:
                    self.retries += 1
                time.sleep(0.2)
            else:
                raise AssertionError(f"key {key} never acknowledged")

    def __enter__(self) -> Clients:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(180)


def _token(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/auth/token", json.dumps({"username": "dispatcher", "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


CHECK = """
import json
from collections import Counter
from civicgrid.cases.models import Case
from civicgrid.cases.chain import verify_case
from civicgrid.core.models import IdempotencyKey
keys = dict(IdempotencyKey.objects.filter(key__startswith="fault-").values_list("key", "object_id"))
numbers = dict(Case.objects.values_list("pk", "number"))
per_key = Counter(keys.values())
print(json.dumps({"cases": Case.objects.filter(description="故障测试:井盖丢失").count(),
                  "keys": {k: numbers.get(int(v)) for k, v in keys.items()},
                  "shared": sum(1 for n in per_key.values() if n > 1),
                  "broken_chains": sum(1 for c in Case.objects.iterator() if verify_case(c) is not None)}))
"""


def _verify(env, clients: Clients) -> dict:
    found = json.loads(_snippet(env, CHECK))
    _manage(env, "rebuild_kpi_rollups", "--check")  # exits non-zero when the rollups differ from a recount
    acked = clients.acknowledged
    present = sum(1 for key, number in acked.items() if found["keys"].get(key) == number)
    counts = {"acknowledged": len(acked), "present": present, "lost": len(acked) - present,
              "duplicates": found["cases"] - len(found["keys"]), "retries": clients.retries,
              "broken_chains": found["broken_chains"]}
    print("fault counts:", json.dumps(counts))
    return counts


def _assert_clean(counts: dict) -> None:
    assert counts["acknowledged"] > 0
    assert counts["lost"] == 0 and counts["duplicates"] == 0 and counts["broken_chains"] == 0, counts


def test_kill_a_worker_and_a_whole_instance_mid_run(district):
    with Layout(district, workers=2) as layout:
        clients = Clients(layout.port, _token(layout.port), json.loads(district["points"]))
        with clients:
            time.sleep(4)
            layout.kill_one_worker(0)
            time.sleep(3)
            layout.kill_instance(1)
            time.sleep(4)
            layout.start_instance(1)  # the bad deploy rolled back
            time.sleep(3)
        _assert_clean(_verify(district, clients))
