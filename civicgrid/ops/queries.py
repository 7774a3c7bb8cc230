"""Reads for health and metrics: the task queue and the database's readiness. The queue is read from the
configured task backend: the database backend's rows, or RQ's queues and registries in Redis."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Max
from django.utils import timezone
from django_tasks.base import TaskResultStatus

FINISHED_KEY = "ops:task_finished:{}"


def on_rq() -> bool:
    return settings.TASKS["default"]["BACKEND"] == settings.RQ_BACKEND


def _queues() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or ["default"])


def waiting_tasks() -> dict[str, int]:
    if on_rq():
        import django_rq

        return {name: django_rq.get_queue(name).count for name in _queues()}
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status=TaskResultStatus.READY).values("queue_name").annotate(n=Count("id"))
    return {row["queue_name"]: row["n"] for row in rows}


def running_tasks() -> int:
    if on_rq():
        import django_rq
        from rq.registry import StartedJobRegistry

        return sum(StartedJobRegistry(queue=django_rq.get_queue(name)).count for name in _queues())
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()


def last_finished(task_path: str) -> datetime | None:
    if on_rq():  # RQ keeps no queryable history: the worker notes each finish in the (Redis) cache
        return cache.get(FINISHED_KEY.format(task_path))
    from django_tasks_db.models import DBTaskResult

    return (DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.SUCCESSFUL)
            .aggregate(at=Max("finished_at"))["at"])


def note_finished(sender, task_result, **kwargs) -> None:
    """`task_finished` receiver: remember when each task last succeeded (read by `last_finished` on RQ)."""
    if on_rq() and task_result.status == TaskResultStatus.SUCCESSFUL:
        cache.set(FINISHED_KEY.format(task_result.task.module_path), timezone.now(), timeout=None)


_migrated = False


def unapplied_migrations() -> int:
    """Migrations the code has and the database lacks (0 is remembered: they are never taken back)."""
    global _migrated
    if _migrated:
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrated = pending == 0
    return pending
