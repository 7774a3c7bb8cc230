"""The volunteer platform's periodic jobs (core.schedule)."""

from datetime import timedelta

from civicgrid.core.schedule import Job

JOBS = (
    Job("return_overdue_orders", "civicgrid.volunteers.tasks.return_overdue_orders", every=timedelta(minutes=5),
        description="orders a station did not accept in time go back to the centre"),
)
