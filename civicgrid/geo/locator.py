"""Point -> region: which grid (and which street, community…) a coordinate falls in.

A `Locator` keeps shapely 2 STRtrees over the active regions that have a boundary, one tree per level.
It is built lazily and rebuilt when `BoundaryStamp.version` differs from the version it was built
from, so a boundary import in one process reaches the locators of every other process. The stamp is
read at most once per `settings.GEO_STAMP_CHECK_SECONDS` (default 2).

"Deepest containing region": the region of the highest level (micro-grid > grid > … > district)
whose polygon contains the point. Levels are queried deepest first and only the points not yet
placed go on to the next level up, so a point inside a micro-grid costs one tree query: bounding-box
candidates from the STRtree, then `shapely.contains_xy` on the prepared polygons (equivalent to
`query(points, predicate="within")`, measured faster; see bench/locate.py). A point
exactly on a boundary line is not "within" that polygon (shapely semantics) and falls to the level
above, or outside.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings

from civicgrid.geo import geojson
from civicgrid.geo.choices import CODE_LENGTH, LEVEL_ORDER
from civicgrid.geo.models import BoundaryStamp, Region

log = logging.getLogger(__name__)
OUTSIDE = -1


def stamp_version() -> int:
    return BoundaryStamp.objects.order_by("pk").values_list("version", flat=True).first() or 0


@dataclass(frozen=True)
class LevelIndex:
    level: str
    tree: shapely.STRtree
    geoms: np.ndarray  # the tree's (prepared) polygons
    ids: np.ndarray  # region id per tree item


@dataclass(frozen=True)
class Index:
    version: int
    levels: tuple[LevelIndex, ...]  # deepest level first
    codes: dict[int, str]  # region id -> code

    @property
    def size(self) -> int:
        return len(self.codes)


def build_index(version: int, rows) -> Index:
    """`rows`: (id, code, level, boundary) tuples. Invalid boundaries are skipped with a warning."""
    per_level: dict[str, tuple[list, list]] = {level: ([], []) for level in LEVEL_ORDER}
    codes: dict[int, str] = {}
    for region_id, code, level, boundary in rows:
        problem = geojson.geometry_problem(boundary)
        if problem is not None:
            log.warning("region %s: boundary skipped by the locator: %s", code, problem.message)
            continue
        geoms, ids = per_level[level]
        geoms.append(geojson.validate_geometry(boundary))
        ids.append(region_id)
        codes[region_id] = code
    levels = []
    for level in reversed(LEVEL_ORDER):
        geoms, ids = per_level[level]
        if geoms:
            arr = np.asarray(geoms, dtype=object)
            shapely.prepare(arr)
            levels.append(LevelIndex(str(level), shapely.STRtree(arr), arr, np.asarray(ids, dtype=np.int64)))
    return Index(version=version, levels=tuple(levels), codes=codes)


def locate_in(index: Index, lngs, lats) -> np.ndarray:
    """Id of the deepest containing region per point, OUTSIDE (-1) where none; vectorised."""
    lngs = np.asarray(lngs, dtype=np.float64).ravel()
    lats = np.asarray(lats, dtype=np.float64).ravel()
    if lngs.shape != lats.shape:
        raise ValueError("lngs and lats differ in length")
    result = np.full(lngs.shape[0], OUTSIDE, dtype=np.int64)
    points = shapely.points(lngs, lats)
    pending = np.arange(lngs.shape[0])
    for level in index.levels:
        if pending.size == 0:
            break
        # Bounding-box candidates from the tree, then point-in-polygon on the prepared polygons:
        # the same answer as query(points, predicate="within"), without a GEOS point per test.
        point_idx, tree_idx = level.tree.query(points[pending])
        inside = shapely.contains_xy(level.geoms[tree_idx], lngs[pending[point_idx]], lats[pending[point_idx]])
        point_idx, tree_idx = point_idx[inside], tree_idx[inside]
        if point_idx.size == 0:
            continue
        # Siblings do not overlap, so a point has at most one hit per level (bar shared-edge noise):
        # keep the first hit of each point.
        first = np.r_[True, point_idx[1:] != point_idx[:-1]] if _sorted(point_idx) else _firsts(point_idx)
        hit_points, hit_items = point_idx[first], tree_idx[first]
        result[pending[hit_points]] = level.ids[hit_items]
        placed = np.zeros(pending.size, dtype=bool)
        placed[hit_points] = True
        pending = pending[~placed]
    return result


def locate_one(index: Index, lng: float, lat: float) -> int:
    """`locate_in` for one point, without the array set-up that dominates a single lookup (an intake
    locates one point): the same candidates in the same order, so the same answer."""
    point = shapely.Point(lng, lat)
    for level in index.levels:
        for item in level.tree.query(point):
            if shapely.contains_xy(level.geoms[item], lng, lat):
                return int(level.ids[item])
    return OUTSIDE


def _sorted(values: np.ndarray) -> bool:
    return bool(values.size < 2 or np.all(values[1:] >= values[:-1]))


def _firsts(values: np.ndarray) -> np.ndarray:
    mask = np.zeros(values.size, dtype=bool)
    mask[np.unique(values, return_index=True)[1]] = True
    return mask


class Locator:
    def __init__(self, check_seconds: float | None = None):
        self._check_seconds = check_seconds
        self._index: Index | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def _interval(self) -> float:
        if self._check_seconds is not None:
            return self._check_seconds
        return float(getattr(settings, "GEO_STAMP_CHECK_SECONDS", 2))

    def index(self) -> Index:
        """The current index, rebuilt if the stamp moved since it was built (checked at most once
        per interval)."""
        index = self._index
        if index is not None and time.monotonic() - self._checked_at < self._interval():
            return index
        with self._lock:
            # Read the version before the rows: a change racing the build is caught next check.
            version = stamp_version()
            self._checked_at = time.monotonic()
            if self._index is None or self._index.version != version:
                rows = (
                    Region.objects.filter(is_active=True, boundary__isnull=False)
                    .order_by("code")
                    .values_list("id", "code", "level", "boundary")
                    .iterator(chunk_size=2000)
                )
                self._index = build_index(version, rows)
            return self._index

    def invalidate(self) -> None:
        """Forget the index; the next call rebuilds it."""
        with self._lock:
            self._index = None
            self._checked_at = float("-inf")

    def locate_many(self, lngs, lats) -> np.ndarray:
        return locate_in(self.index(), lngs, lats)

    def locate_code(self, lng: float, lat: float) -> str | None:
        geojson.check_coordinates(lng, lat)
        index = self.index()
        region_id = locate_one(index, lng, lat)
        return index.codes.get(region_id)

    def locate(self, lng: float, lat: float) -> list[Region]:
        """The chain district -> … -> deepest containing region; [] outside every region."""
        code = self.locate_code(lng, lat)
        if code is None:
            return []
        codes = [code[:n] for n in CODE_LENGTH.values() if n <= len(code)]
        return sorted(Region.objects.filter(code__in=codes), key=lambda r: len(r.code))


_default = Locator()


def get_locator() -> Locator:
    return _default
