"""Walk the audit log's hash chain and report the first row that does not fit (edited, deleted or
inserted out of band). Exit status 1 when the chain is broken, so cron and monitoring can alert."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log hash chain; exit 1 when a row was edited, deleted or inserted out of band."

    def handle(self, *args, **options):
        checked, broken_id = verify_chain()
        if broken_id is not None:
            self.stdout.write(f"rows checked: {checked}")
            self.stdout.write(f"first broken id: {broken_id}")
            raise CommandError(f"audit chain broken at id {broken_id} after {checked} intact rows", returncode=1)
        self.stdout.write(f"rows checked: {checked}")
        self.stdout.write(self.style.SUCCESS("audit chain intact"))
