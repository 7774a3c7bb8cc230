"""The reports' periodic job (core.schedule)."""

from datetime import time

from civicgrid.core.schedule import Job

JOBS = (
    Job("monthly_reports", "civicgrid.reports.tasks.monthly_reports", at=time(2, 0), day_of_month=1,
        description="last month's district reports (月报 Excel and PDF, 部门排名, 巡查达标) into the report archive"),
)
