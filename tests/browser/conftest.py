"""Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Screenshots go to test-output/ (or $CIVICGRID_TEST_OUTPUT). Without /usr/bin/chromium these tests skip
locally; under CI=true they fail instead, because CI must run them.
"""

from __future__ import annotations

import os
import time
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
        yield browser
        browser.close()


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
    page.wait_for_load_state("networkidle")
    if "/accounts/login/enrol/" in page.url or "/accounts/login/verify/" in page.url:
        second_factor(page, username)


def second_factor(page, username: str) -> None:
    from civicgrid.accounts.models import User
    from civicgrid.testing import totp_code

    user = User.objects.get(username=username)
    enrolling = "/accounts/login/enrol/" in page.url
    page.fill("input[name=code]", totp_code(user))
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if enrolling:  # the recovery codes are shown once; then on to the page asked for
        page.click("text=我已保存,继续")
        page.wait_for_load_state("networkidle")


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
