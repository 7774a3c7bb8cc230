"""Liveness, readiness and metrics for load balancers, orchestrators and Prometheus. No session, no
login page: probes call them without cookies."""

from __future__ import annotations

import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from civicgrid.ops import metrics, queries


@require_GET
def healthz(request):
    """Alive: the process answers. It reads nothing, so a database outage does not restart every worker."""
    return JsonResponse({"status": "ok"})


def _check(name: str, probe) -> dict:
    started = time.perf_counter()
    try:
        detail = probe()
    except (DatabaseError, ConnectionError, OSError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    ok = detail is True or detail == 0
    result = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if not ok:
        result["detail"] = detail
    return result


def _database() -> bool:
    connection.ensure_connection()
    return connection.is_usable()


def _cache() -> bool:
    cache.set("ops:readyz", "1", 10)
    return cache.get("ops:readyz") == "1"


@require_GET
def readyz(request):
    """Ready to serve: the database answers, every migration is applied, the cache works."""
    checks = {"database": _check("database", _database)}
    if checks["database"]["ok"]:
        checks["migrations"] = _check("migrations", queries.unapplied_migrations)
    checks["cache"] = _check("cache", _cache)
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ready" if ready else "not_ready", "checks": checks}, status=200 if ready else 503)


def _may_scrape(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), token.encode())
    return request.META.get("REMOTE_ADDR") in {"127.0.0.1", "::1"}


@require_GET
def metrics_view(request):
    if not _may_scrape(request):
        return JsonResponse({"code": "forbidden", "message": "无权读取监控指标", "details": None}, status=403)
    return HttpResponse(metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")
