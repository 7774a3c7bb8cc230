from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, resolve_url
from django.utils import translation

from civicgrid.core import context

IDLE_KEY = "civicgrid_last_seen"


class RequestContextMiddleware:
    """Binds who/where for the audit log to the current request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith(("/api/", "/open311/")) else "web"
        token = context.bind(context.from_request(request, channel))
        try:
            response = self.get_response(request)
            response.setdefault("X-Request-ID", context.current().request_id)
            return response
        finally:
            context.reset(token)


class IdleTimeoutMiddleware:
    """Logs a session out after SESSION_IDLE_MINUTES without a request (等保 AUTH-5)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(IDLE_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.path, 'idle': 1})}")
            # Writing the session on every request costs a write; a minute of slack is harmless.
            if last is None or now - last > 60:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class LanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose English with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a district platform's
    default is Chinese whatever the browser says.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set (the CSP comes from django-csp's middleware).

    - Permissions-Policy (settings.PERMISSIONS_POLICY): only the browser features the pages use, for this
      origin only — geolocation (the report map's "use my location", the patrol phone page) and the screen
      wake lock (a patrol keeps the phone awake); camera, microphone, payment, USB and the rest are off.
      Photos come from a file input, which needs no camera permission.
    - Cache-Control: no-store on every answer a view made that did not choose its own caching. Pages and
      API answers carry residents' data; nothing of it may stay in a browser's or proxy's cache after the
      session ends. Static files never reach here (WhiteNoise answers them first and caches them for long).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response
