"""Fault tests on real processes (scripts/layout.py: nginx → 2 gunicorn instances → PostgreSQL, the task
worker and the scheduler), loopback only, bounded in time. Sixteen clients post cases with idempotency
keys and retry each key until it is acknowledged, while a fault hits the layout: (a) `kill -9` of a
gunicorn worker and of a whole instance, (b) PostgreSQL restarted (fast, then immediate: a crash), (c)
the task worker killed in the middle of the SLA sweep. Afterwards: every acknowledged case is present
exactly once, no retry made a duplicate, every event chain verifies, the rollups equal a recomputation
and the SLA sweep runs (in (c): each overdue case supervised exactly once).

PostgreSQL is a private cluster of this module (tests/faults/cluster.py), so restarting it disturbs no
other test. Marked `faults` (and slow): `pytest -m faults tests/faults -s` prints the counts.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
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
from layout import PY, Layout, free_port  # noqa: E402

from tests.faults.cluster import Cluster  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.faults]
PASSWORD = "Fault#Pass2026"
CATEGORIES = ["0102", "0501", "0601", "3001", "4001"]


def _psql(port: int, sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-tAqc", sql],
                          check=True, capture_output=True, text=True, timeout=30).stdout.strip()


def _sql(env, sql: str) -> str:
    return _psql(int(env["faults_port"]), sql, env["faults_db"])


def _manage(env, *args) -> str:
    return subprocess.run([PY, "-m", "civicgrid", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=True, timeout=2400).stdout


def _snippet(env, code: str) -> str:
    full = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='civicgrid.settings'; django.setup()\n" + code
    return subprocess.run([PY, "-c", full], cwd=ROOT, env=env, check=True, text=True, capture_output=True,
                          timeout=900).stdout


@pytest.fixture(scope="module")
def scratch(request):
    """One directory for the module's cluster, var dir and layouts (logs included): removed when every test
    passed, kept (and its path printed) when one failed."""
    root = Path(tempfile.mkdtemp(prefix="cg-faults-"))
    root.chmod(0o711)  # the cluster's directory inside belongs to the postgres user
    failed_before = request.session.testsfailed
    yield root
    if request.session.testsfailed > failed_before:
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        message = f"fault tests failed: their logs and data are kept in {root}"
        reporter.write_line(message) if reporter else print(message, file=sys.stderr)
    else:
        shutil.rmtree(root, ignore_errors=True)


def _layout(env, scratch: Path, name: str, **kw) -> Layout:
    workdir = scratch / f"layout-{name}"
    workdir.mkdir()
    return Layout(env, workdir=workdir, **kw)


@pytest.fixture(scope="module")
def cluster(scratch):
    if not Cluster.available():
        pytest.skip("PostgreSQL 15 server binaries are not installed")
    cluster = Cluster(free_port(), scratch / "postgres")
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def district(cluster, scratch):
    name = "civicgrid_faults"
    _psql(cluster.port, f"CREATE DATABASE {name}")
    env = {**os.environ, "CIVICGRID_VAR_DIR": str(scratch / "var"), "CIVICGRID_LOG_LEVEL": "ERROR",
           "CIVICGRID_DATABASE_URL": cluster.url(name), "CIVICGRID_DEMO_PASSWORD": PASSWORD,
           "faults_port": str(cluster.port), "faults_db": name}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _manage(env, "migrate", "-v", "0")
    _manage(env, "build_demo", "--scale", "0.001", "--cases", "0", "--volunteer-orders", "0", "--no-field-work",
            "--password", PASSWORD)
    _manage(env, "sync_categories")
    env["points"] = _snippet(env, "import json; from civicgrid.geo.models import Region\nprint(json.dumps(list("
                             "Region.objects.filter(level='micro_grid').values_list('center_lat', 'center_lng')[:500])))")
    return env  # the cluster fixture removes the database with the cluster


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


def test_kill_a_worker_and_a_whole_instance_mid_run(district, scratch):
    with _layout(district, scratch, "kill", workers=2) as layout:
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


def _sweep(env, layout: Layout, seconds: float = 300, ids: list | None = None) -> dict:
    """Queue the SLA sweep (as the scheduler does every 5 minutes) and wait for the task worker to finish it.
    A task worker that has exited is started again, as systemd does (Restart=always, docs/deployment.md)."""
    task_id = _manage(env, "check_sla", "--enqueue").split()[-1]
    if ids is not None:
        ids.append(task_id)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if layout.task_worker.poll() is not None:
            layout.worker_restarts += 1
            layout.start_task_worker()
        status = _sql(env, f"SELECT status FROM django_tasks_database_dbtaskresult WHERE id = '{task_id}'")
        if status == "SUCCESSFUL":
            return json.loads(_sql(env, f"SELECT return_value FROM django_tasks_database_dbtaskresult WHERE id = '{task_id}'"))
        assert status in ("READY", "RUNNING"), f"the SLA sweep ended {status}"
        time.sleep(0.3)
    raise AssertionError(f"the SLA sweep did not finish within {seconds} s")


def _recovered(env, killed: str, queued: list, seconds: float = 120) -> dict:
    """Wait until the killed sweep's row is failed as lost and its one re-queued copy (a row queued after
    it and not by the test: `queued`) has run; answers that copy's counts."""
    table = "django_tasks_database_dbtaskresult"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, cause = _sql(env, f"SELECT status, exception_class_path FROM {table} WHERE id = '{killed}'").split("|")
        if status == "FAILED":
            assert cause == "civicgrid.ops.recovery.WorkerLost", cause
            break
        assert status == "RUNNING", f"the killed sweep is {status}"
        time.sleep(0.3)
    else:
        raise AssertionError(f"the killed sweep was not recovered within {seconds} s")
    while time.monotonic() < deadline:
        others = ", ".join(f"'{task_id}'" for task_id in [killed, *queued])
        reruns = _sql(env, f"SELECT status, return_value FROM {table} WHERE task_path = 'civicgrid.cases.tasks.check_sla'"
                           f" AND id NOT IN ({others}) AND enqueued_at > (SELECT enqueued_at FROM {table}"
                           f" WHERE id = '{killed}')").splitlines()  # not the earlier tests' sweeps
        assert len(reruns) <= 1, reruns  # queued again exactly once
        if reruns and reruns[0].startswith("SUCCESSFUL|"):
            return json.loads(reruns[0].split("|", 1)[1])
        time.sleep(0.3)
    raise AssertionError(f"the re-queued sweep did not finish within {seconds} s")


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_restart_postgresql_mid_run(district, cluster, scratch, mode):
    """The database goes away under load and comes back: requests meanwhile fail (5xx) and are retried
    with their key; afterwards the same gunicorn processes serve again (their dead persistent connections
    fail the health check and are replaced), and the task worker sweeps."""
    with _layout(district, scratch, f"restart-{mode}", workers=2) as layout:
        web = [layout.worker_pids(i) for i in range(len(layout.gunicorns))]
        clients = Clients(layout.port, _token(layout.port), json.loads(district["points"]))
        with clients:
            time.sleep(4)
            cluster.restart(mode)
            time.sleep(6)
        layout.wait_ready(30)
        assert [layout.worker_pids(i) for i in range(len(layout.gunicorns))] == web, "a gunicorn worker restarted"
        sweep = _sweep(district, layout)  # db_worker exits on a database error: systemd starts it again
        counts = _verify(district, clients)
    print("after the restart:", json.dumps({"task_worker_restarts": layout.worker_restarts, "sweep": sweep}))
    _assert_clean(counts)


OVERDUE_TEXT = f"故障测试:超期未办结{os.getpid()}"
OVERDUE = """
import json
from datetime import timedelta
from django.utils import timezone
from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.cases.models import Category
from civicgrid.core import clock
from civicgrid.demo.cases import Actors
from civicgrid.geo.models import Region
actors = Actors()
category = (Category.objects.filter(case_type="citizen_request", is_active=True, parent__isnull=False,
            default_department__isnull=False).select_related("default_department").order_by("code").first())
grids = list(Region.objects.filter(level="micro_grid").order_by("code").values_list("code", flat=True)[:50])
start = timezone.now() - timedelta(days=60)
for i in range(%(n)d):
    with clock.at(start + timedelta(minutes=i)):  # handled 60 days ago: long overdue now
        case = actions.submit_case(actor=actors.dispatcher, data=IntakeInput(
            description=%(text)r, channel="hotline", category_code=category.code,
            region_code=grids[i %% len(grids)], reporter_name="来电市民")).case
        actions.transition_case(actor=actors.dispatcher, case_id=case.pk, action="dispatch",
                                facts={"department": category.default_department.code})
        case.refresh_from_db()
        handler = actors.handler(case.department_id)
        actions.transition_case(actor=handler, case_id=case.pk, action="sign")
        actions.transition_case(actor=handler, case_id=case.pk, action="contact", facts={"comment": "已联系诉求人"})
"""
SUPERVISIONS = f"""
SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n > 1), count(*) FILTER (WHERE n = 0),
       count(*) FILTER (WHERE c.recorded_sla_status = 'overdue' AND NOT c.is_supervised)
FROM cases_case c, LATERAL (SELECT count(*) AS n FROM cases_caseevent e
                            WHERE e.case_id = c.id AND e.action = 'supervise' AND e.actor_id IS NULL) s
WHERE c.description = '{OVERDUE_TEXT}'
"""


def _supervisions(env) -> dict:
    once, twice, none, stranded = map(int, _sql(env, SUPERVISIONS).split("|"))
    return {"once": once, "more": twice, "none": none, "recorded_overdue_unsupervised": stranded}


def test_kill_the_task_worker_mid_sla_sweep(district, scratch):
    """A district with many overdue cases; the worker running the sweep is killed with `kill -9` once some
    but not all are supervised. The next sweep (the scheduler's next tick, here queued at once) picks up the
    rest, and the new worker finds the killed task RUNNING past the lease with its worker's heartbeat gone:
    it fails it and queues it again once (ops/recovery.py). Each case is supervised exactly once."""
    n = 150
    _snippet(district, OVERDUE % {"n": n, "text": OVERDUE_TEXT})
    assert _supervisions(district)["none"] == n
    layout = _layout({**district, "CIVICGRID_TASK_LEASE_SECONDS": "3"}, scratch, "sweep", workers=2)
    try:
        layout.start(scheduler=False)  # the sweep is queued by hand, when the cases are ready
        clients = Clients(layout.port, _token(layout.port), json.loads(district["points"]))
        with clients:
            killed = _manage(district, "check_sla", "--enqueue").split()[-1]
            deadline = time.monotonic() + 180
            while (done := _supervisions(district)["once"]) < n // 5:  # well under way, far from done
                assert time.monotonic() < deadline, f"the sweep did not start: {done} supervised"
                time.sleep(0.05)
            layout.kill_task_worker()
            at_kill = _supervisions(district)
            assert 0 < at_kill["once"] < n, f"not killed mid-sweep: {at_kill}"
            layout.start_task_worker()
            queued: list[str] = []
            sweep = _sweep(district, layout, ids=queued)
            recovered = _recovered(district, killed, queued)
        after = _supervisions(district)
        counts = _verify(district, clients)
    finally:
        layout.stop()
    print("sweep counts:", json.dumps({"overdue": n, "supervised_at_kill": at_kill["once"],
                                       "recorded_overdue_unsupervised_at_kill": at_kill["recorded_overdue_unsupervised"],
                                       "rerun_supervised": sweep["supervised"], "supervised_once": after["once"],
                                       "recovered_rerun_supervised": recovered["supervised"],
                                       "supervised_twice_or_more": after["more"], "unsupervised": after["none"]}))
    assert at_kill["recorded_overdue_unsupervised"] == 0, at_kill  # each case's status and 督办 commit together
    assert after == {"once": n, "more": 0, "none": 0, "recorded_overdue_unsupervised": 0}, after
    assert sweep["supervised"] + recovered["supervised"] == n - at_kill["once"], (sweep, recovered)
    _assert_clean(counts)
