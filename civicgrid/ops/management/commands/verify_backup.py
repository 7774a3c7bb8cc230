from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.ops.management.commands.restore import _report


class Command(BaseCommand):
    help = "Compare a database (default: the configured one) with a backup's manifest."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup directory")
        parser.add_argument("--database-url", help="database to compare (default: the configured one)")
        parser.add_argument("--media-root", help="media directory to compare (default: MEDIA_ROOT)")

    def handle(self, *args, backup: str, database_url=None, media_root=None, **opts):
        from civicgrid.ops import backup as ops

        try:
            problems = ops.verify(Path(backup), url=database_url, media_root=media_root and Path(media_root))
        except ops.BackupError as exc:
            raise CommandError(str(exc)) from exc
        _report(self, problems)
