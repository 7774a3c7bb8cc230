"""Page screening (issue 18, Done-when): pages rendered for each role at 390, 1280 and 1440 px fail on
horizontal overflow, nav overflow, squeezed table columns, raw permission codes, raw ISO times and the
words "resident"/"None" on a Chinese page (tests/browser/screening.py says what and how).

The default run screens, at all three widths, every role's home page (so each role's menu and account bar
are checked) and every page any role's menu leads to and the object pages (a case, a resident...), each
page once, for the first role that can open it; the full matrix — every page of the URL configuration
for every role that can open it — runs with -m slow. Both use one world.
"""

from __future__ import annotations

import pytest

from civicgrid.core.context import nav_entries_for
from tests.browser.screening import build_world, page_urls, screen, session_cookie, shell_pages
from tests.sweep import ROLES, person  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(tree, person):  # noqa: F811
    return build_world(tree, person)


def _run(browser, live_server, world, pages_for, once: bool) -> tuple[list[str], int]:
    """Screen each role's pages; with `once`, a page other than a role's home is screened for the first
    role that opens it only."""
    failures, screened, done = [], 0, set()
    for role in ROLES:
        user = world.viewers[role]
        context = browser.new_context(locale="zh-CN")
        context.add_cookies([session_cookie(live_server, user)])
        page = context.new_page()
        for url in shell_pages(user, [u for u in dict.fromkeys(pages_for(user)) if u == "/" or u not in done]):
            if once:
                done.add(url)
            screened += 1
            for width, problems in screen(page, live_server.url + url).items():
                failures += [f"{role} {width}px {url}: {p}" for p in problems]
        context.close()
    return failures, screened


def test_every_role_at_every_width(browser, live_server, world):
    urls, _unscreened = page_urls(world)
    objects = [u for u in urls if any(ch.isdigit() for ch in u)]

    def pages_for(user):
        return ["/"] + [e.path for e in nav_entries_for(user) if not e.path.startswith("/api/")] + objects

    failures, screened = _run(browser, live_server, world, pages_for, once=True)

    assert screened >= len(ROLES) + 20  # every role's home, and the pages behind the menus
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_every_page_for_every_role_at_every_width(browser, live_server, world):
    urls, unscreened = page_urls(world)

    failures, screened = _run(browser, live_server, world, lambda user: urls, once=False)

    print(f"screened {screened} role×page pairs at 3 widths; no object for: {', '.join(sorted(unscreened))}")
    assert failures == [], "\n".join(failures)
