"""Tests only: a browser journey's requests run at the time the test sets (`clock.at`), so a live server
in another thread sees the test's clock. Never in production: the middleware is not in the settings'
MIDDLEWARE (the test setup adds it) and it switches itself off unless `settings.TEST_CLOCK` is true,
which no environment variable sets."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.utils.dateparse import parse_datetime

from civicgrid.core import clock

HEADER = "X-Civicgrid-Test-Clock"  # an ISO 8601 time with offset, sent by the test's browser context


class TestClockMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "TEST_CLOCK", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        value = request.headers.get(HEADER)
        moment = parse_datetime(value) if value else None
        if moment is None or moment.utcoffset() is None:
            return self.get_response(request)
        with clock.at(moment):
            return self.get_response(request)
