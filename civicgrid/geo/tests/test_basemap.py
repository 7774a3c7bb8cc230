"""The report map's base map: public region layers, place names for a point, and the pure helpers."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationFailed
from civicgrid.geo import basemap
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(tree) -> Client:
    client = Client()
    client.force_login(make_user("res", "resident"))
    return client


# ---- layers --------------------------------------------------------------------------------------------

def test_a_resident_gets_every_street_as_a_labelled_layer(tree, resident):
    response = resident.get("/api/v1/geo/map/layers/street")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [tree.street_a.code, tree.street_b.code]
    feature = body["features"][0]
    assert feature["geometry"] == tree.street_a.boundary
    assert feature["properties"] == {"code": tree.street_a.code, "name": "街道A", "level": "street",
                                     "label": "街道A", "label_at": None}


def test_grid_labels_drop_the_community_name_and_label_points_are_the_centres(tree, resident):
    tree.grid_a.name = "社区A第三网格"
    tree.grid_a.center_lng, tree.grid_a.center_lat = 123.15, 41.15
    tree.grid_a.save()
    features = resident.get("/api/v1/geo/map/layers/grid").json()["features"]
    assert [(f["properties"]["name"], f["properties"]["label"], f["properties"]["label_at"]) for f in features] == [
        ("社区A第三网格", "第三网格", [123.15, 41.15]), ("网格B", "网格B", None)]


def test_layers_answer_304_until_a_region_changes(tree, resident):
    first = resident.get("/api/v1/geo/map/layers/community")
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, max-age=600"
    again = resident.get("/api/v1/geo/map/layers/community", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    tree.community_a.name = "幸福社区"
    tree.community_a.save()  # confcache watches regions: a new version, a new body
    changed = resident.get("/api/v1/geo/map/layers/community", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert [f["properties"]["name"] for f in changed.json()["features"]] == ["幸福社区", "社区B"]


def test_layers_leave_out_inactive_regions_and_regions_without_an_outline(tree, resident):
    tree.grid_b.is_active = False
    tree.grid_b.save()
    tree.grid_a.boundary = None
    tree.grid_a.save()
    assert resident.get("/api/v1/geo/map/layers/grid").json()["features"] == []


@pytest.mark.parametrize("level", ["micro_grid", "district", "village"])
def test_an_unknown_or_unserved_layer_is_422(tree, resident, level):
    response = resident.get(f"/api/v1/geo/map/layers/{level}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_level" and body["details"]["choices"] == ["street", "community", "grid"]


def test_layers_and_place_need_a_signed_in_caller(tree):
    anonymous = Client()
    assert anonymous.get("/api/v1/geo/map/layers/street").status_code == 401
    assert anonymous.get("/api/v1/geo/place?lat=41.15&lng=123.15").status_code == 401


# ---- place names ---------------------------------------------------------------------------------------

def test_place_inside_the_district_names_street_community_and_grid(tree, resident):
    tree.grid_a.name = "社区A第三网格"
    tree.grid_a.save()
    body = resident.get("/api/v1/geo/place?lat=41.12&lng=123.12").json()  # inside micro-grid A
    assert body == {
        "found": True,
        "street": {"code": tree.street_a.code, "name": "街道A"},
        "community": {"code": tree.community_a.code, "name": "社区A"},
        "grid": {"code": tree.grid_a.code, "name": "社区A第三网格"},
        "micro_grid": {"code": tree.micro_a.code, "name": "微网格A"},
        "label": "街道A 社区A 第三网格",
    }
    outside_micro = resident.get("/api/v1/geo/place?lat=41.18&lng=123.28").json()  # grid B, no micro-grid
    assert outside_micro["label"] == "街道B 社区B 网格B" and outside_micro["micro_grid"] is None


def test_place_outside_the_district_is_not_found(tree, resident):
    body = resident.get("/api/v1/geo/place?lat=39.9&lng=116.4").json()
    assert body == {"found": False, "street": None, "community": None, "grid": None, "micro_grid": None,
                    "label": ""}


@pytest.mark.parametrize(("query", "code"), [("lat=91&lng=123", "coordinates_out_of_range"),
                                           ("lat=41&lng=181", "coordinates_out_of_range"),
                                           ("lat=abc&lng=123", "invalid_input"), ("lat=41", "invalid_input")])
def test_place_rejects_bad_coordinates_with_422(tree, resident, query, code):
    response = resident.get(f"/api/v1/geo/place?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == code


# ---- pure helpers --------------------------------------------------------------------------------------

def test_footprint_is_a_closed_ring_of_the_right_size_around_the_point():
    ring = basemap.footprint(123.25, 41.25, floors=6, units=3)
    assert len(ring) == 5 and ring[0] == ring[-1]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    width_m = (max(xs) - min(xs)) * 111_320.0 * 0.7524  # cos(41.25°)
    depth_m = (max(ys) - min(ys)) * basemap.M_PER_DEG_LAT
    assert width_m == pytest.approx(41.0, abs=0.2) and depth_m == pytest.approx(12.0, abs=0.1)
    assert (min(xs) + max(xs)) / 2 == pytest.approx(123.25) and (min(ys) + max(ys)) / 2 == pytest.approx(41.25)
    # counter-clockwise (RFC 7946): positive shoelace area
    assert sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(4)) > 0
    assert basemap.footprint_size(1, 1) == (12.0, 9.0)  # a village house
    assert basemap.footprint_size(18, 2) == (28.0, 16.0)  # a tower is deeper


def test_estate_names_come_from_building_names():
    assert basemap.estate_of("幸福家园12号楼") == "幸福家园"
    assert basemap.estate_of("李家村2组7号") == "李家村2组"
    assert basemap.estate_of("社区服务中心") == ""
    labels = basemap.estate_labels([("幸福家园1号楼", 123.0, 41.0), ("幸福家园2号楼", 123.2, 41.2),
                                    ("社区服务中心", 123.5, 41.5)])
    assert labels == [{"name": "幸福家园", "lng": 123.1, "lat": 41.1, "buildings": 2}]


def test_bbox_is_snapped_outwards_and_checked():
    assert basemap.parse_bbox("123.2101,41.2301,123.2199,41.2399") == (123.21, 41.23, 123.22, 41.24)
    with pytest.raises(ValidationFailed) as bad:
        basemap.parse_bbox("123.2,41.2,123.1")
    assert bad.value.code == "invalid_bbox"
    with pytest.raises(ValidationFailed) as reversed_box:
        basemap.parse_bbox("123.3,41.2,123.2,41.3")
    assert reversed_box.value.code == "invalid_bbox"
    with pytest.raises(ValidationFailed) as nan:
        basemap.parse_bbox("nan,41.2,123.2,41.3")
    assert nan.value.code == "invalid_bbox"
    with pytest.raises(ValidationFailed) as big:
        basemap.parse_bbox("123.0,41.0,123.3,41.3")
    assert big.value.code == "bbox_too_large" and big.value.details["max_degrees"] == 0.05
