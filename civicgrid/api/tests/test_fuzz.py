"""Property-based fuzzing of every /api/v1 operation from the OpenAPI document (Schemathesis), as five
roles over side A of the small tree, with a case, a household and a resident seeded on side B.

Three rules hold for every generated request: no 5xx; every error is `{code, message, details}`; an
answer to a side-A role never carries a side-B object's number or name. The app is called in process
(WSGI); each test runs in a savepoint, so writes made by fuzzing vanish with it.

The default run is bounded (six generated examples per operation, a fixed seed); `-m slow` runs 50 with
Schemathesis' boundary and negative values.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest

from civicgrid.api.tests import fuzzing
from civicgrid.api.urls import api
from civicgrid.core.web import XLSX
from civicgrid.testing import rolled_back

ROLES = ["resident", "micro_grid_worker", "dispatcher", "leader", "station_admin"]
SEED = 13
ERROR_KEYS = {"code", "message", "details"}

# Markers only side B's objects carry: none may reach a side-A role.
SIDE_B_NAME = "乙侧居民甄秘"
SIDE_B_ADDRESS = "乙侧幸福里9号"
SIDE_B_DESCRIPTION = "乙侧路灯不亮请修理"


def _document() -> dict:
    """The app's own OpenAPI document (built without a request: serving it reads the database)."""
    return json.loads(api.renderer.render(None, api.get_openapi_schema(), response_status=200))


schema = fuzzing.load(_document(), seed=SEED, max_examples=6)
long_schema = fuzzing.load(_document(), seed=SEED, max_examples=50, coverage=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world for the whole module (built once: the tests only read it, and each test's writes are
    rolled back with its savepoint): a bearer token per role on side A, and side B's secrets."""
    from civicgrid.accounts.actions import issue_token
    from civicgrid.cases.actions import submit_case, sync_categories
    from civicgrid.cases.choices import Channel
    from civicgrid.cases.intake import IntakeInput
    from civicgrid.cases.tests.conftest import POINT_B
    from civicgrid.people.tests.factories import ident, make_household, make_resident
    from civicgrid.testing import make_department, make_tree, make_user
    from civicgrid.volunteers import actions as volunteer_actions
    from civicgrid.volunteers.choices import SiteLevel

    with rolled_back(django_db_blocker):
        tree = make_tree()
        make_department("CGJ", "城市管理综合行政执法局")
        sync_categories()
        centre_admin = make_user("fz_centre", "centre_admin", tree.district)
        centre = volunteer_actions.create_site(actor=centre_admin, code="C", name="文明实践中心",
                                               level=SiteLevel.CENTRE, region=tree.district)
        station = volunteer_actions.create_site(actor=centre_admin, code="S1-1", name="社区A文明实践站",
                                                level=SiteLevel.STATION, region=tree.community_a, parent=centre,
                                                capabilities=["7001"])
        users = {
            "resident": make_user("fz_resident", "resident"),
            "micro_grid_worker": make_user("fz_micro", "micro_grid_worker", tree.micro_a),
            "dispatcher": make_user("fz_dispatcher", "dispatcher", tree.district),
            "leader": make_user("fz_leader", "leader", tree.district),
            "station_admin": make_user("fz_station", "station_admin", department=station.department),
        }
        tokens = {role: issue_token(user=user)[0] for role, user in users.items()}
        household = make_household(tree.micro_b, "B-0001", address=SIDE_B_ADDRESS)
        make_resident(household, SIDE_B_NAME, ident(901), phone="13900009999")
        case = submit_case(actor=make_user("fz_resident_b", "resident"), data=IntakeInput(
            description=SIDE_B_DESCRIPTION, channel=Channel.RESIDENT, category_code="0601", **POINT_B)).case
        yield {"tokens": tokens, "markers": [SIDE_B_NAME, SIDE_B_ADDRESS, SIDE_B_DESCRIPTION, case.number]}


@pytest.fixture(scope="module", autouse=True)
def _isolated():
    yield from fuzzing.isolation()


def _readable(response) -> str:
    """The answer as a person would read it: JSON with its \\u escapes decoded, a workbook's cells."""
    content_type = response.headers.get("Content-Type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if content_type.startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    if content_type.startswith(XLSX):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    return response.content.decode("utf-8", "replace")


def _check(case, response, role: str, markers: list[str]) -> None:
    assert response.status_code < 500, f"{role}: {case.method} {case.formatted_path} -> {response.status_code}"
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and set(body) == ERROR_KEYS, body
        assert isinstance(body["code"], str) and isinstance(body["message"], str), body
    text = _readable(response)
    if role not in ("dispatcher", "leader"):  # the district roles see side B by right
        for marker in markers:
            assert marker not in text, f"{role} sees side B's {marker!r} via {case.method} {case.formatted_path}"


def _run(case, world) -> None:
    """The same generated request, sent as each role."""
    for role in ROLES:
        response = case.call(headers={"Authorization": f"Bearer {world['tokens'][role]}"})
        _check(case, response, role, world["markers"])


test_api_operations, test_api_operations_longer = fuzzing.operation_tests(schema, long_schema, _run)


def test_every_operation_documents_the_error_answer():
    document = api.get_openapi_schema()
    assert document["components"]["schemas"]["Error"]["required"] == ["code", "message", "details"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}, f"{method} {path}"


def test_side_b_is_visible_to_the_district(db, world, client):
    """The leak check above is not vacuous: the district's dispatcher does see side B's case."""
    response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {world['tokens']['dispatcher']}"})
    assert world["markers"][-1] in _readable(response)
    assert SIDE_B_DESCRIPTION in _readable(response)
    seen_by = SimpleNamespace(method="GET", formatted_path="/api/v1/cases")
    _check(seen_by, response, "dispatcher", world["markers"])
    with pytest.raises(AssertionError, match="sees side B"):
        _check(seen_by, response, "micro_grid_worker", world["markers"])
