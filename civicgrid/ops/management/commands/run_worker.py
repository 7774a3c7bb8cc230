"""django_tasks' database worker (`db_worker`, same options) with a heartbeat and the recovery of tasks that
a killed worker left RUNNING (ops/recovery.py): at start and then every half lease."""

from django.db import DatabaseError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from civicgrid.ops import heartbeat


class Command(db_worker.Command):
    help = "Run the task worker (db_worker) with a heartbeat; recovers tasks lost by killed workers."

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        heartbeat.beat(worker_id, timezone.now())
        try:
            counts = heartbeat.recover_and_log()
            self.stdout.write(f"run_worker {worker_id}: recovered {counts['failed']} lost tasks, "
                              f"queued {counts['requeued']} again")
        except DatabaseError as exc:  # the heartbeat thread tries again
            self.stderr.write(f"run_worker: recovery not done yet: {exc}")
        beating = heartbeat.Heartbeat(worker_id)
        beating.start()
        try:
            super().handle(*args, **options)
        finally:
            beating.stop()
            try:
                heartbeat.forget(worker_id)
            except DatabaseError:
                pass
