from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civicgrid.ops import backup


class Command(BaseCommand):
    help = "Make a consistent backup (database, media, manifest) in a new directory."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="directory to create (default: var/backups/<time>)")

    def handle(self, *args, output=None, **opts):
        from django.conf import settings

        dest = Path(output) if output else settings.VAR_DIR / "backups" / f"{timezone.now():%Y%m%dT%H%M%S}"
        try:
            data = backup.backup(dest)
        except (backup.BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in data["tables"].values())
        self.stdout.write(f"backup: {dest}\ntables: {len(data['tables'])}, rows: {rows}, "
                          f"media files: {data['media']['files']}\ndata key fingerprint: {data['data_key']}")
