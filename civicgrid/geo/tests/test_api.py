"""The geo API beyond scoping: filters, locate, boundaries, validation errors."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.geo.models import Region
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatcher(tree) -> Client:
    client = Client()
    client.force_login(make_user("disp", "dispatcher", tree.district))
    return client


def test_list_filters_by_level_parent_and_query(tree, dispatcher):
    grids = dispatcher.get("/api/v1/geo/regions?level=grid").json()
    assert [i["code"] for i in grids["items"]] == [tree.grid_a.code, tree.grid_b.code]
    item = grids["items"][0]
    assert item == {
        "code": tree.grid_a.code, "name": "网格A", "level": "grid", "level_label": "网格", "kind": "comprehensive",
        "parent_code": tree.community_a.code, "has_boundary": True, "area_m2": None, "center": None,
    }
    under_street = dispatcher.get(f"/api/v1/geo/regions?level=micro_grid&parent={tree.street_b.code}").json()
    assert [i["code"] for i in under_street["items"]] == [tree.micro_b.code]
    children = dispatcher.get(f"/api/v1/geo/regions?parent={tree.district.code}").json()
    assert [i["code"] for i in children["items"]] == [tree.street_a.code, tree.street_b.code]
    found = dispatcher.get("/api/v1/geo/regions", {"q": "微网格B"}).json()
    assert [i["code"] for i in found["items"]] == [tree.micro_b.code]


def test_list_paginates_with_next(tree, dispatcher):
    page = dispatcher.get("/api/v1/geo/regions?limit=4").json()
    assert page["count"] == 9 and len(page["items"]) == 4 and "offset=4" in page["next"]
    last = dispatcher.get("/api/v1/geo/regions?limit=4&offset=8").json()
    assert len(last["items"]) == 1 and last["next"] is None


@pytest.mark.parametrize("url", ["/api/v1/geo/regions?level=village", "/api/v1/geo/boundaries?level=village"])
def test_invalid_level_is_422_with_a_clear_message(tree, dispatcher, url):
    response = dispatcher.get(url)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_level" and "village" in body["message"] and "grid" in body["details"]["choices"]


def test_locate_answers_the_chain(tree, dispatcher):
    body = dispatcher.get("/api/v1/geo/locate?lng=123.12&lat=41.12").json()
    assert body["found"] is True
    assert [r["code"] for r in body["chain"]] == [tree.district.code, tree.street_a.code, tree.community_a.code,
                                                 tree.grid_a.code, tree.micro_a.code]
    assert body["deepest"]["code"] == tree.micro_a.code


def test_locate_outside_is_not_found(tree, dispatcher):
    assert dispatcher.get("/api/v1/geo/locate?lng=100&lat=30").json() == {"found": False, "chain": [], "deepest": None}


def test_locate_shows_only_the_visible_part_of_the_chain(tree):
    client = Client()
    client.force_login(make_user("gw_b", "grid_worker", tree.grid_b))
    assert client.get("/api/v1/geo/locate?lng=123.12&lat=41.12").json()["found"] is False
    body = client.get("/api/v1/geo/locate?lng=123.27&lat=41.17").json()
    assert [r["code"] for r in body["chain"]] == [tree.grid_b.code]


@pytest.mark.parametrize(("query", "code"), [
    ("lng=123.1&lat=95", "coordinates_out_of_range"), ("lng=-190&lat=41", "coordinates_out_of_range"),
    ("lng=123.1", "invalid_input"), ("lng=abc&lat=41", "invalid_input"),
])
def test_locate_rejects_bad_coordinates(tree, dispatcher, query, code):
    response = dispatcher.get(f"/api/v1/geo/locate?{query}")
    assert response.status_code == 422 and response.json()["code"] == code


def test_boundaries_are_a_scoped_feature_collection(tree, dispatcher):
    body = dispatcher.get("/api/v1/geo/boundaries").json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [tree.grid_a.code, tree.grid_b.code]
    assert body["features"][0]["geometry"] == tree.grid_a.boundary
    assert body["features"][0]["properties"]["name"] == "网格A"
    micro = dispatcher.get(f"/api/v1/geo/boundaries?level=micro_grid&parent={tree.street_a.code}").json()
    assert [f["id"] for f in micro["features"]] == [tree.micro_a.code]

    worker = Client()
    worker.force_login(make_user("gw_a", "grid_worker", tree.grid_a))
    assert [f["id"] for f in worker.get("/api/v1/geo/boundaries").json()["features"]] == [tree.grid_a.code]


def test_boundaries_skip_regions_without_boundary(tree, dispatcher):
    Region.objects.filter(pk=tree.grid_b.pk).update(boundary=None)
    assert [f["id"] for f in dispatcher.get("/api/v1/geo/boundaries").json()["features"]] == [tree.grid_a.code]


def test_map_page_with_invalid_level_explains(tree, dispatcher):
    response = dispatcher.get("/geo/map/?level=village")
    assert response.status_code == 422 and "区域层级" in response.content.decode()


def test_region_detail_page_shows_chain_children_and_counts(tree, dispatcher):
    html = dispatcher.get(f"/geo/regions/{tree.street_a.code}/").content.decode()
    assert tree.district.name in html and tree.community_a.name in html
    assert 'data-level="grid"' in html and 'data-level="micro_grid"' in html


def test_browser_search(tree, dispatcher):
    html = dispatcher.get("/geo/?q=网格B").content.decode()
    assert f'data-code="{tree.grid_b.code}"' in html and f'data-code="{tree.grid_a.code}"' not in html
