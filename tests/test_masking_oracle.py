"""The masking oracle, closed as a class: no list, search, filter, export or sort answers differently for a
right and a wrong guess of a person's complete ID number or phone — for every role, through every GET
endpoint of the API and every page — unless the request is the audited, rate-limited exact look-up itself
(people.lookup_personal with a reason: civicgrid/people/tests/test_lookup.py). A wrong guess is as close as
a guess gets: same area code and birth date, a valid check character; same operator and length.

Nothing is listed by hand (tests/sweep.py): each API operation is probed through every text query
parameter its OpenAPI description declares, each page through every query parameter the view reads and
every field of its GET forms. The same sweep checks the one rule for sensitive tags on every answer: the
person's sensitive tag appears only for the roles that may see it (tests/test_sensitive_tags.py has the
per-surface matrix).
"""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from civicgrid.core import clock
from civicgrid.people.tests.factories import bearer
from civicgrid.testing import make_tree, rolled_back
from tests.sweep import (
    NOT_GUESSES,
    ROLES,
    SEES_SENSITIVE_TAGS,
    UNPROBED_PAGES,
    ReadNames,
    api_operations,
    assert_same,
    form_fields,
    is_text,
    make_person,
    page_routes,
    page_url,
    path_values,
    probes,
    shows_sensitive_tag,
    viewer,
)

pytestmark = pytest.mark.once_on_postgres  # DB-independent: one pass only, the shorter one (./run)


def test_the_api_is_enumerated_from_its_schema():
    paths = {path for path, _ in api_operations()}

    assert {"/api/v1/people/residents", "/api/v1/people/export", "/api/v1/volunteers/volunteers",
            "/api/v1/gridops/key-persons", "/api/v1/cases"} <= paths


def test_the_pages_are_enumerated_from_the_url_configuration():
    names = {name for _, name in page_routes()}

    assert {"resident_list", "household_list", "export", "volunteers", "key_person_list", "list"} <= names
    assert set(UNPROBED_PAGES) <= names  # an exemption outliving its page goes


def check_sensitive_tags(role: str, shown: list[str]) -> None:
    if role in SEES_SENSITIVE_TAGS:
        assert shown, f"{role} may see sensitive tags but no answer showed one"
    else:
        assert shown == [], f"{role} may not see sensitive tags, but these answers show one: {shown}"


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """The district and the person, built once for the module's 34 sweeps, which only read them: each
    test's own writes (its viewer, audit entries, sessions) go with its savepoint, and the whole world is
    rolled back when the module ends."""
    from civicgrid.geo.locator import get_locator

    with rolled_back(django_db_blocker):
        get_locator().invalidate()  # as the `tree` fixture: no other district's index is left to this one
        tree = make_tree()
        yield tree, make_person(tree)


@pytest.fixture
def tree(_world, db):
    return _world[0]


@pytest.fixture
def person(_world, db):
    return _world[1]


@pytest.fixture(autouse=True)
def _one_moment():
    """Every answer of a sweep is computed at the same moment (countdowns, "today"), so that two answers
    differ only by what was asked."""
    with clock.at(timezone.now()):
        yield


@pytest.mark.parametrize("role", ROLES)
def test_no_api_answer_tells_a_right_guess_from_a_wrong_one(tree, person, role):
    client = Client(headers=bearer(viewer(tree, person, role)))
    known = path_values(person)
    probed, tagged = 0, []
    for path, parameters in api_operations():
        url = re.sub(r"\{(\w+)\}", lambda m: str(known.get(m.group(1), 1)), path)
        if shows_sensitive_tag(client.get(url)):
            tagged.append(url)
        names = [p["name"] for p in parameters if p.get("in") == "query" and is_text(p)]
        for label, right_query, wrong_query, right_value, wrong_value in probes(n for n in names
                                                                                if n not in NOT_GUESSES):
            right, wrong = client.get(url, right_query), client.get(url, wrong_query)
            assert_same(label, url, right, wrong, right_value, wrong_value)
            probed += 1
    assert probed > 40
    check_sensitive_tags(role, tagged)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_tells_a_right_guess_from_a_wrong_one(tree, person, role, monkeypatch):
    client = Client()
    client.force_login(viewer(tree, person, role))
    read = ReadNames(monkeypatch)
    tagged = []
    for route, name in page_routes():
        if name in UNPROBED_PAGES:
            continue
        url = page_url(route, name, person)
        read.names.clear()
        first = client.get(url, {"_": "1"})  # a non-empty query, so that search forms bind and read it
        if shows_sensitive_tag(first):
            tagged.append(url)
        fields = {n for n in read.names if not hasattr(QueryDict, n)} - {"_"}  # not a template's attribute lookup
        if first.get("Content-Type", "").startswith("text/html"):
            fields |= form_fields(first.content.decode("utf-8", "replace"))
        for label, right_query, wrong_query, right_value, wrong_value in probes(sorted(fields - NOT_GUESSES)):
            right, wrong = client.get(url, right_query), client.get(url, wrong_query)
            assert_same(label, url, right, wrong, right_value, wrong_value)
    check_sensitive_tags(role, tagged)


def test_nothing_is_sorted_by_a_masked_column():
    """Sorting by an encrypted column or its keyed hash would order people by a function of the hidden
    value: no model's default ordering uses one, and no `order_by(...)` in the code names one."""
    import ast
    from pathlib import Path

    from django.apps import apps

    from civicgrid.core.fields import EncryptedTextField

    masked = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedTextField):
                masked |= {field.name, f"{field.name}_hash"}
    assert {"id_number", "phone", "reporter_phone", "id_number_hash"} <= masked

    def column(value: str) -> str:
        return value.lstrip("-?").split("__")[-1]

    ordered = [f"{model.__name__}: {entry}" for model in apps.get_models() for entry in model._meta.ordering
               if isinstance(entry, str) and column(entry) in masked]
    root = Path(__file__).resolve().parents[1] / "civicgrid"
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "order_by":
                ordered += [f"{path.relative_to(root)}:{node.lineno}: {arg.value}" for arg in node.args
                            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                            and column(arg.value) in masked]
    assert ordered == []
