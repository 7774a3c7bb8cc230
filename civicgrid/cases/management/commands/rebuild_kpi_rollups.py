from django.core.management.base import BaseCommand, CommandError

from civicgrid.cases import kpis


class Command(BaseCommand):
    help = "Rebuild the case KPI rollups (DailyCaseStat) from the cases; --check only compares."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="compare the stored rollups with a recomputation; exit 1 when they differ")

    def handle(self, *args, check=False, **options):
        if check:
            differences = kpis.rollup_differences()
            for key, stored, expected in differences[:20]:
                self.stdout.write(f"{key}: stored {stored} expected {expected}")
            if differences:
                raise CommandError(f"{len(differences)} rollup rows differ; run rebuild_kpi_rollups")
            self.stdout.write("rollups match the cases")
            return
        rows = kpis.recompute_rollups()
        self.stdout.write(f"rows: {rows}")
