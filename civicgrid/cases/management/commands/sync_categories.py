from django.core.management.base import BaseCommand

from civicgrid.cases.actions import sync_categories


class Command(BaseCommand):
    help = "Load the shipped case categories (数字城管 classes and governance categories) and workflow specs."

    def handle(self, *args, **options):
        counts = sync_categories()
        self.stdout.write(f"categories created={counts['created']} updated={counts['updated']}")
