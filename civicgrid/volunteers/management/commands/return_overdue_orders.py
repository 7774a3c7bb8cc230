from django.core.management.base import BaseCommand

from civicgrid.volunteers import actions, tasks


class Command(BaseCommand):
    help = "Send orders a practice station has not accepted in time back to the centre (run every few minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="queue the sweep for the task worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.return_overdue_orders.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        self.stdout.write(f"returned={actions.return_overdue_dispatches()}")
