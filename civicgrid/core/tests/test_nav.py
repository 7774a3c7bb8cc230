"""The shell's navigation is derived from permissions: each role sees exactly the entries it may use."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from civicgrid.core.context import NAV_ENTRIES, nav, nav_entries_for
from civicgrid.core.permissions import registry
from civicgrid.core.templatetags.shell import ICONS
from civicgrid.testing import make_department, make_tree, make_user


@pytest.fixture
def tree(db):
    return make_tree()


def keys(user) -> list[str]:
    return [e.key for e in nav_entries_for(user)]


def test_every_nav_permission_is_declared(db):
    declared = registry()
    assert [e.perm for e in NAV_ENTRIES if e.perm and e.perm not in declared] == []


@pytest.mark.parametrize("role,where,expected", [
    ("grid_worker", "grid_a", ["regions", "map", "people", "cases", "report", "volunteers", "fieldwork", "patrols",
                               "campaigns", "handover", "api_docs"]),
    ("micro_grid_worker", "micro_a", ["regions", "map", "people", "cases", "report", "volunteers", "fieldwork",
                                      "patrols", "campaigns", "api_docs"]),
    ("police_liaison", "community_a", ["regions", "map", "people", "cases", "report", "joint_work", "api_docs"]),
    ("dispatcher", "district", ["regions", "map", "people", "cases", "report", "dashboard", "board", "hard_cases",
                                "relief", "api_docs"]),
    ("leader", "district", ["regions", "map", "people", "cases", "dashboard", "board", "volunteers", "works", "fieldwork",
                            "patrol_report", "campaigns", "enterprises", "investment", "relief", "subsidies",
                            "innovation", "figures", "api_docs"]),
    ("centre_admin", "district", ["regions", "map", "cases", "report", "dashboard", "board", "volunteers",
                                  "recognition", "recognition_review", "works", "api_docs"]),
    ("system_admin", "district", ["regions", "map", "routing", "accounts", "departments", "handover", "api_docs"]),
    ("security_admin", "district", ["regions", "map", "grants", "api_docs"]),
    ("audit_admin", "district", ["audit", "api_docs"]),
    ("resident", None, ["cases", "report", "volunteers", "publicservice", "recognition"]),  # no API documentation
])
def test_nav_entries_per_role(tree, role, where, expected):
    user = make_user("u", role, getattr(tree, where) if where else None)
    assert keys(user) == expected


def test_station_admin_works_through_the_station_department(tree):
    user = make_user("s", "station_admin", department=make_department("WM-S1", "文明实践站"))
    assert keys(user) == ["cases", "volunteers", "api_docs"]


def test_volunteer_works_through_the_team_department(tree):
    user = make_user("v", "volunteer", department=make_department("TD-T1", "志愿服务队"))
    assert keys(user) == ["cases", "volunteers", "api_docs"]


def test_enterprise_officer_and_contact(tree):
    officer = make_user("o", "enterprise_officer", department=make_department("GXJFJ", "高新区经济发展局"))
    assert keys(officer) == ["cases", "report", "dashboard", "board", "enterprise_work", "enterprises", "investment",
                             "relief", "subsidies", "innovation", "figures", "api_docs"]
    assert keys(make_user("c", "enterprise_contact")) == [  # self-scoped: no API docs
        "cases", "report", "enterprise_portal", "investment_reports", "relief", "subsidies", "innovation"]


def test_department_handler_gets_no_region_or_people_entries(tree):
    user = make_user("h", "department_handler", department=make_department())
    assert keys(user) == ["cases", "dashboard", "board", "publicservice", "works", "relief", "api_docs"]


def test_anonymous_and_inactive_users_get_nothing(tree):
    inactive = make_user("gone", "grid_worker", tree.grid_a)
    inactive.is_active = False
    assert keys(AnonymousUser()) == []
    assert keys(inactive) == []


def test_context_marks_the_active_entry_and_fills_the_tab_bar(tree):
    request = RequestFactory().get("/geo/map/")
    request.user = make_user("gw", "grid_worker", tree.grid_a)

    context = nav(request)["nav"]

    assert context["active"] == "map"
    assert [e.key for e in context["tabs"]] == ["regions", "map", "people"]
    assert context["roles"] == ["网格员"]


def test_home_page_shows_cards_for_the_role(client, tree):
    client.force_login(make_user("gw", "grid_worker", tree.grid_a))
    body = client.get("/").content.decode()
    assert 'data-entry="map"' in body and 'data-entry="people"' in body
    assert 'data-entry="audit"' not in body
    assert "网格A(211004001001001)" in body

    client.force_login(make_user("auditor", "audit_admin", tree.district))
    body = client.get("/").content.decode()
    assert 'data-entry="audit"' in body
    assert 'data-entry="people"' not in body and 'href="/people/"' not in body


def test_every_nav_entry_has_an_icon():
    assert [e.key for e in NAV_ENTRIES if e.key not in ICONS] == []  # the home page's cards draw them
