"""Prometheus metrics: request latency per route, and at scrape time the task queue's depth and how long
ago the SLA sweep last finished. With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (an empty
directory) so a scrape sums every worker (docs/deployment.md)."""

from __future__ import annotations

import os

from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from civicgrid.ops import queries, recovery

REQUEST_SECONDS = Histogram(
    "civicgrid_http_request_duration_seconds", "Time to answer a request, by route and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


class StateCollector:
    """Figures read from the database when scraped, so every worker reports the same truth."""

    def collect(self):
        depth = GaugeMetricFamily("civicgrid_task_queue_depth", "Tasks waiting to run, by queue", labels=["queue"])
        for queue, count in queries.waiting_tasks().items():
            depth.add_metric([queue], count)
        yield depth
        yield GaugeMetricFamily("civicgrid_tasks_running", "Tasks being run by a worker",
                                value=queries.running_tasks())
        if not queries.on_rq():  # on RQ, its StartedJobRegistry fails a dead worker's job
            yield GaugeMetricFamily("civicgrid_tasks_lost", "Tasks RUNNING past the lease whose worker stopped beating",
                                    value=len(recovery.lost_tasks()))
            yield GaugeMetricFamily("civicgrid_tasks_recovered", "Tasks failed (and re-queued if idempotent) as "
                                    "lost with a killed worker, kept until task results are pruned",
                                    value=recovery.recovered_count())
        finished = queries.last_finished("civicgrid.cases.tasks.check_sla")
        lag = GaugeMetricFamily("civicgrid_sla_sweep_lag_seconds",
                                "Seconds since the SLA sweep last finished (absent: it never ran)")
        if finished is not None:
            lag.add_metric([], (timezone.now() - finished).total_seconds())
        yield lag


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(StateCollector())
    return generate_latest(registry)
