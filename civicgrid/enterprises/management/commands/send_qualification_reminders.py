from django.core.management.base import BaseCommand

from civicgrid.enterprises import actions, tasks


class Command(BaseCommand):
    help = "Send the qualification expiry reminders due today to officers and enterprise contacts (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="queue the run for the task worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = tasks.send_qualification_reminders.enqueue()
            self.stdout.write(f"queued {result.id}")
            return
        self.stdout.write(f"sent={actions.send_expiry_reminders()}")
