"""The point locator: chains, vectorised lookups, cross-process rebuilds, and properties."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from django.db.models import F
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from civicgrid.geo import geojson
from civicgrid.geo.locator import OUTSIDE, Locator, build_index, locate_in, locate_one
from civicgrid.geo.models import BoundaryStamp, Region
from civicgrid.geo.tests.helpers import square

pytestmark = pytest.mark.django_db


def codes(regions) -> list[str]:
    return [r.code for r in regions]


def test_locate_returns_the_chain_down_to_the_deepest_region(tree):
    locator = Locator(check_seconds=0)
    t = tree
    assert codes(locator.locate(123.12, 41.12)) == codes([t.district, t.street_a, t.community_a, t.grid_a, t.micro_a])
    assert codes(locator.locate(123.27, 41.17)) == codes([t.district, t.street_b, t.community_b, t.grid_b])
    assert codes(locator.locate(123.2, 41.25)) == [t.district.code]  # district only (north half has no street)
    assert locator.locate(120.0, 41.15) == []


def test_locate_many_answers_deepest_ids_and_minus_one_outside(tree):
    ids = Locator(check_seconds=0).locate_many([123.12, 123.27, 123.2, 0.0], [41.12, 41.17, 41.25, 0.0])
    assert ids.tolist() == [tree.micro_a.pk, tree.grid_b.pk, tree.district.pk, OUTSIDE]
    assert ids.dtype == np.int64


def test_inactive_regions_and_regions_without_boundary_are_not_indexed(tree):
    Region.objects.filter(pk=tree.micro_a.pk).update(is_active=False)
    Region.objects.filter(pk=tree.grid_b.pk).update(boundary=None)
    locator = Locator(check_seconds=0)
    assert locator.locate(123.12, 41.12)[-1].code == tree.grid_a.code
    assert locator.locate(123.27, 41.17)[-1].code == tree.community_b.code


def test_a_stamp_bump_from_another_process_rebuilds_every_locator(tree):
    cached, other = Locator(check_seconds=0), Locator(check_seconds=0)
    assert cached.locate(123.17, 41.17)[-1].code == tree.grid_a.code
    # Another process moves micro A's boundary and bumps the stamp row directly.
    Region.objects.filter(pk=tree.micro_a.pk).update(boundary=square(123.15, 41.15, 0.05))
    assert cached.locate(123.17, 41.17)[-1].code == tree.grid_a.code  # stamp not bumped yet: still cached
    BoundaryStamp.objects.get_or_create(pk=1)
    BoundaryStamp.objects.update(version=F("version") + 1)
    assert cached.locate(123.17, 41.17)[-1].code == tree.micro_a.code
    assert other.locate(123.17, 41.17)[-1].code == tree.micro_a.code


def test_the_stamp_is_read_at_most_once_per_interval(tree, django_assert_num_queries):
    locator = Locator(check_seconds=3600)
    locator.locate_many([123.12], [41.12])
    BoundaryStamp.objects.create(pk=1, version=99)
    with django_assert_num_queries(0):
        assert locator.locate_many([123.12], [41.12]).tolist() == [tree.micro_a.pk]
    assert locator.index().version == 0


def test_default_interval_comes_from_settings(settings):
    settings.GEO_STAMP_CHECK_SECONDS = 7
    assert Locator()._interval() == 7
    del settings.GEO_STAMP_CHECK_SECONDS
    assert Locator()._interval() == 2


def test_out_of_range_coordinates_are_a_validation_error(tree):
    from civicgrid.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        Locator(check_seconds=0).locate(123.1, 95)
    assert exc.value.code == "coordinates_out_of_range"


# --- properties --------------------------------------------------------------------------------------

DISTRICT_BOX = (123.1, 41.1, 123.3, 41.3)


def _index_rows(tree):
    rows = Region.objects.filter(is_active=True, boundary__isnull=False).values_list("id", "code", "level", "boundary")
    return build_index(0, list(rows))


fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def test_points_strictly_inside_a_grid_locate_to_that_grid_or_below(tree):
    locator = Locator(check_seconds=0)
    grids = [(tree.grid_a, geojson.validate_geometry(tree.grid_a.boundary)),
             (tree.grid_b, geojson.validate_geometry(tree.grid_b.boundary))]

    @hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.sampled_from(range(len(grids))), fractions, fractions)
    def check(which, fx, fy):
        grid, poly = grids[which]
        x0, y0, x1, y1 = poly.bounds
        lng, lat = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
        point = shapely.points(lng, lat)
        assume(poly.contains(point) and poly.boundary.distance(point) > 1e-9)
        chain = locator.locate(lng, lat)
        assert grid.code in codes(chain)
        assert chain[-1].code.startswith(grid.code)  # the deepest is the grid or one of its micro-grids
        assert locator.locate_many([lng], [lat])[0] == chain[-1].pk

    check()


def test_points_outside_the_district_locate_to_nothing(tree):
    locator = Locator(check_seconds=0)
    x0, y0, x1, y1 = DISTRICT_BOX

    @hsettings(max_examples=150, deadline=None)
    @given(st.floats(-180, 180), st.floats(-90, 90))
    def check(lng, lat):
        assume(not (x0 <= lng <= x1 and y0 <= lat <= y1))
        assert locator.locate(lng, lat) == []
        assert locator.locate_many([lng], [lat]).tolist() == [OUTSIDE]

    check()


def test_locate_many_agrees_with_locate_one_and_with_brute_force(tree):
    index = _index_rows(tree)
    polygons = [(r.pk, r.depth, geojson.validate_geometry(r.boundary)) for r in Region.objects.all()]

    def brute_force(lng, lat):
        hits = [(depth, pk) for pk, depth, poly in polygons if poly.contains(shapely.points(lng, lat))]
        return max(hits)[1] if hits else OUTSIDE
    locator = Locator(check_seconds=0)
    coordinate = st.tuples(st.floats(123.05, 123.35), st.floats(41.05, 41.35))

    @hsettings(max_examples=60, deadline=None)
    @given(st.lists(coordinate, min_size=1, max_size=40))
    def check(points):
        lngs, lats = np.array([p[0] for p in points]), np.array([p[1] for p in points])
        many = locate_in(index, lngs, lats)
        single = [(locator.locate(lng, lat) or [None])[-1] for lng, lat in points]
        assert many.tolist() == [OUTSIDE if r is None else r.pk for r in single]
        assert many.tolist() == [brute_force(lng, lat) for lng, lat in points]
        assert many.tolist() == [locate_one(index, lng, lat) for lng, lat in points]

    check()
