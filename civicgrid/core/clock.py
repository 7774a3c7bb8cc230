"""The time actions act at. Normally the real clock; `at(moment)` sets it for a block of code, so the
demo generator can replay a year of work through the real actions and tests can age a case."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_fixed: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("civicgrid_clock", default=None)


def now() -> datetime:
    return _fixed.get() or timezone.now()


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        raise ValueError("clock.at needs an aware datetime")
    token = _fixed.set(moment)
    try:
        yield
    finally:
        _fixed.reset(token)
