"""The case engine's periodic jobs (core.schedule)."""

from datetime import timedelta

from civicgrid.core.schedule import Job

JOBS = (
    Job("check_sla", "civicgrid.cases.tasks.check_sla", every=timedelta(minutes=5),
        description="SLA sweep: records 即将超期/超期, automatic 催办 and 督办"),
)
