import signal
import time as clock_time

from django.core.management.base import BaseCommand
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
            now = timezone.now()
            for job in schedule.due_jobs(declared, last_runs, now):
                last_runs[job.name] = now
                self._enqueue(job)
            slept = 0.0
            while slept < tick and not stopping:
                clock_time.sleep(0.5)
                slept += 0.5
        self.stdout.write("scheduler: stopped")

    def _enqueue(self, job):
        try:
            result = job.resolve().enqueue()
        except Exception as exc:  # one failing job must not stop the others
            self.stderr.write(f"scheduler: {job.name} not queued: {exc}")
            return
        self.stdout.write(f"scheduler: queued {job.name} ({result.id})")
