"""Walk the audit log's hash chain and report the first row that does not fit (edited, deleted or
inserted out of band) or a log whose newest rows are gone. Exit status 1 when the chain is broken, so
cron and monitoring can alert."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.audit import FORMAT_1_UNCOVERED, verify_chain


class Command(BaseCommand):
    help = ("Verify the audit log hash chain; exit 1 when a row was edited, deleted or inserted out of band, "
            "or the newest rows were deleted.")

    def handle(self, *args, **options):
        check = verify_chain()
        self.stdout.write(f"rows checked: {check.checked}")
        if check.format_1:
            self.stdout.write(f"rows in the old format: {check.format_1} (written before every field was hashed: "
                              f"their {', '.join(FORMAT_1_UNCOVERED)} are not covered)")
        if check.problem:
            if check.broken_id is not None:
                self.stdout.write(f"first broken id: {check.broken_id}")
            self.stdout.write(f"problem: {check.problem}")
            raise CommandError(f"audit chain broken: {check.problem}", returncode=1)
        self.stdout.write(self.style.SUCCESS("audit chain intact"))
