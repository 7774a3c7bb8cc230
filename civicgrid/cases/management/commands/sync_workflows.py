from django.core.management.base import BaseCommand

from civicgrid.cases.workflows import sync_workflows


class Command(BaseCommand):
    help = "Freeze every shipped workflow spec version into the WorkflowDefinition table (idempotent)."

    def handle(self, *args, **options):
        for row in sync_workflows():
            self.stdout.write(f"{row.key} v{row.version} {row.checksum[:12]}")
