"""Background work, written against the django_tasks API (database backend by default)."""

from django_tasks import task

from civicgrid.reports import actions


@task()
def build_report(run_id: int) -> str:
    """Build one queued report or export (reports.actions.request_report enqueues it)."""
    return actions.run_report(run_id=run_id).status


@task()
def monthly_reports() -> int:
    """The 1st of each month: last month's district reports for the archive (the periodic-job registry
    runs it: docs/commands.md, periodic jobs)."""
    return len(actions.schedule_monthly_reports())
