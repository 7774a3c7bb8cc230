"""The webhook deliveries' periodic job (core.schedule)."""

from datetime import timedelta

from civicgrid.core.schedule import Job

JOBS = (
    Job("deliver_due_webhooks", "civicgrid.webhooks.tasks.deliver_due", every=timedelta(minutes=1),
        description="webhook deliveries whose (re)try is due, should a worker have missed one"),
)
