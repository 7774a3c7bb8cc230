from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Anonymise personal data whose retention has ended (settings.PRIVACY_RETENTION_DAYS)."

    def handle(self, *args, **opts):
        from civicgrid.privacy import actions

        done = actions.anonymise_expired()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
