"""Hostile inputs answer a 4xx with a specific code, never a 500 (security review, issue 13: findings 8,
11 and 12's input parts)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicgrid.people.tests.factories import bearer
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2**63: past SQLite's and PostgreSQL's bigint


def strict_json(response) -> dict:
    """The answer as RFC 8259 JSON: NaN or Infinity in it fail here."""
    def refuse(name):
        raise AssertionError(f"{name} in a JSON answer")
    return json.loads(response.content, parse_constant=refuse)


@pytest.fixture
def leader(tree):
    return make_user("boss", "leader", tree.district)


@pytest.fixture
def worker(tree):
    return make_user("mgw", "micro_grid_worker", tree.micro_a)


# before the shared parameter types most of these answered 500, the others quietly searched years 1–9999
OUT_OF_RANGE = [
    "/api/v1/cases?offset=" + HUGE,
    "/api/v1/cases?since=0001-01-01",
    "/api/v1/cases/kpis?until=9999-12-31",
    "/api/v1/gridops/patrols/compliance?day=9999-12-31",
    "/api/v1/gridops/patrols?day=9999-12-31",
    "/api/v1/gridops/joint/summary?month=9999-12",
    "/api/v1/gridops/joint/summary?month=0001-01",
    "/api/v1/gridops/joint/records?until=9999-12-31",
    "/api/v1/gridops/visits?until=9999-12-31",
    "/api/v1/gridops/visits/coverage?start=0001-01-01",
    "/api/v1/gridops/visits/coverage?end=9999-12-31",
    "/api/v1/gridops/activities/stats?end=9999-12-31",
    "/api/v1/gridops/screening/report?day=9999-12-31",
    "/api/v1/volunteers/stats?until=9999-12-31",
    "/api/v1/volunteers/orders?until=9999-12-31",
    "/api/v1/people/residents?offset=" + HUGE,
    "/api/v1/cases/" + HUGE,
    "/api/v1/people/residents/" + HUGE,
]


@pytest.mark.parametrize("url", OUT_OF_RANGE)
def test_out_of_range_days_and_numbers_answer_422(client, leader, url):
    client.force_login(leader)
    response = client.get(url)
    assert response.status_code == 422, response.content[:300]
    assert strict_json(response)["code"] == "invalid_input"


@pytest.mark.parametrize("path", ["points", "end"])
def test_huge_path_id_on_a_raw_sql_route_is_422(client, worker, path):
    """The patrol routes read with raw SQL (patrols/sql.py), which Django's range check does not cover."""
    body = {"points": []} if path == "points" else {}
    response = client.post(f"/api/v1/gridops/patrols/{HUGE}/{path}", body, content_type="application/json",
                           headers=bearer(worker))
    assert response.status_code == 422
    assert strict_json(response)["code"] == "invalid_input"


def test_days_inside_the_range_still_work(client, leader):
    client.force_login(leader)
    assert client.get("/api/v1/gridops/joint/summary?month=2099-12").status_code == 200
    assert client.get("/api/v1/cases?since=2000-01-01&until=2099-12-31").status_code == 200
    assert client.get("/api/v1/gridops/joint/summary").status_code == 200


def test_non_finite_coordinates_are_refused_with_their_own_code(client, leader):
    client.force_login(leader)
    response = client.get("/api/v1/geo/locate?lat=NaN&lng=inf")
    assert response.status_code == 422
    body = strict_json(response)
    assert body["code"] == "non_finite_number"
    assert "NaN" not in response.content.decode() and "Infinity" not in response.content.decode()


def test_nan_in_a_json_body_is_not_json(client, worker):
    response = client.post("/api/v1/cases", '{"description": "井盖丢失", "lat": NaN, "lng": Infinity}',
                           content_type="application/json", headers=bearer(worker))
    assert response.status_code == 400
    assert strict_json(response)["code"] == "http_error"


def test_an_error_does_not_echo_a_huge_input(client, tree):
    from civicgrid.cases.actions import sync_categories

    sync_categories()
    resident = make_user("res", "resident")
    key = "k" * 800_000
    body = {"description": "路边井盖丢失", "category": "0601", "lat": 41.12, "lng": 123.12, "answers": {key: 1}}
    response = client.post("/api/v1/cases", body, content_type="application/json", headers=bearer(resident))
    assert response.status_code == 422
    assert strict_json(response)["code"] == "answers_unknown"
    assert len(response.content) < 2_000


def test_error_details_are_bounded_and_finite():
    from civicgrid.api.errors import safe

    assert safe({"lat": float("nan"), "lng": float("inf")}) == {"lat": "nan", "lng": "inf"}
    assert len(safe("x" * 10_000)) <= 201
    assert len(safe(list(range(1000)))) == 20
    assert safe(3) == 3 and safe(None) is None and safe(1.5) == 1.5


# -- 401, not a CSRF 403 -------------------------------------------------------------------------------------


def test_post_with_an_invalid_bearer_token_is_401(tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/cases", {}, content_type="application/json",
                           headers={"Authorization": "Bearer cg_not-a-token"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_post_without_any_credentials_is_401(tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/cases", {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_post_with_an_invalid_token_beside_a_session_is_401(tree, worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    response = client.post("/api/v1/cases", {}, content_type="application/json",
                           headers={"Authorization": "Bearer cg_not-a-token"})
    assert response.status_code == 401


def test_a_session_post_without_the_csrf_token_is_still_refused(tree, worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    response = client.post("/api/v1/cases", {}, content_type="application/json")
    assert response.status_code == 403


# -- oversized bodies, NUL, invisible text --------------------------------------------------------------------


def test_an_oversized_body_is_json_413(client, worker, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"description": "x" * 20_000})
    response = client.post("/api/v1/cases", body, content_type="application/json", headers=bearer(worker))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_an_oversized_form_on_a_page_is_413(client, worker, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(worker)
    response = client.post("/cases/report/", {"description": "x" * 20_000})
    assert response.status_code == 413


@pytest.mark.parametrize("body", [
    {"description": "井盖\x00丢失", "lat": 41.12, "lng": 123.12},
    {"description": "井盖丢失", "lat": 41.12, "lng": 123.12, "answers": {"a\x00": "b"}},
])
def test_a_nul_in_a_json_body_is_refused(client, worker, body):
    response = client.post("/api/v1/cases", body, content_type="application/json", headers=bearer(worker))
    assert response.status_code == 422
    assert response.json()["code"] == "nul_byte"


def test_a_nul_in_a_query_string_is_refused(client, leader):
    client.force_login(leader)
    response = client.get("/api/v1/people/residents?q=%00")
    assert response.status_code == 422
    assert response.json()["code"] == "nul_byte"


def test_a_nul_in_a_page_form_is_refused(client, worker):
    client.force_login(worker)
    response = client.post("/cases/report/", {"description": "井盖\x00丢失"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200c\u200d", "\ufeff\u2060", "\t\r\n", "\u3000\u00a0", "\x01\x7f"])
def test_a_description_of_invisible_characters_is_refused(client, worker, text):
    body = {"description": text, "lat": 41.12, "lng": 123.12}
    response = client.post("/api/v1/cases", body, content_type="application/json", headers=bearer(worker))
    assert response.status_code == 422
    assert response.json()["code"] == "blank_text"


def test_invisible_only_names_and_titles_are_refused_everywhere(client, worker):
    """The same type guards every required free-text field: a checkpoint name, a patrol finding."""
    response = client.post("/api/v1/gridops/patrols/checkpoints",
                           {"name": "\u200b", "region": "x", "lat": 41.12, "lng": 123.12},
                           content_type="application/json", headers=bearer(worker))
    assert response.status_code == 422
    assert response.json()["code"] == "blank_text"


def test_method_not_allowed_has_the_error_shape(client, leader):
    client.force_login(leader)
    response = client.delete("/api/v1/ping")
    assert response.status_code == 405
    assert set(response.json()) == {"code", "message", "details"}
    assert response.json()["code"] == "method_not_allowed"


# -- the same range on the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/gridops/patrols/compliance/?day=9999-12-31",
    "/gridops/visits/?until=9999-12-31",
    "/cases/?since=0001-01-01",
])
def test_a_page_filter_out_of_range_shows_the_rule(client, leader, url):
    """Filter forms use the shared DayField: the form shows the range instead of the page failing."""
    client.force_login(leader)
    response = client.get(url)
    assert response.status_code == 200
    assert "日期须在 2000-01-01 至 2099-12-31 之间" in response.content.decode()


@pytest.mark.parametrize("url", ["/gridops/screening/?day=9999-12-31", "/gridops/joint/summary/?month=9999-12"])
def test_a_page_parameter_out_of_range_is_400_with_the_rule(client, leader, url):
    client.force_login(leader)
    response = client.get(url)
    assert response.status_code == 400
    assert "日期须在 2000-01-01 至 2099-12-31 之间" in response.content.decode()


def test_an_oversized_upload_is_json_413_before_it_is_read(client, worker, settings):
    settings.MAX_REQUEST_BYTES = 50_000
    photo = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * 100_000, content_type="image/jpeg")
    response = client.post("/api/v1/cases/1/photos", {"photo": photo}, headers=bearer(worker))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_a_page_form_refuses_invisible_only_text(client, worker):
    from civicgrid.cases.models import Case

    client.force_login(worker)
    response = client.post("/cases/report/", {"description": "\u200b\u200d\ufeff", "lat": "41.12", "lng": "123.12"})
    assert response.status_code in (200, 422)
    assert "内容不能为空或只含不可见字符" in response.content.decode()
    assert not Case.objects.exists()


def _int_routes(patterns=None, prefix=""):
    """Every page route with an <int:…> part, as a path with 2**63 in each such part."""
    import re

    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _int_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and "<int:" in route and not route.startswith(("api/", "^")):
            yield "/" + re.sub(r"<int:\w+>", HUGE, re.sub(r"<(?:str|slug):\w+>", "x", route))


def test_no_page_route_fails_on_a_huge_id(client, leader, worker):
    """Page ids go through Django's <int:> converter, which takes any length: the view must answer 404
    (or a redirect, 400, 403, 405), never 500, on both databases."""
    client.raise_request_exception = False
    routes = sorted(set(_int_routes()))
    assert len(routes) > 20
    for user in (leader, worker):
        client.force_login(user)
        failed = [url for url in routes if client.get(url).status_code >= 500]
        assert failed == [], failed


def test_a_form_body_that_is_no_form_gets_the_api_error_shape(client, worker):
    """Found by the slow fuzz run: a multipart body without its boundary made the NUL guard's form parsing
    answer Django's HTML 400."""
    response = client.post("/api/v1/cases", b"description=x", content_type="multipart/form-data",
                           headers=bearer(worker))
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"code", "message", "details"}


def test_a_nul_in_a_json_body_sent_as_plain_text_is_refused(client, worker):
    """The API parses any body as JSON whatever its Content-Type: the guard reads it the same way."""
    body = json.dumps({"description": "井盖\x00丢失", "lat": 41.12, "lng": 123.12})
    response = client.post("/api/v1/cases", body, content_type="text/plain", headers=bearer(worker))
    assert response.status_code == 422
    assert response.json()["code"] == "nul_byte"
