"""Page screening (issue 18, Done-when): pages rendered for each role at 390, 1280 and 1440 px fail on
horizontal overflow, nav overflow, squeezed table columns, raw permission codes, raw ISO times and the
words "resident"/"None" on a Chinese page (tests/browser/screening.py says what and how).

The default run screens, at all three widths, every role's home page (so each role's menu and account bar
are checked) and every page any role's menu leads to, each once, for the first role that can open it; and
every page with an object in its path (a case, a patrol, an enterprise, a subsidy payment...) on a real
object for the people who use it (tests/browser/screening_objects.py). The full matrix — every list page
for every role that can open it, and each object page for everyone named as using it — runs with -m slow.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.urls import reverse

from civicgrid.core.context import nav_entries_for
from tests.browser.screening import (
    build_world,
    list_urls,
    screen,
    session_cookie,
    shell_pages,
    unscreened,
)
from tests.browser.screening_objects import object_pages
from tests.sweep import ROLES, person  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(tree, person):  # noqa: F811
    return build_world(tree, person)


def _context(browser, live_server, user):
    context = browser.new_context(locale="zh-CN")
    if user is not None:
        context.add_cookies([session_cookie(live_server, user)])
    return context


def _run(browser, live_server, world, pages_for, once: bool) -> tuple[list[str], int]:
    """Screen each role's pages; with `once`, a page other than a role's home is screened for the first
    role that opens it only."""
    failures, screened, done = [], 0, set()
    for role in ROLES:
        user = world.viewers[role]
        context = _context(browser, live_server, user)
        page = context.new_page()
        for url in shell_pages(user, [u for u in dict.fromkeys(pages_for(user)) if u == "/" or u not in done]):
            if once:
                done.add(url)
            screened += 1
            for width, problems in screen(page, live_server.url + url).items():
                failures += [f"{role} {width}px {url}: {p}" for p in problems]
        context.close()
    return failures, screened


def _run_objects(browser, live_server, world, everyone: bool) -> tuple[list[str], int]:
    """Screen each object page for its users (with `everyone`, the others who use it too): one browser
    context per person, whose pages must all be pages of the site for them."""
    pages = object_pages(world)
    missing = unscreened(world.viewers["system_admin"], set(pages))
    assert missing == [], f"pages with an object in the path and none to screen them on: {missing}"
    by_user = defaultdict(list)
    for name, entry in pages.items():
        for user in entry.viewers + (entry.others if everyone else []):
            by_user[user].append(reverse(name, kwargs=entry.kwargs))
    failures, screened = [], 0
    for user, urls in by_user.items():
        who = user.username if user is not None else "visitor"
        if user is not None:
            opened = shell_pages(user, urls)
            failures += [f"{who} {url}: not a page of the site for them" for url in urls if url not in opened]
            urls = opened
        context = _context(browser, live_server, user)
        page = context.new_page()
        for url in urls:
            screened += 1
            for width, problems in screen(page, live_server.url + url).items():
                failures += [f"{who} {width}px {url}: {p}" for p in problems]
        context.close()
    return failures, screened


def test_every_role_at_every_width(browser, live_server, world):
    def pages_for(user):
        return ["/"] + [e.path for e in nav_entries_for(user) if not e.path.startswith("/api/")]

    failures, screened = _run(browser, live_server, world, pages_for, once=True)

    assert screened >= len(ROLES) + 20  # every role's home, and the pages behind the menus
    assert failures == [], "\n".join(failures)


def test_every_object_page_for_its_users_at_every_width(browser, live_server, world):
    failures, screened = _run_objects(browser, live_server, world, everyone=False)

    assert screened >= 45  # every object page, some for two kinds of user
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_every_page_for_every_role_at_every_width(browser, live_server, world):
    urls = list_urls()

    failures, screened = _run(browser, live_server, world, lambda user: urls, once=False)
    object_failures, object_screened = _run_objects(browser, live_server, world, everyone=True)

    print(f"screened {screened} role×page pairs and {object_screened} person×object pairs at 3 widths")
    assert failures + object_failures == [], "\n".join(failures + object_failures)
