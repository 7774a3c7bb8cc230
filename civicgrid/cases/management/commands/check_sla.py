from django.core.management.base import BaseCommand

from civicgrid.cases import actions, tasks


class Command(BaseCommand):
    help = "Refresh SLA states of open cases; automatic reminders and supervision (run every few minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="queue the sweep for the task worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.check_sla.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        counts = actions.check_sla()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
