"""Times a person or a phone reports something happened at (服务开始/结束, 走访, 联系, 巡查 …).

Such a time may not lie in the future beyond the clock tolerance (`settings.CLOCK_TOLERANCE_SECONDS`:
a phone's clock runs a little off), and where it belongs to something with a window (a volunteer order's
service window) it must lie inside that window. "Now" is `clock.now()`, so tests and the demo can move it.
Errors are 422 with the machine codes `time_in_future` and `outside_window`; `details.field` names the
field, so a form shows the Chinese message next to it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from civicgrid.core import clock, errors


def tolerance() -> timedelta:
    return timedelta(seconds=settings.CLOCK_TOLERANCE_SECONDS)


def latest(now: datetime | None = None) -> datetime:
    """The latest time that may be reported now."""
    return (now or clock.now()) + tolerance()


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def not_future(value: datetime, *, field: str, label: str, now: datetime | None = None,
               details: dict | None = None) -> datetime:
    """`value` unchanged, or 422 `time_in_future` when it is later than now plus the tolerance."""
    now = now or clock.now()
    if value > now + tolerance():
        raise errors.ValidationFailed(
            f"{label}({_local(value)})晚于当前时间({_local(now)}),不能登记尚未发生的时间",
            code="time_in_future", details={"field": field, "value": value.isoformat(), "now": now.isoformat(),
                                            **(details or {})})
    return value


def within(value: datetime, start: datetime, end: datetime, *, field: str, label: str,
           window: str, details: dict | None = None) -> datetime:
    """`value` unchanged, or 422 `outside_window` when it lies outside [start, end]."""
    if not start <= value <= end:
        raise errors.ValidationFailed(
            f"{label}({_local(value)})不在{window}({_local(start)}–{_local(end)})内",
            code="outside_window", details={"field": field, "value": value.isoformat(), "start": start.isoformat(),
                                            "end": end.isoformat(), **(details or {})})
    return value
