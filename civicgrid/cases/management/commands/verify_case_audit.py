from django.core.management.base import BaseCommand, CommandError

from civicgrid.cases.chain import check_case
from civicgrid.cases.models import Case


class Command(BaseCommand):
    help = ("Verify every case's hash-chained event log, its newest events included; exit 1 naming the first "
            "cases and events that fail and what is wrong.")

    def add_arguments(self, parser):
        parser.add_argument("--case", help="only this case number")

    def handle(self, *args, case=None, **options):
        cases = Case.objects.all().order_by("id")
        if case:
            cases = cases.filter(number=case)
        checked, broken = 0, []
        for item in cases.iterator(chunk_size=500):
            checked += 1
            problem = check_case(item)
            if problem is not None:
                broken.append(f"{item.number} (event {problem[0]}: {problem[1]})")
        self.stdout.write(f"cases checked: {checked}; broken: {len(broken)}")
        for line in broken[:20]:
            self.stdout.write(f"broken: {line}")
        if broken:
            raise CommandError("event chain broken: " + "; ".join(broken[:20]))
