"""Background work, written against the django_tasks API (database backend by default)."""

from django_tasks import task

from civicgrid.cases import actions


@task()
def check_sla() -> dict[str, int]:
    """Enqueued every few minutes by `python -m civicgrid check_sla --enqueue` (cron/systemd timer)."""
    return actions.check_sla()
