"""Point-locator throughput: civicgrid.geo.locator vs. a raw shapely STRtree on the same polygons.

    .venv/bin/python bench/locate.py [--points 1000000] [--repeat 3]

Data sets:
  demo   the regions with boundaries in the configured database (run `./run demo` first); when there
         are none, a synthetic tiling of the same size (279 grids / 5,684 micro-grids) in memory
  10k    10,000 synthetic grids (100 x 100), no micro-grids

Figures: points/second of `locate_in` (deepest region per point, numpy in and out) beside
`shapely.points` + `STRtree.query(points, predicate="within")` over (a) every indexed polygon, the
same data the locator holds, and (b) only the deepest level. Targets: >= 80 % of raw, >= 500k pts/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

import django  # noqa: E402

django.setup()

from civicgrid.geo import geojson  # noqa: E402
from civicgrid.geo.locator import OUTSIDE, Index, build_index, locate_in  # noqa: E402

DISTRICT = "211004"
BBOX = (123.10, 41.05, 123.40, 41.25)  # lng0, lat0, lng1, lat1


def _rect(x0, y0, x1, y1, step):
    box = shapely.box(x0, y0, x1, y1)
    return shapely.geometry.mapping(shapely.segmentize(box, step) if step else box)


def synthetic_rows(grid_cols: int, grid_rows: int, micro_total: int, step: float | None):
    """A district tiled into streets (column bands), communities, grids and micro-grid strips."""
    lng0, lat0, lng1, lat1 = BBOX
    gw, gh = (lng1 - lng0) / grid_cols, (lat1 - lat0) / grid_rows
    rows, next_id = [], iter(range(1, 10**9))
    rows.append((next(next_id), DISTRICT, "district", _rect(*BBOX, step)))
    streets = max(1, grid_cols // 3)
    n_grids = grid_cols * grid_rows
    per_grid, extra = divmod(micro_total, n_grids) if micro_total else (0, 0)
    grid_seq = 0
    for s in range(streets):
        c0, c1 = s * grid_cols // streets, (s + 1) * grid_cols // streets
        street = f"{DISTRICT}{s + 1:03d}"
        rows.append((next(next_id), street, "street", _rect(lng0 + c0 * gw, lat0, lng0 + c1 * gw, lat1, step)))
        bands = max(1, grid_rows // 4)
        for b in range(bands):
            r0, r1 = b * grid_rows // bands, (b + 1) * grid_rows // bands
            community = f"{street}{b + 1:03d}"
            rows.append((next(next_id), community, "community",
                         _rect(lng0 + c0 * gw, lat0 + r0 * gh, lng0 + c1 * gw, lat0 + r1 * gh, step)))
            seq = 0
            for c in range(c0, c1):
                for r in range(r0, r1):
                    seq += 1
                    grid = f"{community}{seq:03d}"
                    x0, y0 = lng0 + c * gw, lat0 + r * gh
                    rows.append((next(next_id), grid, "grid", _rect(x0, y0, x0 + gw, y0 + gh, step)))
                    k = per_grid + (1 if grid_seq < extra else 0)
                    grid_seq += 1
                    for m in range(k):
                        rows.append((next(next_id), f"{grid}{m + 1:03d}", "micro_grid",
                                     _rect(x0 + m * gw / k, y0, x0 + (m + 1) * gw / k, y0 + gh, step)))
    return rows


def demo_rows():
    from django.db import DatabaseError

    from civicgrid.geo.models import Region

    try:
        rows = list(Region.objects.filter(is_active=True, boundary__isnull=False)
                    .values_list("id", "code", "level", "boundary"))
    except DatabaseError:
        return []
    return rows


def best_rate(fn, n_points: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n_points / best


def run(name: str, index: Index, rows, n_points: int, repeat: int) -> None:
    geoms_all = [geojson.validate_geometry(r[3]) for r in rows]
    deepest = index.levels[0].level
    geoms_leaf = [g for g, r in zip(geoms_all, rows, strict=True) if r[2] == deepest]
    bounds = np.asarray(shapely.bounds(shapely.union_all(geoms_all).envelope))
    rng = np.random.default_rng(42)
    lngs = rng.uniform(bounds[0], bounds[2], n_points)
    lats = rng.uniform(bounds[1], bounds[3], n_points)

    tree_all = shapely.STRtree(geoms_all)
    tree_leaf = shapely.STRtree(geoms_leaf)
    ours = best_rate(lambda: locate_in(index, lngs, lats), n_points, repeat)
    raw_all = best_rate(lambda: tree_all.query(shapely.points(lngs, lats), predicate="within"), n_points, repeat)
    raw_leaf = best_rate(lambda: tree_leaf.query(shapely.points(lngs, lats), predicate="within"), n_points, repeat)
    located = locate_in(index, lngs, lats)
    counts = {level: int(np.sum(np.isin(located, idx.ids))) for level, idx in ((li.level, li) for li in index.levels)}

    print(f"\n== {name}: {index.size:,} polygons ({', '.join(f'{li.level} {li.ids.size:,}' for li in index.levels)})")
    print(f"   {n_points:,} random points over the bounding box; outside: {int(np.sum(located == OUTSIDE)):,}; "
          f"deepest hit per level: {counts}")
    print(f"   civicgrid locate_in (deepest region)          {ours:>12,.0f} points/s")
    print(f"   raw STRtree.query within, all polygons        {raw_all:>12,.0f} points/s   ratio {ours / raw_all:6.1%}")
    print(f"   raw STRtree.query within, {deepest:<10} only    {raw_leaf:>12,.0f} points/s   ratio {ours / raw_leaf:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), numpy {np.__version__}")

    rows = demo_rows()
    if rows:
        name = "demo database"
    else:
        name = "synthetic demo-sized tiling (no demo regions in the configured database)"
        rows = synthetic_rows(9, 31, 5684, step=0.002)
    start = time.perf_counter()
    index = build_index(0, rows)
    print(f"index build ({name}): {time.perf_counter() - start:.2f} s")
    run(name, index, rows, args.points, args.repeat)

    rows = synthetic_rows(100, 100, 0, step=0.0005)
    start = time.perf_counter()
    index = build_index(0, rows)
    print(f"\nindex build (10,000 synthetic grids): {time.perf_counter() - start:.2f} s")
    run("10,000 synthetic grids", index, rows, args.points, args.repeat)


if __name__ == "__main__":
    main()
