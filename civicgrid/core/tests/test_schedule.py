"""Periodic jobs: the declared registry equals the documented table, every job names a real task, and
the due rule for interval, daily and monthly jobs."""

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django_tasks.base import Task

from civicgrid.core.schedule import Job, due_jobs, jobs

DOCS = Path(__file__).resolve().parents[3] / "docs" / "commands.md"


def documented() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- periodic jobs -->")[1].split("<!-- /periodic jobs -->")[0]
    return re.findall(r"^\| `(\w+)` \|", table, flags=re.M)


def test_declared_jobs_equal_the_documented_table():
    assert sorted(jobs()) == sorted(documented())
    assert {"check_sla", "return_overdue_orders"} <= set(jobs())


def test_every_job_names_a_task():
    for job in jobs().values():
        assert isinstance(job.resolve(), Task), job.name


def at(text: str) -> datetime:  # Asia/Shanghai local time written as UTC+8
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - timedelta(hours=8)


def test_interval_job_runs_at_once_then_every_interval():
    job = Job("x", "m.t", every=timedelta(minutes=5))
    start = at("2026-03-02T10:00")
    assert job.due(start, None)
    assert not job.due(start + timedelta(minutes=4, seconds=59), start)
    assert job.due(start + timedelta(minutes=5), start)


def test_daily_job_runs_once_after_its_local_time():
    job = Job("d", "m.t", at=time(8, 0))
    assert not job.due(at("2026-03-02T07:59"), None)
    assert job.due(at("2026-03-02T08:00"), None)
    assert not job.due(at("2026-03-02T15:00"), at("2026-03-02T08:00"))
    assert job.due(at("2026-03-03T08:01"), at("2026-03-02T08:00"))


def test_monthly_job_runs_on_its_day_only():
    job = Job("m", "m.t", at=time(6, 0), day_of_month=1)
    assert not job.due(at("2026-03-02T09:00"), None)
    assert job.due(at("2026-04-01T06:30"), at("2026-03-01T06:00"))
    assert due_jobs({"m": job}, {}, at("2026-04-01T06:30")) == [job]


def test_a_job_is_either_interval_or_daily():
    with pytest.raises(ValueError):
        Job("bad", "m.t")
    with pytest.raises(ValueError):
        Job("bad", "m.t", every=timedelta(minutes=1), at=time(1, 0))
    with pytest.raises(ValueError):
        Job("bad", "m.t", every=timedelta(minutes=1), day_of_month=1)


@pytest.mark.django_db(transaction=True)
def test_scheduler_queues_again_after_the_database_dropped_its_connection():
    """A database restart closes the scheduler's long-lived connection; the next tick must not fail on
    it (nor forget the job it could not queue)."""
    from django.db import connection
    from django.db.utils import OperationalError
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from civicgrid.core.management.commands.run_scheduler import Command

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite connection is never closed by the server")
    declared = {"check_sla": jobs()["check_sla"]}
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # as a restart does
    last_runs: dict = {}
    Command().tick(declared, last_runs, timezone.now())
    assert "check_sla" in last_runs
    assert DBTaskResult.objects.filter(task_path="civicgrid.cases.tasks.check_sla").count() == 1
