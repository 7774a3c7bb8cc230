"""One structured log line and one latency observation per request."""

from __future__ import annotations

import logging
import time

from civicgrid.core import context
from civicgrid.ops import metrics

log = logging.getLogger("civicgrid.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = request.resolver_match
        # the route pattern, not the path: one series per view, whatever the ids in the URL
        route = match.route if match else "unmatched"
        metrics.observe(request.method, route, response.status_code, seconds)
        if log.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "route": route, "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1), "request_id": context.current().request_id,
                "user_id": user.pk if user is not None and user.is_authenticated else None})
        return response
