"""The enterprise registry's periodic jobs (core.schedule)."""

from datetime import time

from civicgrid.core.schedule import Job

JOBS = (
    Job("send_qualification_reminders", "civicgrid.enterprises.tasks.send_qualification_reminders", at=time(8, 0),
        description="qualification expiry reminders due today, each once"),
    Job("run_zone_precheck", "civicgrid.enterprises.tasks.run_zone_precheck", at=time(2, 0),
        description="every operating enterprise against the current pre-check rule sets"),
)
