"""The region tree of the demo district: the article's figures, codes, and boundaries that tile."""

from __future__ import annotations

import shapely
from django.db.models import Count
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from civicgrid.demo import builder, geometry, tree
from civicgrid.demo.tests.conftest import SEED
from civicgrid.geo.choices import CODE_LENGTH, RegionKind, RegionLevel
from civicgrid.geo.models import BoundaryStamp, Region

AREA_EPS = 1e-12  # square degrees (about 0.01 m²): touching, not overlapping


def _shapes(level):
    return {r.code: (r, shape(r.boundary)) for r in Region.objects.filter(level=level).select_related("parent")}


def test_region_tree_has_the_articles_figures(demo, db):
    counts = dict(Region.objects.values_list("level").annotate(n=Count("id")))
    assert counts[RegionLevel.GRID] == 279
    assert counts[RegionLevel.MICRO_GRID] == 5684
    assert counts[RegionLevel.DISTRICT] == 1
    assert Region.objects.get(level=RegionLevel.DISTRICT).code == "211004"
    assert demo.counts["regions_grid"] == 279 and demo.counts["regions_micro_grid"] == 5684


def test_codes_follow_the_prefix_rule(demo, db):
    for region in Region.objects.select_related("parent"):
        assert len(region.code) == CODE_LENGTH[RegionLevel(region.level)]
        if region.parent_id:
            assert region.code.startswith(region.parent.code)
    streets = Region.objects.filter(level=RegionLevel.STREET)
    town = streets.get(kind=RegionKind.TOWN)
    assert town.code == "211004101" and town.name == "曙光镇"
    assert all(s.code[6] in "014" for s in streets)  # 0xx street office, 1xx town, 4xx zone
    # villages of the town use 2xx (统计用区划代码), dedicated grids 9xx
    assert set(Region.objects.filter(parent=town).values_list("kind", flat=True)) == {RegionKind.VILLAGE}
    dedicated = Region.objects.filter(kind=RegionKind.DEDICATED)
    assert dedicated.exists() and all(g.code[-3] == "9" for g in dedicated)


def test_every_grid_holds_20_or_21_micro_grids(demo, db):
    sizes = list(Region.objects.filter(level=RegionLevel.GRID).annotate(n=Count("children"))
                 .values_list("n", flat=True))
    assert sorted(set(sizes)) == [20, 21]
    assert sizes.count(21) == 104


def test_boundaries_are_valid_with_area_and_center(demo, db):
    for region in Region.objects.all():
        geom = shape(region.boundary)
        assert geom.is_valid, region.code
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        assert region.area_m2 > 0
        assert geom.contains(Point(region.center_lng, region.center_lat)), region.code
        minx, miny, maxx, maxy = geom.bounds
        assert 123.1 < minx and maxx < 123.4 and 41.15 < miny and maxy < 41.35


def test_grid_area_is_plausible(demo, db):
    areas = [r.area_m2 for r in Region.objects.filter(level=RegionLevel.GRID)]
    assert 200_000 < sum(areas) / len(areas) < 800_000  # a few hundred metres on a side


def _assert_no_overlaps(level):
    items = list(_shapes(level).values())
    geoms = [g for _, g in items]
    index = STRtree(geoms)
    for i, j in zip(*index.query(geoms, predicate="intersects"), strict=True):
        if i < j:
            overlap = shapely.intersection(geoms[i], geoms[j]).area
            assert overlap < AREA_EPS, (items[i][0].code, items[j][0].code, overlap)


def test_grids_do_not_overlap(demo, db):
    _assert_no_overlaps(RegionLevel.GRID)


def test_micro_grids_do_not_overlap(demo, db):
    _assert_no_overlaps(RegionLevel.MICRO_GRID)


def test_streets_and_communities_do_not_overlap(demo, db):
    _assert_no_overlaps(RegionLevel.STREET)
    _assert_no_overlaps(RegionLevel.COMMUNITY)


def test_children_tile_their_parent(demo, db):
    """Every micro-grid lies within its grid, and the micro-grids of a grid cover it (same for each level)."""
    for child_level, parent_level in [(RegionLevel.MICRO_GRID, RegionLevel.GRID), (RegionLevel.GRID, RegionLevel.COMMUNITY),
                                      (RegionLevel.COMMUNITY, RegionLevel.STREET), (RegionLevel.STREET, RegionLevel.DISTRICT)]:
        parents = _shapes(parent_level)
        covered: dict[str, float] = {}
        for region, geom in _shapes(child_level).values():
            parent_geom = parents[region.parent.code][1]
            assert parent_geom.buffer(1e-9).contains(geom), region.code
            covered[region.parent.code] = covered.get(region.parent.code, 0.0) + geom.area
        for code, (_, geom) in parents.items():
            assert abs(covered[code] - geom.area) < 1e-9 * max(geom.area, 1e-6) + AREA_EPS, code


def test_boundary_version_was_bumped(demo, db):
    assert BoundaryStamp.objects.get(pk=1).version >= 1


def test_same_seed_same_tree(demo, db):
    first, second = tree.plan(SEED), tree.plan(SEED)
    rows = [(n.code, n.name, geometry.to_geojson(n.geom)) for n in tree.walk(first)]
    assert rows == [(n.code, n.name, geometry.to_geojson(n.geom)) for n in tree.walk(second)]
    stored = list(Region.objects.order_by("code").values_list("code", "name", "boundary"))
    assert stored == sorted(rows)


def test_another_seed_moves_the_boundaries_but_keeps_the_figures():
    a, b = tree.by_level(tree.plan(1)), tree.by_level(tree.plan(2))
    assert len(b[RegionLevel.GRID]) == 279 and len(b[RegionLevel.MICRO_GRID]) == 5684
    assert [n.geom.wkb for n in a[RegionLevel.GRID]] != [n.geom.wkb for n in b[RegionLevel.GRID]]


def test_region_checksum_is_stable(demo, db):
    assert builder.region_checksum() == builder.region_checksum()
