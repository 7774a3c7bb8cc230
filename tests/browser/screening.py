"""The page screening (issue 18, item 8): every page of the main UI, for each role, at a phone's and two
laptops' widths, checked for the classes of defect a new user meets at once — a page wider than the
window, nav entries out of sight or under the user name, table columns squeezed to a character a line,
raw permission codes, raw ISO times, and the English words "resident"/"None" on a Chinese page.

The pages come from the URL configuration (so a new page is screened the day it is added); a page with
an object in its path gets one from the screening world below (tests/sweep.py's person — a resident,
household, volunteer, practice station and team, key person and case — plus viewers for every role and a
few more cases), and `NO_OBJECT` names the pages the world has no object for, each with why. Which pages a
role screens is what the server answers it: a 200 HTML page in the site's shell (not a redirect, a
refusal, a download or an htmx fragment).
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
from tests.sweep import ROLES, viewer

WIDTHS = (390, 1280, 1440)
HEIGHT = 900

# the people behind the viewers, with names as long as real ones (the nav and the account share a bar)
NAMES = {"leader": "欧阳建国", "community_admin": "司马晓燕", "street_admin": "诸葛明远", "dispatcher": "上官文静"}

# pages with an object in the path: how the screening world names it
def _objects(world) -> dict[str, object]:
    return {
        "geo:region_detail": world.tree.community_a.code,
        "people:resident_detail": world.person.resident.pk,
        "people:household_detail": world.person.household.pk,
        "cases:detail": world.person.case.pk,
        "volunteers:volunteer": world.person.volunteer.pk,
        "fieldwork:key_person_detail": world.person.assignment.pk,
        "dashboard:region": world.tree.district.code,
        "dashboard:department": world.person.police.code,
        "dashboard:domain": "volunteers",
        "cases:admin_category_edit": "0102",
        "cases:admin_routing_edit": world.rule.pk,
    }


NO_OBJECT = {
    # not pages: an action, a file or a fragment answered at this path
    "people:resident_reveal": "POST: an audited unmask", "fieldwork:key_person_reveal": "POST: an audited unmask",
    "cases:act": "POST: a workflow action", "cases:photo": "a photo file", "cases:inbox_open": "a redirect",
    "volunteers:certificate_pdf": "a PDF", "campaigns:photo": "a photo file", "works:photo": "a photo file",
    "recognition:photo": "a photo file", "recognition:material": "a file", "open311:media": "a file",
    "reports:download": "a file", "reports:progress": "an htmx fragment", "campaigns:designer_row": "an htmx fragment",
    "campaigns:progress": "an htmx fragment",
}
# every other page with an object in its path is screened once the world has such an object; until then
# it is counted as unscreened (the test prints the list), not silently skipped


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


def page_urls(world) -> tuple[list[str], dict[str, str]]:
    """(the URLs to try, {name: why not} of the pages with an object the world does not have)."""
    objects = _objects(world)
    urls, unscreened = [], {}
    for route, name in named_routes():
        if "^" in route or name in NO_OBJECT:
            continue
        if PARAM.search(route):
            if name not in objects:
                unscreened[name] = "the screening world has no object for it"
                continue
            route = PARAM.sub(str(objects[name]), route, count=1)
            if PARAM.search(route):
                unscreened[name] = "more than one object in the path"
                continue
        urls.append("/" + route)
    return urls, unscreened


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
    return found
