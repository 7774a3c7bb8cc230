"""API authentication: `Authorization: Bearer <token>` (tokens from POST /api/v1/auth/token), or the
browser session (with CSRF on writes)."""

from __future__ import annotations

from django.conf import settings
from ninja.security import HttpBearer, SessionAuth

from civicgrid.accounts import queries as account_queries


class BearerToken(HttpBearer):
    openapi_description = "POST /api/v1/auth/token 获取的令牌"

    def authenticate(self, request, token: str):
        user = account_queries.user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


class Session(SessionAuth):
    def __call__(self, request):
        # CSRF guards a session. A request without the session cookie has none to guard, and one that names
        # a bearer token chose the token: both get 401 when the token fails, not a CSRF 403.
        if "Authorization" in request.headers or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [BearerToken(), Session()]
