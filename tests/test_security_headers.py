"""Browser security headers on every page and API answer, and templates the Content-Security-Policy can keep
closed (issue 13, findings 2 and 12).

Every URL pattern of the project — pages and each /api/v1 operation — is requested anonymously and by a
signed-in user, its arguments filled with sample values: whatever the answer (200, 302, 403, 404, 405), it
carries the CSP (scripts from our own files only, no framing, no plugins), Permissions-Policy, nosniff, the
referrer policy and Cache-Control: no-store. A few answers that really carry personal data are checked with
real records. The template scan keeps inline scripts and on*= handlers out: the CSP would block them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}
# answers whose view chose its own caching: the service worker's code (no personal data, revalidated)
OWN_CACHING = {"/gridops/campaigns/sw.js": "no-cache"}


def _routes() -> list[str]:
    """Every URL pattern of the project as a path, converters replaced by a sample value."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    filled = {re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
              for route in walk(get_resolver().url_patterns, "/")}
    return sorted(filled)


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def assert_browser_headers(response, path: str) -> None:
    where = f"{response.status_code} {path}"
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"], where
    assert csp["default-src"] == ["'self'"], where
    assert csp["object-src"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], where
    assert "'unsafe-eval'" not in response["Content-Security-Policy"], where
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy and "camera=()" in policy and "microphone=()" in policy, where
    assert "payment=()" in policy and "usb=()" in policy, where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    cache = response.get("Cache-Control", "")
    assert cache == OWN_CACHING[path] if path in OWN_CACHING else "no-store" in cache, f"{where}: {cache!r}"


@pytest.mark.django_db
def test_every_page_and_api_route_carries_the_security_headers(client, tree):
    from civicgrid.testing import make_user

    routes = _routes()
    assert "/api/v1/people/residents" in routes and "/people/residents/1/" in routes  # the walk found both
    client.raise_request_exception = False  # a route that fails on sample arguments still answers with headers
    for path in routes:
        assert_browser_headers(client.get(path), path)
    make_user("hdr_admin", "community_admin", tree.community_a)
    client.login(username="hdr_admin", password="Passw0rd!x")
    for path in routes:
        assert_browser_headers(client.get(path), path)


@pytest.mark.django_db
def test_answers_with_personal_data_are_never_stored(client, tree):
    from civicgrid.people.forms import REVEAL_REASONS
    from civicgrid.people.tests.factories import ident, make_household, make_resident
    from civicgrid.testing import make_user

    household = make_household(tree.grid_a, "H-1")
    resident = make_resident(household, "王芳", ident(3), phone="13800138000")
    make_user("hdr_worker", "community_admin", tree.community_a)
    client.login(username="hdr_worker", password="Passw0rd!x")
    answers = {
        "resident page": client.get(f"/people/residents/{resident.pk}/"),
        "reveal": client.post(f"/people/residents/{resident.pk}/reveal/", {"reason": REVEAL_REASONS[0]}),
        "people export": client.get("/people/export/"),
        "API residents": client.get("/api/v1/people/residents"),
        "API resident": client.get(f"/api/v1/people/residents/{resident.pk}"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name
    assert "王芳" in answers["resident page"].content.decode()


@pytest.mark.django_db
def test_an_api_answer_to_a_bearer_token_is_never_stored(client, tree):
    from civicgrid.testing import make_user

    make_user("hdr_token", "grid_worker", tree.grid_a)
    token = client.post("/api/v1/auth/token", {"username": "hdr_token", "password": "Passw0rd!x"},
                        content_type="application/json").json()["token"]
    response = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert _directives(response)["frame-ancestors"] == ["'none'"]


def test_static_files_keep_their_own_caching(client):
    """WhiteNoise answers static files before the no-store rule: scripts and styles stay cacheable."""
    response = client.get("/static/js/safe.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_csrf_cookie_is_not_readable_by_scripts(client):
    response = client.get("/accounts/login/")
    assert response.cookies["csrftoken"]["httponly"] is True


@pytest.mark.django_db
def test_the_api_docs_need_a_sign_in_unless_made_public(client, tree, settings):
    from civicgrid.testing import make_user

    settings.API_DOCS_PUBLIC = False
    assert client.get("/api/v1/openapi.json").status_code == 401
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    make_user("hdr_docs", "grid_worker", tree.grid_a)
    client.login(username="hdr_docs", password="Passw0rd!x")
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    client.logout()
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/v1/openapi.json").status_code == 200


# --- templates: nothing inline for the CSP to block ---------------------------------------------------

TEMPLATES = sorted(p for p in (ROOT / "civicgrid").rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>\s*\S", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert INLINE_SCRIPT.search('<script type="module">\n go()</script>')
    assert not INLINE_SCRIPT.search('<script src="{% static \'js/app.js\' %}"></script>')
    assert HANDLER.search('<select name="level" onchange="this.form.submit()">')
    assert HANDLER.search('<form method="post"\n  onsubmit="return confirm(1)">')
    assert not HANDLER.search('<form data-confirm="确定?" class="one">')
    assert JS_URL.search('<a href="javascript:void(0)">')


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for template in TEMPLATES:
        text, name = template.read_text(encoding="utf-8"), str(template.relative_to(ROOT))
        offenders += [f"{name}: inline <script> (move it into a static file)"] if INLINE_SCRIPT.search(text) else []
        offenders += [f"{name}: on*= handler (use a data- attribute and js/app.js)"] if HANDLER.search(text) else []
        offenders += [f"{name}: javascript: URL"] if JS_URL.search(text) else []
    assert len(TEMPLATES) > 100 and offenders == []
