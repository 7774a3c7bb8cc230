"""API authentication: `Authorization: Bearer <token>` (tokens from POST /api/v1/auth/token), or the
browser session (with CSRF on writes)."""

from __future__ import annotations

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
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [BearerToken(), Session()]
