"""Every other case type end to end in the browser, from intake to its normal closing.

urban_event, dispute, safety_hazard and hard_case (citizen_request has its own journey in
test_case_journey.py): the realistic reporter files the case on a phone through /cases/report/, then each step
of the type's happy demo script (`civicgrid.demo.cases._script`, seeded as in cases/tests/test_journeys.py)
is done by the role that really does it, signed in as that person: dispatcher and leader at a desk, grid
worker and department handler on a phone. Each step finds the case in the actor's 待我处理 list, opens it,
fills exactly the fields the action's form asks, submits, and the page must show the step's target state.
Screenshots land in test-output/journey-<type>-<nn>-<action>.png.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from civicgrid.cases.actions import sync_categories
from civicgrid.cases.models import Case, Category
from civicgrid.cases.workflows import spec_for
from civicgrid.demo.cases import _script
from civicgrid.demo.evidence import photo_bytes
from civicgrid.testing import make_department, make_tree, make_user
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

DEPARTMENTS = {"CGJ": "城市管理综合行政执法局", "SFJ": "司法局", "YJJ": "应急管理局", "XFJ": "信访局"}
RADIO_FACTS = {"satisfaction", "resolved", "risk_level", "complexity", "tier", "agreement_form", "method"}
SELECT_FACTS = {"department", "outcome"}
CLOSING = {"evaluate", "callback", "close", "pass_review"}

# case type -> (reporter, category, description, how the place is set, extra answers, final state label)
INTAKE = {
    "urban_event": ("gw", "0102", "巡查发现小区东门外垃圾堆放两天未清运,有异味", "map", {}, "已评价"),
    "dispute": ("gw", "2002", "3号楼两户因楼上漏水损坏楼下吊顶发生争执,双方情绪激动,请求调解", "grid", {}, "已结案"),
    "safety_hazard": ("gw", "4002", "单元楼道内有电动车飞线充电,堵塞疏散通道", "map", {"floor": "2单元1楼楼道"},
                      "已销号"),
    "hard_case": ("res", "9001", "办理老旧小区加装电梯手续,多个窗口互相推诿,跑了三次还是办不成", "grid", {},
                  "已结案"),
}
# dispatcher and leader work at a desk; grid worker, department handlers and the resident on a phone
DESK_ROLES = {"disp", "boss"}
LEADER = "boss"


@pytest.fixture
def world():
    tree = make_tree()
    departments = {code: make_department(code, name) for code, name in DEPARTMENTS.items()}
    sync_categories()
    make_user("res", "resident")
    make_user("gw", "grid_worker", tree.grid_a)
    make_user("disp", "dispatcher", tree.district)
    make_user("boss", "leader", tree.district)
    for code, dept in departments.items():
        make_user(f"h_{code.lower()}", "department_handler", department=dept)
    return tree


def happy_script(case_type: str, category: Category) -> list[tuple[str, str, dict, float]]:
    """The first seeded demo script that ends in the type's normal closing (as test_journeys.py picks it)."""
    for seed in range(200):
        steps = _script(random.Random(seed), case_type, category)
        if steps[-1][0] in CLOSING and len(steps) > 2:
            return steps
    raise AssertionError(f"no happy script for {case_type}")


class Session:
    """Who is signed in on each browser page; signs in as someone else only when the actor changes."""

    def __init__(self, live_server, phone, desk):
        self.live_server, self.pages, self.user = live_server, {"phone": phone, "desk": desk}, {}

    def page_for(self, username: str, next_path: str):
        kind = "desk" if username in DESK_ROLES else "phone"
        page = self.pages[kind]
        if self.user.get(kind) != username:
            page.context.clear_cookies()
            sign_in(page, self.live_server, username, next_path)
            self.user[kind] = username
        else:
            page.goto(f"{self.live_server.url}{next_path}")
        return page


def sign_in(page, live_server, username: str, next_path: str) -> None:
    """conftest.login, waiting for the landing page's load event instead of network idle (faster)."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Passw0rd!x")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def follow(page, selector: str) -> None:
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def pin_in_grid_a(page) -> None:
    """Tap the report map inside micro-grid A: street A's outline is the square 123.1-123.2 E, 41.1-41.2 N,
    micro-grid A its south-west quarter, so a quarter in from the left and three quarters down is inside."""
    street_a = page.locator("#report-map path.leaflet-interactive").first
    street_a.scroll_into_view_if_needed()
    box = street_a.bounding_box()
    street_a.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    page.wait_for_selector("#picked:has-text('已选点')")


def report(page, tree, case_type: str) -> Case:
    _who, code, description, place, answers, _final = INTAKE[case_type]
    page.wait_for_selector("#report-map .leaflet-interactive")
    page.select_option("select[name=category]", code)
    if answers:
        page.wait_for_selector("[data-questions]")
        for key, value in answers.items():
            page.fill(f"[data-questions] [name=q_{key}]", value)
    page.fill("textarea[name=description]", description)
    if place == "map":
        pin_in_grid_a(page)
    else:
        page.select_option("select[name=region]", tree.grid_a.code)
        page.fill("input[name=address]", "幸福里小区3号楼")
    shot(page, f"journey-{case_type}-01-report")
    follow(page, "#report-form button[type=submit]")
    assert page.locator("[data-error]").count() == 0, page.locator("[data-error]").all_inner_texts()
    case = Case.objects.select_related("region", "category").get()
    assert "案件编号" in page.locator(".messages").inner_text()
    return case


def fill_facts(page, case: Case, action: str, facts: dict) -> None:
    """Fill one action form from a script step's facts, the way a person would."""
    form = f"#act-{action}"
    facts = dict(facts)
    if "extension_days" in facts:
        until = (case.due_at or timezone.now()) + timedelta(days=facts.pop("extension_days"))
        facts["extension_until"] = until.date().isoformat()
    if "deadline" in facts:
        facts["deadline"] = (timezone.localdate() + timedelta(days=facts["deadline"])).isoformat()
    if "leader" in facts:
        facts["leader"] = LEADER  # the district leader taking charge, by the name the window knows
    for key, value in facts.items():
        if value in ("", None, []):
            continue
        if key in RADIO_FACTS:
            value = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
            page.check(f"{form} input[name={key}][value='{value}']")
        elif key in SELECT_FACTS:
            page.select_option(f"{form} select[name={key}]", str(value))
        elif key == "co_departments":
            page.select_option(f"{form} select[name={key}]", list(value))
        elif key == "attachments":  # the labels stand for photos taken on the spot
            page.set_input_files(f"{form} input[name=attachments]", files=[
                {"name": f"{i}.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(f"{case.pk}-{label}")}
                for i, label in enumerate(value)])
        else:
            page.fill(f"{form} [name={key}]", str(value))


def actor_for(who: str, case: Case, reporter: str) -> str:
    if who == "handler":
        assert case.department_id, f"no department on {case.number} in state {case.state}"
        return f"h_{case.department.code.lower()}"
    if who == "reporter":
        return reporter
    return {"dispatcher": "disp", "grid": "gw"}[who]


def leader_sees_case(session, case: Case, case_type: str, n: int) -> None:
    """The leader now in charge finds the case in their own 待我处理 at the desk, able to convene."""
    page = session.page_for(LEADER, "/cases/?tab=todo")
    assert page.locator(f"tr[data-case='{case.number}']").count() == 1, f"{case.number} not in the leader's 待我处理"
    follow(page, f"tr[data-case='{case.number}'] .title a")
    assert page.locator("#act-convene").count() == 1
    assert f"包案领导:{LEADER}" in page.locator(".timeline").inner_text()
    shot(page, f"journey-{case_type}-{n:02d}-leader")


@pytest.mark.parametrize("case_type", list(INTAKE))
def test_case_type_journey_in_the_browser(case_type, phone_page, desktop_page, live_server, world):
    tree = world
    reporter, code, _desc, _place, answers, final_label = INTAKE[case_type]
    session = Session(live_server, phone_page, desktop_page)
    js_errors: list[str] = []
    for p in (phone_page, desktop_page):
        p.on("pageerror", lambda exc: js_errors.append(str(exc)))

    # intake on a phone by the realistic reporter
    page = session.page_for(reporter, "/cases/report/")
    case = report(page, tree, case_type)
    spec = spec_for(case.workflow)
    assert case.case_type == case_type and case.category.code == code
    assert case.created_by.username == reporter
    assert case.channel == ("resident" if reporter == "res" else "grid")
    assert case.region.code.startswith(tree.grid_a.code)  # grid A itself, or micro-grid A from the map pin
    assert case.answers == answers
    assert page.locator("[data-field=state]").inner_text() == spec.state(spec.initial).label
    # the mini map draws the case's area, plus the pin when the place was tapped on the map
    drawn = page.locator("#case-map path.leaflet-interactive")
    assert drawn.count() == (2 if INTAKE[case_type][3] == "map" else 1)
    shot(page, f"journey-{case_type}-02-submitted")

    steps = happy_script(case_type, case.category)
    expected = ["submit"]
    for n, (action, who, facts, _hours) in enumerate(steps, start=3):
        case = Case.objects.select_related("department", "workflow").get(pk=case.pk)
        username = actor_for(who, case, reporter)
        page = session.page_for(username, "/cases/?tab=todo")
        link = f"tr[data-case='{case.number}'] .title a"
        assert page.locator(link).count() == 1, f"{case.number} ({case.state}) not in {username}'s 待我处理 for {action}"
        follow(page, link)
        assert page.locator(f"#act-{action}").count() == 1, (
            action, username, page.locator(".case-actions details").evaluate_all("ds => ds.map(d => d.id)"))
        page.click(f"#act-{action} summary")
        page.wait_for_selector(f"#act-{action}[open] form")
        fill_facts(page, case, action, facts)
        shot(page, f"journey-{case_type}-{n:02d}-{action}")
        follow(page, f"#act-{action} button[type=submit]")
        assert page.locator("[data-error]").count() == 0, (action, page.locator("[data-error]").all_inner_texts())
        target = spec.transition(action).target
        assert page.locator("[data-field=state]").inner_text() == spec.state(target).label, action
        expected.append(action)
        if action == "assign_leader":
            leader_sees_case(session, case, case_type, n)

    # the closing state on the page, and every step in the timeline
    assert page.locator("[data-field=state]").inner_text() == final_label
    assert page.locator("#actions").count() == 0  # nothing left to do on a closed case
    timeline = page.locator(".timeline li").evaluate_all("lis => lis.map(li => li.dataset.action)")
    assert timeline == expected
    labels = page.locator(".timeline .what").all_inner_texts()
    assert labels == ["上报"] + [spec.transition(a).label for a in expected[1:]]
    shot(page, f"journey-{case_type}-{len(steps) + 3:02d}-closed")

    case = Case.objects.get(pk=case.pk)
    assert not case.is_open and case.closed_at is not None
    assert spec.state(case.state).label == final_label
    if case_type in ("urban_event", "hard_case"):
        assert case.satisfaction is not None

    # the reporter sees the closed case among their own
    if reporter == "res":
        page = session.page_for(reporter, "/cases/mine/")
        assert final_label in page.locator(f"[data-case='{case.number}']").inner_text()
    assert js_errors == []
