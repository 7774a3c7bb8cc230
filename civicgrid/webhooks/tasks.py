"""Background work, written against the django_tasks API."""

from django_tasks import task

from civicgrid.webhooks import delivery


@task()
def deliver(delivery_id: int) -> str | None:
    """Enqueued after the event's transaction commits, and again (deferred) for each retry."""
    return delivery.attempt(delivery_id)


@task()
def deliver_due() -> int:
    """The safety net, run every minute by the scheduler: every delivery that is due and not yet sent."""
    return sum(1 for pk in delivery.due() if delivery.attempt(pk) is not None)
