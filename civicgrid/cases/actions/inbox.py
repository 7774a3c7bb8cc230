"""The user's own in-app notifications."""

from __future__ import annotations

from civicgrid.core import clock


def mark_notifications_read(*, user, pk: int | None = None) -> int:
    """Mark the user's own unread inbox entries (or one of them) read; returns how many changed."""
    from civicgrid.cases.models import Notification

    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=clock.now())
