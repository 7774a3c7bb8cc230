"""Tasks left RUNNING by a killed worker are failed, and queued again when idempotent, exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civicgrid.ops import recovery
from civicgrid.ops.heartbeat import beat
from civicgrid.ops.models import WorkerBeat

SWEEP = "civicgrid.cases.tasks.check_sla"
WEBHOOK = "civicgrid.webhooks.tasks.deliver"


def _running(task_path, worker, minutes_ago, args=()):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, task_path=task_path, worker_ids=[worker],
        args_kwargs={"args": list(args), "kwargs": {}}, run_after=timezone.now(), queue_name="default",
        backend_name="default", started_at=timezone.now() - timedelta(minutes=minutes_ago))


@pytest.mark.django_db
def test_a_lost_idempotent_task_is_failed_and_queued_again_once(settings):
    settings.TASK_LEASE_SECONDS = 300
    lost = _running(SWEEP, "dead-worker", minutes_ago=30)
    assert recovery.recover() == {"failed": 1, "requeued": 1}
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED and lost.exception_class_path == recovery.LOST
    assert "dead-worker" in lost.traceback and lost.finished_at is not None
    again = DBTaskResult.objects.exclude(pk=lost.pk).get()
    assert again.task_path == SWEEP and again.status == TaskResultStatus.READY
    assert recovery.recover() == {"failed": 0, "requeued": 0}  # exactly once
    assert DBTaskResult.objects.count() == 2 and recovery.recovered_count() == 1


@pytest.mark.django_db
def test_a_task_that_may_not_run_twice_is_only_failed(settings):
    lost = _running(WEBHOOK, "dead-worker", minutes_ago=30, args=[7])
    assert recovery.recover() == {"failed": 1, "requeued": 0}
    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED and DBTaskResult.objects.count() == 1
    settings.TASK_RETRY_ON_LOSS = [WEBHOOK]  # an operator declares it safe to repeat
    _running(WEBHOOK, "dead-worker", minutes_ago=30, args=[8])
    assert recovery.recover() == {"failed": 1, "requeued": 1}
    assert DBTaskResult.objects.get(status=TaskResultStatus.READY).args_kwargs["args"] == [8]


@pytest.mark.django_db
def test_a_long_task_of_a_live_worker_and_a_fresh_one_are_left_alone(settings):
    settings.TASK_LEASE_SECONDS = 300
    beat("alive", timezone.now())
    long_running = _running(SWEEP, "alive", minutes_ago=60)
    fresh = _running(SWEEP, "dead-worker", minutes_ago=1)
    assert recovery.recover() == {"failed": 0, "requeued": 0}
    WorkerBeat.objects.filter(worker_id="alive").update(seen_at=timezone.now() - timedelta(minutes=6))
    assert recovery.recover() == {"failed": 1, "requeued": 1}  # it stopped beating: now it is lost
    assert not WorkerBeat.objects.filter(worker_id="alive").exists()  # and its beat is forgotten
    long_running.refresh_from_db()
    fresh.refresh_from_db()
    assert long_running.status == TaskResultStatus.FAILED and fresh.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_metrics_show_lost_and_recovered_tasks(client, settings):
    _running(SWEEP, "dead-worker", minutes_ago=30)
    text = client.get("/metrics").content.decode()
    assert "civicgrid_tasks_lost 1.0" in text and "civicgrid_tasks_recovered 0.0" in text
    recovery.recover()
    text = client.get("/metrics").content.decode()
    assert "civicgrid_tasks_lost 0.0" in text and "civicgrid_tasks_recovered 1.0" in text


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(worker_id: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "civicgrid", "run_worker", "--interval", "0.1", "--no-reload",
         "--no-startup-delay", "--worker-id", worker_id, "-v", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_killed_worker_is_recovered_exactly_once(tmp_path):
    """Real processes: worker A is killed with SIGKILL while it runs a task; workers B and C, both
    recovering, fail it once and run it again once."""
    from civicgrid.ops.tests.tasks import hold

    env = {**os.environ, "CIVICGRID_DATABASE_URL": _database_url(), "CIVICGRID_TASK_LEASE_SECONDS": "1",
           "CIVICGRID_TASK_RETRY_ON_LOSS": "civicgrid.ops.tests.tasks.hold", "CIVICGRID_LOG_LEVEL": "ERROR",
           "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    marker = tmp_path / "runs"
    workers = [_worker("A", env)]
    try:
        result = hold.enqueue(str(marker))
        _wait(lambda: marker.exists(), 60, "worker A to start the task")
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(10)
        row = DBTaskResult.objects.get(pk=result.id)
        assert row.status == TaskResultStatus.RUNNING and row.worker_ids == ["A"]  # what kill -9 leaves
        workers += [_worker("B", env), _worker("C", env)]
        done = _wait(lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).first(), 60,
                     "the re-queued task to run")
        time.sleep(2.5)  # B and C go on recovering: nothing more may happen
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(10)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.exception_class_path == recovery.LOST
    assert DBTaskResult.objects.count() == 2 and done.return_value == 2 and done.worker_ids[0] in ("B", "C")
    assert marker.read_text().splitlines() == ["run", "run"]
    assert not WorkerBeat.objects.exists()  # A's silent beat forgotten; B and C took theirs away on stopping
