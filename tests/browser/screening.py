"""The page screening (issue 18, item 8): every page of the main UI, for each role, at a phone's and two
laptops' widths, checked for the classes of defect a new user meets at once — a page wider than the
window, nav entries out of sight or under the user name, table columns squeezed to a character a line,
raw permission codes, raw ISO times, and the English words "resident"/"None" on a Chinese page.

The pages come from the URL configuration (so a new page is screened the day it is added). A page with
an object in its path is opened on a real object of the screening world (tests/sweep.py's person plus
viewers for every role, a few more cases, and what screening_objects.py adds: a patrol, a campaign, an
enterprise with its project, relief case, subsidy and challenge...) by the people who use it; `NO_OBJECT`
names the routes that are no page (a download, a redirect, an htmx fragment), each with why, and a route
with a parameter in neither place fails the test unless a GET is refused (405: a POST-only action).
Which list pages a role screens is what the server answers it: a 200 HTML page in the site's shell (not
a redirect, a refusal, a download or an htmx fragment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from civicgrid.accounts.models import Department, User
from civicgrid.cases.actions import submit_case
from civicgrid.cases.admin.actions import save_routing_rule
from civicgrid.cases.intake import IntakeInput
from tests.browser.conftest import screenshot
from tests.sweep import ROLES, viewer

WIDTHS = (390, 1280, 1440)
HEIGHT = 900

# the people behind the viewers, with names as long as real ones (the nav and the account share a bar)
NAMES = {"leader": "欧阳建国", "community_admin": "司马晓燕", "street_admin": "诸葛明远", "dispatcher": "上官文静"}

# pages with an object in the path that are no page to screen, each with why; every other route with a
# parameter that answers a GET is screened on an object of tests/browser/screening_objects.py, or the
# object-page test fails
NO_OBJECT = {
    "people:resident_reveal": "POST: an audited unmask", "fieldwork:key_person_reveal": "POST: an audited unmask",
    "cases:act": "POST: a workflow action", "cases:photo": "a photo file", "cases:inbox_open": "a redirect",
    "volunteers:certificate_pdf": "a PDF", "campaigns:photo": "a photo file", "works:photo": "a photo file",
    "recognition:photo": "a photo file", "recognition:material": "a file", "open311:media": "a file",
    "reports:download": "a file", "reports:progress": "an htmx fragment", "campaigns:designer_row": "an htmx fragment",
    "campaigns:progress": "an htmx fragment", "volunteers:shortlist": "an htmx fragment",
    "campaigns:export": "an Excel download", "subsidies:batch_template": "an Excel download",
    "privacy:my_data_download": "a download", "recognition:object": "a redirect: objections are POSTed",
}


@dataclass
class World:
    tree: object
    person: object
    viewers: dict[str, User]
    cases: list
    rule: object  # a routing rule


def build_world(tree, person) -> World:
    viewers = {}
    for role in ROLES:
        user = viewer(tree, person, role)
        if role in NAMES:
            User.objects.filter(pk=user.pk).update(display_name=NAMES[role])
        viewers[role] = user
    # names as long as the district's own (城市管理综合行政执法局): short test names hide squeezed columns
    Department.objects.filter(pk=person.police.pk).update(name="宏伟区公安分局治安管理大队")
    cases = [person.case]
    for code, text in (("0102", "小区东门外人行道井盖缺失，夜间行人容易踩空，已有老人摔伤，请尽快处理"),
                       ("3001", "6号楼3单元楼道灯坏了半个月，晚上上下楼看不见")):
        cases.append(submit_case(actor=person.account, data=IntakeInput(
            description=text, channel="resident", category_code=code, region_code=tree.micro_a.code,
            reporter_name="赵明", address="幸福里小区6号楼3单元201")).case)
    rule = save_routing_rule(actor=viewers["system_admin"], region_code=tree.community_a.code, category_code="0102",
                             department_code=person.police.code, co_department_codes=[], note="", is_active=True)
    return World(tree=tree, person=person, viewers=viewers, cases=cases, rule=rule)


def named_routes() -> list[tuple[str, str]]:
    """(route, "namespace:name") of every page outside the API."""
    def walk(patterns, prefix="", namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), f"{namespace}:{entry.name}".strip(":") if entry.name else ""

    return [(route, name) for route, name in walk(get_resolver().url_patterns)
            if not route.startswith(("api/", "open311/"))]


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def list_urls() -> list[str]:
    """The pages without a parameter in their path."""
    return ["/" + route for route, _name in named_routes() if "^" not in route and not PARAM.search(route)]


def object_routes() -> list[str]:
    """The url names of the routes with a parameter, but for those that are no page (NO_OBJECT)."""
    return [name for route, name in named_routes()
            if "^" not in route and PARAM.search(route) and name not in NO_OBJECT]


def unscreened(user, screened: set[str]) -> list[str]:
    """The routes with a parameter that answer a GET but have no object to screen them on: a route a GET
    reaches (anything but 405 with placeholder values, whatever the object) is a page to screen."""
    client = Client()
    client.force_login(user)
    routes = dict((name, route) for route, name in named_routes())
    missing = []
    for name in object_routes():
        if name in screened:
            continue
        url = "/" + PARAM.sub(lambda m: "1" if m.group(1) == "int" else "x", routes[name])
        if client.get(url).status_code != 405:
            missing.append(name)
    return missing


def shell_pages(user, urls: list[str]) -> list[str]:
    """The URLs that answer `user` with a whole page in the site's shell."""
    client = Client()
    client.force_login(user)
    pages = []
    for url in urls:
        response = client.get(url)
        if (response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")
                and not response.streaming and b'class="topbar"' in response.content):
            pages.append(url)
    return pages


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": live_server.url}


# ---- what is checked on each page -------------------------------------------------------------------------

PERMISSION_CODE = re.compile(r"\b[a-z][a-z0-9]*\.[a-z]+_[a-z_]+\b")
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ENGLISH_WORD = re.compile(r"\b(?:[Rr]esident|None)\b")
CURRENCY_CODE = re.compile(r"\b(?:CNY|USD|EUR|JPY|HKD)\b")  # a Chinese page says 元, 美元...

LAYOUT = """() => {
  const w = window.innerWidth, problems = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const scrolls = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  if (document.documentElement.scrollWidth > w + 1) {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > w + 1 && !scrolls(el)) wide.push(name(el) + ' ' + Math.round(r.right) + 'px');
    }
    problems.push('page ' + document.documentElement.scrollWidth + 'px wide: ' + wide.slice(-3).join(', '));
  }
  const menu = document.querySelector('.topbar .menu');
  if (menu && menu.getClientRects().length) {
    if (menu.scrollWidth > menu.clientWidth + 1) problems.push('nav entries scroll out of the bar');
    const account = document.querySelector('.topbar .account');
    const box = account && account.getBoundingClientRect();
    for (const a of menu.querySelectorAll('a')) {
      const r = a.getBoundingClientRect();
      if (r.right > w + 1 || r.left < -1) problems.push('nav entry ' + a.innerText + ' outside the window');
      else if (box && r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom)
        problems.push('nav entry ' + a.innerText + ' under the user name');
    }
  }
  for (const table of document.querySelectorAll('table.stack')) {  // on a phone each row is a card
    const box = table.parentElement;
    if (w < 600 && table.getClientRects().length && table.scrollWidth > box.clientWidth + 1)
      problems.push('card table ' + name(table) + ' ' + table.scrollWidth + 'px in ' + box.clientWidth + 'px');
  }
  for (const cell of document.querySelectorAll('td, th')) {
    if (!cell.getClientRects().length) continue;
    const text = cell.innerText.trim();
    if (text.length < 4) continue;
    const style = getComputedStyle(cell), size = parseFloat(style.fontSize);
    const width = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = range.getBoundingClientRect().height / (1.3 * size);  // the text's own lines, not the row's
    if (width < 2.5 * size && lines > 2.5)
      problems.push('column squeezed to ' + Math.round(width) + 'px: ' + text.slice(0, 12));
  }
  return problems;
}"""


def text_problems(text: str, chinese: bool) -> list[str]:
    problems = [f"raw permission code {m}" for m in sorted(set(PERMISSION_CODE.findall(text)))]
    problems += [f"raw ISO time {m}" for m in sorted(set(ISO_TIME.findall(text)))]
    if chinese:
        problems += [f"English word {m!r}" for m in sorted(set(ENGLISH_WORD.findall(text)))]
        problems += [f"raw currency code {m}" for m in sorted(set(CURRENCY_CODE.findall(text)))]
    return problems


def screen(page, url: str) -> dict[int, list[str]]:
    """Load `url` once and check it at each width: {width: problems}."""
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    page.goto(url, wait_until="load")
    chinese = (page.locator("html").get_attribute("lang") or "").startswith("zh")
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.wait_for_timeout(30)
        problems = page.evaluate(LAYOUT) + text_problems(page.locator("body").inner_text(), chinese)
        if problems:
            found[width] = problems
            shot = re.sub(r"[^\w]+", "-", url.split("//", 1)[-1].split("/", 1)[-1]).strip("-") or "home"
            screenshot(page, f"screening-{shot}-{width}")
    return found
