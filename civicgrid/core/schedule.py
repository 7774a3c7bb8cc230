"""Periodic jobs, declared once: each app lists its jobs in `<app>/schedule.py` as `JOBS = (Job(...), ...)`;
`python -m civicgrid run_scheduler` enqueues each one for the django_tasks worker when it falls due, and
docs/commands.md lists them (a test checks the list equals the declared jobs).

A job names a django_tasks task by dotted path and runs either every `every` or daily at the local time
`at` (optionally only on `day_of_month`). Jobs must be idempotent: the scheduler keeps its memory in the
process, so after a restart an interval job runs at once and a daily job that already ran today runs
again if its time has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import import_module

from django.apps import apps
from django.utils import timezone


@dataclass(frozen=True)
class Job:
    name: str  # unique; the docs list it
    task: str  # dotted path of a django_tasks task, e.g. "civicgrid.cases.tasks.check_sla"
    every: timedelta | None = None  # an interval job ...
    at: time | None = None  # ... or a daily job at this local time
    day_of_month: int | None = None  # with `at`: only on this day of the month (1 = the 1st)
    description: str = ""

    def __post_init__(self):
        if (self.every is None) == (self.at is None):
            raise ValueError(f"job {self.name}: give exactly one of every= or at=")
        if self.day_of_month is not None and self.at is None:
            raise ValueError(f"job {self.name}: day_of_month needs at=")

    def resolve(self):
        module, _, name = self.task.rpartition(".")
        return getattr(import_module(module), name)

    def due(self, now: datetime, last_run: datetime | None) -> bool:
        """Whether the job should run at `now`, given when it last ran in this process (None: never)."""
        if self.every is not None:
            return last_run is None or now - last_run >= self.every
        local = timezone.localtime(now)
        if self.day_of_month is not None and local.day != self.day_of_month:
            return False
        slot = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        return local >= slot and (last_run is None or timezone.localtime(last_run) < slot)


def jobs() -> dict[str, Job]:
    """Every installed app's declared jobs by name (an app without a schedule module declares none)."""
    out: dict[str, Job] = {}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.schedule":
                raise
            continue
        for job in getattr(module, "JOBS", ()):
            if job.name in out:
                raise ValueError(f"two periodic jobs named {job.name}")
            out[job.name] = job
    return out


def due_jobs(declared: dict[str, Job], last_runs: dict[str, datetime], now: datetime) -> list[Job]:
    return [job for name, job in sorted(declared.items()) if job.due(now, last_runs.get(name))]
