"""Project-wide pytest setup: fast password hashing, the shared tree fixture, PostgreSQL opt-in."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# No per-example deadlines or "too slow" health checks: timings on a loaded 2-core CI machine are not
# what property tests check (the benchmarks under bench/ measure speed).
settings.register_profile("civicgrid", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("civicgrid")


def pytest_configure(config):
    from django.conf import settings

    # Argon2 is the production hasher; tests need thousands of users, not slow hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # browser journeys set the live server's clock per request (core/testclock.py); inert without its header
    settings.TEST_CLOCK = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "civicgrid.core.testclock.TestClockMiddleware"]
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_collection_modifyitems(config, items):
    """With CIVICGRID_TEST_DATABASE_ONLY=1 (./run test's PostgreSQL pass) only the tests that touch the
    database run: the rest (the pure engine, parsers, property tests) gave the same answer on SQLite."""
    if os.environ.get("CIVICGRID_TEST_DATABASE_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        touches = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (keep if touches else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def tree(db):
    from civicgrid.geo.locator import get_locator
    from civicgrid.testing import make_tree

    # the process's locator checks the boundary stamp only every few seconds: a test that just built
    # another district (the demo) must not leave its index to this one
    get_locator().invalidate()
    return make_tree()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counts kept in the cache (sign-in throttling) start from nothing in each test: the memory cache lives
    as long as the test process."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request with the English cookie leaves English active in the thread; each test starts in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
