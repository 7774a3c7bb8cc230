from django.core.management.base import BaseCommand, CommandError

from civicgrid.cases.chain import verify_case
from civicgrid.cases.models import Case


class Command(BaseCommand):
    help = "Verify every case's hash-chained event log; exit 1 naming the first case and event that fail."

    def add_arguments(self, parser):
        parser.add_argument("--case", help="only this case number")

    def handle(self, *args, case=None, **options):
        cases = Case.objects.all().order_by("id")
        if case:
            cases = cases.filter(number=case)
        checked, broken = 0, []
        for item in cases.iterator(chunk_size=500):
            checked += 1
            seq = verify_case(item)
            if seq is not None:
                broken.append(f"{item.number} (event {seq})")
        self.stdout.write(f"cases checked: {checked}; broken: {len(broken)}")
        if broken:
            raise CommandError("event chain broken: " + ", ".join(broken[:20]))
