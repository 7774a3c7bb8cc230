"""Tasks lost with their worker. django_tasks' database worker marks a row RUNNING when it claims it and
finishes it when the task returns; a worker killed with `kill -9` (or by the OOM killer, or a lost machine)
leaves the row RUNNING forever. Each `run_worker` beats its heart into `WorkerBeat`; a row RUNNING longer
than the lease (settings.TASK_LEASE_SECONDS) whose worker has not beaten for as long is lost, and is:

- failed (exception `civicgrid.ops.recovery.WorkerLost`, so it shows as failed, not as still running), and
- queued again, with the same arguments, when its task is idempotent: every periodic job's task is
  (core/schedule.py requires it; the SLA sweep among them), and those
  listed in settings.TASK_RETRY_ON_LOSS. Any other task is only failed: running it twice
  could do its work twice, so an operator decides (docs/deployment.md).

A row is taken by one conditional UPDATE (status still RUNNING and the same start), so two workers
recovering at once fail and re-queue it exactly once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus

LOST = "civicgrid.ops.recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running the task stopped beating (killed) before the task finished."""


def idempotent_tasks() -> set[str]:
    from civicgrid.core import schedule

    return {job.task for job in schedule.jobs().values()} | set(settings.TASK_RETRY_ON_LOSS)


def lease() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def lost_tasks(now: datetime | None = None):
    """RUNNING rows past the lease whose (last) worker has no heartbeat within the lease."""
    from django_tasks_db.models import DBTaskResult

    from civicgrid.ops.models import WorkerBeat

    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(WorkerBeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).order_by()
    return [row for row in stale if not (row.worker_ids and row.worker_ids[-1] in alive)]


def recover(now: datetime | None = None) -> dict[str, int]:
    """Fail every lost task and queue the idempotent ones again, then forget the heartbeats silent for
    longer than the lease (the killed workers'); answers the counts."""
    from django_tasks_db.models import DBTaskResult

    from civicgrid.ops.models import WorkerBeat

    now = now or timezone.now()
    retry = idempotent_tasks()
    counts = {"failed": 0, "requeued": 0}
    for row in lost_tasks(now):
        worker = row.worker_ids[-1] if row.worker_ids else "?"
        with transaction.atomic():
            taken = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING,
                                                started_at=row.started_at).update(
                status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=LOST, return_value=None,
                traceback=f"{LOST}: worker {worker} stopped beating; the task ran from {row.started_at:%Y-%m-%d %H:%M:%S%z}"
                          f" past the lease of {settings.TASK_LEASE_SECONDS} s\n")
            if not taken:
                continue  # another worker recovered it first
            counts["failed"] += 1
            if row.task_path in retry:
                args = row.args_kwargs or {}
                row.task.enqueue(*args.get("args", ()), **args.get("kwargs", {}))
                counts["requeued"] += 1
    WorkerBeat.objects.filter(seen_at__lt=now - lease()).delete()  # their tasks, if any, were just failed
    return counts


def recovered_count() -> int:
    """How many tasks were failed as lost (kept until the task results are pruned)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, exception_class_path=LOST).count()
