from __future__ import annotations

import math

import pytest

from civicgrid.core.errors import ValidationFailed
from civicgrid.geo import geojson
from civicgrid.geo.tests.helpers import bowtie, collection, feature, square


def test_a_square_and_a_multipolygon_are_valid():
    assert geojson.geometry_problem(square(123.1, 41.1, 0.1)) is None
    multi = {"type": "MultiPolygon", "coordinates": [square(1, 1, 1)["coordinates"], square(3, 3, 1)["coordinates"]]}
    assert geojson.geometry_problem(multi) is None


@pytest.mark.parametrize(
    ("geometry", "error"),
    [
        (None, "missing_geometry"),
        ({"type": "Point", "coordinates": [1, 2]}, "unsupported_geometry"),
        ({"type": "Polygon", "coordinates": []}, "malformed_geometry"),
        ({"type": "Polygon", "coordinates": [[["a", 1], [2, 2], [3, 1], ["a", 1]]]}, "malformed_geometry"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]}, "ring_not_closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "ring_too_short"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [181, 0], [1, 1], [0, 0]]]}, "coordinates_out_of_range"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 91], [0, 0]]]}, "coordinates_out_of_range"),
        (bowtie(0, 0, 1), "invalid_geometry"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}, "invalid_geometry"),
    ],
)
def test_bad_geometries_name_their_problem(geometry, error):
    problem = geojson.geometry_problem(geometry)
    assert problem is not None and problem.error == error
    assert problem.message  # Chinese text for people


def test_self_intersection_message_carries_shapely_explanation():
    assert "Self-intersection" in geojson.geometry_problem(bowtie(0, 0, 1)).message


def test_area_of_a_tenth_degree_square_matches_the_sphere():
    lat0, lat1 = 41.1, 41.2
    sphere = geojson.EARTH_RADIUS_M**2 * math.radians(0.1) * (math.sin(math.radians(lat1)) - math.sin(math.radians(lat0)))
    area = geojson.area_m2(geojson.validate_geometry(square(123.1, lat0, 0.1)))
    assert area == pytest.approx(sphere, rel=1e-3)
    assert 9.2e7 < area < 9.4e7


def test_center_lies_inside_a_concave_polygon():
    u_shape = {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]}
    geom = geojson.validate_geometry(u_shape)
    lng, lat = geojson.center(geom)
    assert geom.contains(geojson.shapely.points(lng, lat))


def test_check_coordinates_rejects_out_of_range():
    geojson.check_coordinates(123.2, 41.1)
    with pytest.raises(ValidationFailed) as exc:
        geojson.check_coordinates(200, 41.1)
    assert exc.value.code == "coordinates_out_of_range"


def test_parse_collection_collects_every_bad_feature_with_its_index():
    features, errors = geojson.parse_feature_collection(collection(
        feature("211004001001002", "好网格", square(123.1, 41.1, 0.01)),
        feature("2110040010010", "坏代码", square(123.1, 41.1, 0.01)),
        feature("211004001001003", "", bowtie(123.1, 41.1, 0.01)),
        feature("211004001001004", "层级不符", square(123.1, 41.1, 0.01), level="street"),
        "not a feature",
    ))
    assert [f.code for f in features] == ["211004001001002"]
    assert features[0].level == "grid" and features[0].parent_code == "211004001001"
    assert [(e["feature"], e["error"]) for e in errors] == [
        (1, "bad_code"), (2, "missing_property"), (2, "invalid_geometry"), (3, "level_mismatch"), (4, "malformed_feature"),
    ]


@pytest.mark.parametrize("value", [None, [], {"type": "Feature"}, {"type": "FeatureCollection"}])
def test_not_a_feature_collection(value):
    features, errors = geojson.parse_feature_collection(value)
    assert features == [] and errors[0]["error"] == "malformed_geojson"
