"""Property-based fuzzing of the Open311 JSON endpoints (Schemathesis), as civicgrid/api/tests/test_fuzz.py
does for /api/v1. Open311 has no OpenAPI document of its own: openapi.json beside this file describes
/open311/v2/*.json (kept as test data; a test below holds it to the routes).

Two rules hold for every generated request: no 5xx, and every error answer is the Open311 error list
(a JSON array of `{code, description}`). The POSTs use a real key (the document's "VALID-KEY") or a wrong
one, and updates name a real request ("KNOWN-REQUEST") or none. The default run is bounded (a few
examples per operation, a fixed seed); `-m slow` runs more."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.http import QueryDict

from civicgrid.api.tests import fuzzing
from civicgrid.testing import rolled_back

DOCUMENT = Path(__file__).parent / "openapi.json"
SEED = 311
schema = fuzzing.load(json.loads(DOCUMENT.read_text()), seed=SEED, max_examples=5)
long_schema = fuzzing.load(json.loads(DOCUMENT.read_text()), seed=SEED, max_examples=60, coverage=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _isolated):
    """One district with the case catalogue, a key and a published request, for the whole module (each
    test's writes are rolled back with its savepoint)."""
    from civicgrid.cases.actions import sync_categories
    from civicgrid.open311 import actions
    from civicgrid.open311.tests.conftest import POINT_A
    from civicgrid.testing import make_department, make_tree, make_user

    with rolled_back(django_db_blocker):
        tree = make_tree()
        make_department("CGJ", "城市管理综合行政执法局")
        sync_categories()
        admin = make_user("fz311_admin", "system_admin", tree.district)
        key, row = actions.issue_key(actor=admin, name="模糊测试", rate_per_minute=6000)
        # through the action, not the test client: the client reconnects close_old_connections afterwards
        form = QueryDict(mutable=True)
        form.update({"service_code": "0102", "description": "路灯不亮", **POINT_A})
        posted = actions.post_request(key=row, form=form)
        yield {"key": key, "request": posted.case.number}


@pytest.fixture(scope="module", autouse=True)
def _isolated():
    yield from fuzzing.isolation()


def _with_world(case, world) -> None:
    if isinstance(case.body, dict):
        if case.body.get("api_key") == "VALID-KEY":
            case.body["api_key"] = world["key"]
        if case.body.get("service_request_id") == "KNOWN-REQUEST":
            case.body["service_request_id"] = world["request"]


def check_answer(status: int, content: bytes, what: str) -> None:
    assert status < 500, f"{what} -> {status}"
    if status >= 400:
        body = json.loads(content)
        assert isinstance(body, list) and body, f"{what}: {body!r}"
        for item in body:
            assert set(item) == {"code", "description"}, f"{what}: {item!r}"
            assert isinstance(item["code"], int | str) and isinstance(item["description"], str), f"{what}: {item!r}"


def _run(case, world) -> None:
    _with_world(case, world)
    response = case.call()
    check_answer(response.status_code, response.content, f"{case.method} {case.formatted_path}")


test_open311_operations, test_open311_operations_longer = fuzzing.operation_tests(schema, long_schema, _run)


def test_the_document_covers_every_json_route():
    from civicgrid.open311 import urls

    described = {re.sub(r"\{[^}]+\}", "{}", path) for path in json.loads(DOCUMENT.read_text())["paths"]}
    routes = {"/open311/v2/" + re.sub(r"\(\?P<\w+>[^)]*\)", "{}", str(p.pattern).removesuffix(urls.FMT)).strip("^")
              + ".json" for p in urls.urlpatterns if str(p.pattern).endswith(urls.FMT)}
    assert described == routes


def test_the_error_check_is_not_vacuous():
    check_answer(400, b'[{"code": 400, "description": "x"}]', "ok")
    for status, body in ((500, b"[]"), (400, b'{"code": "x", "message": "y", "details": {}}'), (404, b"[]"),
                         (403, b'[{"code": 403}]')):
        with pytest.raises(AssertionError):
            check_answer(status, body, "bad")
