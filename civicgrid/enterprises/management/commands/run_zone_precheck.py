from django.core.management.base import BaseCommand

from civicgrid.enterprises import actions, tasks


class Command(BaseCommand):
    help = "Pre-check every operating enterprise against the current rule-set versions (run nightly)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="queue the run for the task worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.run_zone_precheck.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        self.stdout.write(f"reports={actions.run_precheck_for_zone()}")
