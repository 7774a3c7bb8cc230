"""Request context for audit records (who, from where), and the site context processor."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    channel: str = "system"  # web | api | command | system


_current: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("civicgrid_request", default=RequestInfo())


def current() -> RequestInfo:
    return _current.get()


def bind(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


def from_request(request, channel: str = "web") -> RequestInfo:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if getattr(settings, "TRUST_X_FORWARDED_FOR", False) else ""
    ip = forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    return RequestInfo(
        ip=ip,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        request_id=request.META.get("HTTP_X_REQUEST_ID", "") or uuid.uuid4().hex,
        channel=channel,
    )


def site(request):
    return {
        "SITE_NAME": "基层治理综合服务平台",
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
