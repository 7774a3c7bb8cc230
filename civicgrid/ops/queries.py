"""Reads for health and metrics: the task queue and the database's readiness."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Max
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def waiting_tasks() -> dict[str, int]:
    rows = DBTaskResult.objects.filter(status=TaskResultStatus.READY).values("queue_name").annotate(n=Count("id"))
    return {row["queue_name"]: row["n"] for row in rows}


def running_tasks() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()


def last_finished(task_path: str):
    return (DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.SUCCESSFUL)
            .aggregate(at=Max("finished_at"))["at"])


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
