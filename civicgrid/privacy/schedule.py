"""The privacy app's periodic job (core.schedule)."""

from datetime import time

from civicgrid.core.schedule import Job

JOBS = (
    Job("anonymise_expired", "civicgrid.privacy.tasks.anonymise_expired", at=time(3, 30),
        description="personal data past its retention anonymised in place (case records kept, chains intact)"),
)
