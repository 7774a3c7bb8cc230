"""geo tests: every test starts with a fresh default locator that checks the stamp on every call."""

from __future__ import annotations

import pytest

from civicgrid.geo.locator import get_locator


@pytest.fixture(autouse=True)
def fresh_locator(settings):
    settings.GEO_STAMP_CHECK_SECONDS = 0
    get_locator().invalidate()
    yield get_locator()
    get_locator().invalidate()
