"""Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Screenshots go to test-output/ (or $CIVICGRID_TEST_OUTPUT). Without /usr/bin/chromium these tests skip
locally; under CI=true they fail instead, because CI must run them.
"""

from __future__ import annotations

import os
import time
import weakref
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(os.environ.get("CIVICGRID_TEST_OUTPUT", Path(__file__).resolve().parents[2] / "test-output"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: the test command installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (the README test command installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield Tracked(browser)
        browser.close()


# What settle() waits for: the requests in flight in each browser context made through `browser`.
_NETWORK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
QUIET_MS = 100  # how long no request may start or end before a page counts as settled


class _Network:
    def __init__(self, context):
        self.in_flight, self.events = set(), 0
        context.on("request", self._started)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._ended)

    def _started(self, request):
        self.in_flight.add(request)
        self.events += 1

    def _ended(self, request):
        self.in_flight.discard(request)
        self.events += 1


class Tracked:
    """The session's browser, whose new contexts count their requests in flight (for settle())."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        _NETWORK[context] = _Network(context)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


def settle(page, timeout: float = 30_000) -> None:
    """Wait for what page.wait_for_load_state("networkidle") waits for — the page loaded, and no request
    in flight — without its fixed half second of silence after the last one: the page's document is
    complete and no request of its context has started or ended for QUIET_MS. Every script of the site
    fetches on load or on a user's action, never on a timer shortly after, so the shorter silence sees
    the same page (a page of a context made outside `browser` gets Playwright's own wait)."""
    network = _NETWORK.get(page.context)
    if network is None:
        page.wait_for_load_state("networkidle", timeout=timeout)
        return
    deadline = time.monotonic() + timeout / 1000
    while True:
        before = network.events
        page.wait_for_timeout(QUIET_MS)  # runs the event loop: request events arrive meanwhile
        if not network.in_flight and network.events == before and _complete(page):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{page.url}: requests still in flight after {timeout:.0f} ms: "
                               f"{sorted(r.url for r in network.in_flight)[:5]}")
    page.wait_for_load_state("load")


def _complete(page) -> bool:
    try:
        return page.evaluate("document.readyState") == "complete"
    except Exception:  # a navigation replaced the document while asking
        return False


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username: str, password: str = "Passw0rd!x", next_path: str = "/") -> None:
    """Sign in through the form; where the account needs a second factor (the three administrators), bind
    an authenticator on first sign-in and type its current code, as the person would from their phone."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    settle(page)
    if "/accounts/login/enrol/" in page.url or "/accounts/login/verify/" in page.url:
        second_factor(page, username)


def second_factor(page, username: str) -> None:
    from civicgrid.accounts.models import User
    from civicgrid.testing import totp_code

    user = User.objects.get(username=username)
    enrolling = "/accounts/login/enrol/" in page.url
    page.fill("input[name=code]", totp_code(user))
    page.click("button[type=submit]")
    settle(page)
    if enrolling:  # the recovery codes are shown once; then on to the page asked for
        page.click("text=我已保存,继续")
        settle(page)


def wait_until(page, expression: str, timeout: float = 10_000) -> None:
    """page.wait_for_function, for pages under the Content-Security-Policy: Playwright compiles that one's
    predicate with `new Function` inside the page, which the policy (no 'unsafe-eval') refuses; this polls
    page.evaluate instead, which the DevTools protocol runs outside the page's policy."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {timeout:.0f} ms: {expression}")
        page.wait_for_timeout(100)


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
