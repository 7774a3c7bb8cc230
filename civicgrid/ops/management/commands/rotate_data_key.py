from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under CIVICGRID_DATA_KEY; run again to resume after a crash."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument("--check", action="store_true", help="only count rows still under an earlier key")

    def handle(self, *args, batch: int, check: bool, **opts):
        from civicgrid.ops import keys

        if not check:
            changed = keys.rotate(batch=batch, progress=lambda label, seen, total: self.stdout.write(
                f"{label}: {seen}/{total}"))
            self.stdout.write(f"re-encrypted rows: {sum(changed.values())}")
        left = keys.remaining()
        for label, count in left.items():
            self.stdout.write(f"{label}: {count} row(s) still under an earlier key")
        if left and check:
            raise CommandError("rotation not finished: keep the earlier keys in CIVICGRID_DATA_KEYS_PREVIOUS")
        if not left:
            self.stdout.write("every encrypted value is under the current key: earlier keys may be removed")
