"""Background work, written against the django_tasks API (database backend by default)."""

from django_tasks import task

from civicgrid.volunteers import actions


@task()
def return_overdue_orders() -> int:
    """Enqueued every few minutes by `python -m civicgrid return_overdue_orders --enqueue`."""
    return actions.return_overdue_dispatches()
