from django.core.management.base import BaseCommand

from civicgrid.enterprises import actions


class Command(BaseCommand):
    help = "Publish the shipped pre-check rule sets whose content differs from the newest published version."

    def handle(self, *args, **options):
        published = actions.seed_rulesets()
        for version in published:
            self.stdout.write(f"published {version.tier} v{version.version}")
        self.stdout.write(f"published={len(published)}")
