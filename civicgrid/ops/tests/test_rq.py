"""The RQ task backend, the scale option: a real task enqueued in Redis, run by an RQ worker, and the
metrics read the queue from Redis. Skipped when no Redis answers on 127.0.0.1:6379."""

import pytest
import redis
from django.test import override_settings

URL = "redis://127.0.0.1:6379/13"  # a database of its own, emptied by the test


def _redis_answers() -> bool:
    try:
        return redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not _redis_answers(), reason="Redis does not answer on 127.0.0.1:6379")]

RQ = {"TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
      "RQ_QUEUES": {"default": {"URL": URL}},
      "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": URL}}}


def burst_worker(queue):
    """The project's worker class as `rqworker` makes it (settings.RQ), run in this process as RQ's
    SimpleWorker does, so it sees the test's rows. Its teardown stops the command channel's thread
    first: with RQ 3.0 and redis-py 8 the stock order made 1 run in 8 wait 60 s (civicgrid/ops/rqworker.py)."""
    from django_rq.jobs import get_job_class
    from django_rq.workers import get_worker_class

    from civicgrid.ops.rqworker import CivicgridSimpleWorker, CivicgridWorker

    assert get_worker_class() is CivicgridWorker
    return CivicgridSimpleWorker([queue], connection=queue.connection, job_class=get_job_class())


@pytest.fixture
def rq_backend():
    connection = redis.Redis.from_url(URL)
    connection.flushdb()
    with override_settings(**RQ):
        yield connection
    connection.flushdb()


def test_the_sla_sweep_runs_through_rq_and_metrics_read_redis(rq_backend, client):
    import django_rq
    from django_tasks.base import TaskResultStatus

    from civicgrid.cases.tasks import check_sla
    from civicgrid.ops import queries

    result = check_sla.enqueue()
    assert queries.waiting_tasks() == {"default": 1}
    assert "civicgrid_task_queue_depth{queue=\"default\"} 1.0" in client.get("/metrics").content.decode()
    assert queries.last_finished(check_sla.module_path) is None

    queue = django_rq.get_queue("default")
    burst_worker(queue).work(burst=True)  # in this process, so it sees the test's rows

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert set(result.return_value) == {"checked", "changed", "reminded", "supervised"}  # the sweep's own answer
    assert queries.waiting_tasks() == {"default": 0} and queries.running_tasks() == 0
    assert queries.last_finished(check_sla.module_path) is not None
    text = client.get("/metrics").content.decode()
    assert "civicgrid_sla_sweep_lag_seconds " in text
