import signal
import time as clock_time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from civicgrid.core import schedule


class Command(BaseCommand):
    help = "Enqueue the declared periodic jobs (core.schedule) for the task worker as they fall due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")
        parser.add_argument("--tick", type=float, default=15.0, help="seconds between checks (default 15)")

    def handle(self, *args, once=False, tick=15.0, **options):
        declared = schedule.jobs()
        if once:
            for job in declared.values():
                self._enqueue(job)
            return
        stopping = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.append(True))
        self.stdout.write(f"scheduler: {len(declared)} jobs: {', '.join(sorted(declared))}")
        last_runs: dict = {}
        while not stopping:
            self.tick(declared, last_runs, timezone.now())
            slept = 0.0
            while slept < tick and not stopping:
                clock_time.sleep(0.5)
                slept += 0.5
        self.stdout.write("scheduler: stopped")

    def tick(self, declared: dict, last_runs: dict, now) -> None:
        """Enqueue the jobs due at `now`; one that could not be queued (the database down) is tried again
        at the next tick. A long-running process is outside Django's request cycle, so it drops a
        connection the database has closed (a restart) itself: else every later enqueue failed on it."""
        close_old_connections()
        for job in schedule.due_jobs(declared, last_runs, now):
            if self._enqueue(job):
                last_runs[job.name] = now

    def _enqueue(self, job) -> bool:
        try:
            result = job.resolve().enqueue()
        except Exception as exc:  # one failing job must not stop the others
            self.stderr.write(f"scheduler: {job.name} not queued: {exc}")
            return False
        self.stdout.write(f"scheduler: queued {job.name} ({result.id})")
        return True
