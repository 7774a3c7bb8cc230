"""Background work, written against the django_tasks API (database backend by default)."""

from django_tasks import task

from civicgrid.enterprises import actions


@task()
def send_qualification_reminders() -> int:
    """Enqueued daily by `python -m civicgrid send_qualification_reminders --enqueue`: the expiry reminders
    due today (ENTERPRISE_REMINDER_DAYS), each sent once."""
    return actions.send_expiry_reminders()


@task()
def run_zone_precheck() -> int:
    """Enqueued nightly by `python -m civicgrid run_zone_precheck --enqueue`: every operating enterprise
    against the current rule-set versions (the worklist's candidates and the ranking)."""
    return actions.run_precheck_for_zone(enterprises=None)
