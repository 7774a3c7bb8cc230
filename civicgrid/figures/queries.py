"""Reads of the figures registry (the API and the page share them)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from civicgrid.core import clock
from civicgrid.figures import registry


def figures(on: date | None = None, region_code: str = "") -> dict:
    """The figures of the whole tree, or of one district (`region_code`; the caller checks the reader
    reaches it: `core.scoping.table_reach(user, VIEW).allows(code)`)."""
    on = on or timezone.localtime(clock.now()).date()
    return {"as_of": on, "region_code": region_code, "items": registry.compute(on, region_code=region_code)}
