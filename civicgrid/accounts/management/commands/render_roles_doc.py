from pathlib import Path

from django.core.management.base import BaseCommand

from civicgrid.accounts.docs import render


class Command(BaseCommand):
    help = "Render docs/roles.md (roles, their scope and the permission matrix) from the role table."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="write to this file instead of standard output")

    def handle(self, *args, output=None, **options):
        text = render()
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
