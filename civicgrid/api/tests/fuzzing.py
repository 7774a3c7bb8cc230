"""What the Schemathesis fuzzing modules share (/api/v1 in test_fuzz.py, /open311/v2 in
civicgrid/open311/tests/test_fuzz.py): the bounded configuration, the in-process app, the two tests per
module (a few generated examples by default; more, with the boundary and negative values, under
`-m slow`) and the fixtures that keep the test's transaction and forget the throttles' counters."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

# every example of one test shares the test's savepoint: state built up by earlier examples is more
# ground to fuzz, and it all goes when the test ends
SHARED_DB = [HealthCheck.function_scoped_fixture]


def load(document: dict, *, seed: int, max_examples: int, coverage: bool = False, unexpected=("DELETE", "PATCH")):
    """The document's operations, called in process through WSGI (not civicgrid.wsgi: that one warms the
    locator up on import). With `coverage`, Schemathesis' coverage phase too: every parameter's boundary
    and negative values and the unexpected methods. That phase is for the `slow` tests: even in its
    positive mode it took most of the default run's fuzzing time (about 0.8 s of CPU per operation,
    against 0.13 s for four generated examples)."""
    config = SchemathesisConfig.from_dict({
        "seed": seed,
        "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False},
                   "coverage": {"enabled": coverage, "unexpected-methods": list(unexpected),
                                "generation": {"mode": "all"}}},
    })
    loaded = schemathesis.openapi.from_dict(document, config=config)
    loaded.app = WSGIHandler()
    return loaded


def operation_tests(schema, long_schema, run):
    """(the default test, the `slow` one): each generated request goes through `run(case, world)`."""

    @schema.parametrize()
    @settings(suppress_health_check=SHARED_DB)
    def test_operations(db, world, case):
        run(case, world)

    @pytest.mark.slow
    @long_schema.parametrize()
    @settings(suppress_health_check=SHARED_DB)
    def test_operations_longer(db, world, case):
        run(case, world)

    return test_operations, test_operations_longer


def keep_connection():
    """What Django's test client does around a request: a finished request must not close the
    connection that holds the test's transaction. (The test client connects the handler again after
    each of its requests: a module-scoped fixture that uses it must not make requests with it.)"""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def forget_counters():
    """Fuzzing signs in with wrong passwords, looks people up and posts with keys by the hundred: the
    throttles' counters live in the cache, not in the rolled-back transaction, and must not refuse later
    modules' requests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def isolation():
    """Both of the above, for one module fixture."""
    counters = forget_counters()
    next(counters)
    yield from keep_connection()
    next(counters, None)
