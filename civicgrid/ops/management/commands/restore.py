from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Restore a backup into a fresh database and an empty media directory, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup directory")
        parser.add_argument("--database-url", required=True, help="target database (must be new or empty)")
        parser.add_argument("--media-root", required=True, help="target media directory (must be empty)")

    def handle(self, *args, backup: str, database_url: str, media_root: str, **opts):
        from civicgrid.ops import backup as ops

        src, media = Path(backup), Path(media_root)
        try:
            data = ops.restore(src, url=database_url, media_root=media)
            problems = ops.verify(src, url=database_url, media_root=media)
        except ops.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored: {src} ({data['created_at']})")
        _report(self, problems)


def _report(command, problems: list[str]) -> None:
    for line in problems:
        command.stdout.write(f"differs: {line}")
    if problems:
        raise CommandError(f"verification failed: {len(problems)} difference(s)")
    command.stdout.write("verified: every table, chain head and media file equals the backup")
