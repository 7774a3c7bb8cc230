"""Reads of the figures registry (the API and the page share them)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from civicgrid.core import clock
from civicgrid.figures import registry


def figures(on: date | None = None) -> dict:
    on = on or timezone.localtime(clock.now()).date()
    return {"as_of": on, "items": registry.compute(on)}
