"""Demo boundaries: a jittered lattice of shared vertices around Liaoyang. Grid cells are the lattice
quads, so they tile without gaps or overlaps; micro-grids subdivide their grid quad bilinearly, so they
tile their grid; communities and streets are unions of their grids. Pure functions, no Django."""

from __future__ import annotations

import math
import random

import shapely
from shapely.geometry import Polygon, mapping

WEST, EAST = 123.17, 123.32
SOUTH, NORTH = 41.20, 41.30
NCOLS, NROWS = 21, 14  # lattice cells; row 0 is the northernmost
JITTER = 0.22  # fraction of a cell side each interior vertex may move (< 0.25 keeps quads convex)

_LAT0 = math.radians((SOUTH + NORTH) / 2)
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG = 111_320.0 * math.cos(_LAT0)

Coord = tuple[float, float]


def lattice(rng: random.Random) -> list[list[Coord]]:
    """(NCOLS + 1) x (NROWS + 1) vertices, indexed [col][row], jittered and rounded to 1e-7 degree."""
    dx, dy = (EAST - WEST) / NCOLS, (NORTH - SOUTH) / NROWS
    points = []
    for i in range(NCOLS + 1):
        column = []
        for j in range(NROWS + 1):
            jx = rng.uniform(-JITTER, JITTER) * dx
            jy = rng.uniform(-JITTER, JITTER) * dy
            column.append((round(WEST + i * dx + jx, 7), round(NORTH - j * dy + jy, 7)))
        points.append(column)
    return points


def cell_corners(points: list[list[Coord]], col: int, row: int) -> tuple[Coord, Coord, Coord, Coord]:
    """South-west, south-east, north-east, north-west corners of lattice cell (col, row)."""
    return points[col][row + 1], points[col + 1][row + 1], points[col + 1][row], points[col][row]


def _bilinear(corners, u: float, v: float) -> Coord:
    """u runs west->east, v south->north, both 0..1."""
    sw, se, ne, nw = corners
    a, b, c, d = (1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v
    return (a * sw[0] + b * se[0] + c * ne[0] + d * nw[0], a * sw[1] + b * se[1] + c * ne[1] + d * nw[1])


def ring(sw: Coord, se: Coord, ne: Coord, nw: Coord) -> list[Coord]:
    """A closed counter-clockwise exterior ring (RFC 7946)."""
    return [sw, se, ne, nw, sw]


def subdivide(corners, ncols: int, nrows: int) -> list[list[Coord]]:
    """ncols x nrows sub-quads of a quad, row-major from the north-west; neighbours share vertices exactly."""
    grid = [[_bilinear(corners, i / ncols, 1 - j / nrows) for j in range(nrows + 1)] for i in range(ncols + 1)]
    rings = []
    for j in range(nrows):
        for i in range(ncols):
            rings.append(ring(grid[i][j + 1], grid[i + 1][j + 1], grid[i + 1][j], grid[i][j]))
    return rings


def polygon(coords: list[Coord]) -> Polygon:
    return Polygon(coords)


def union(polygons) -> shapely.Geometry:
    merged = shapely.union_all(list(polygons))
    return shapely.normalize(merged) if merged.geom_type == "MultiPolygon" else _ccw(merged)


def _ccw(geom):
    return shapely.geometry.polygon.orient(geom, sign=1.0) if geom.geom_type == "Polygon" else geom


def area_m2(geom) -> float:
    """Area in square metres by a local equirectangular projection (error well under 1% at this size)."""
    projected = shapely.transform(geom, lambda xy: xy * [M_PER_DEG_LNG, M_PER_DEG_LAT])
    return round(projected.area, 1)


def center(geom) -> Coord:
    point = geom.centroid
    if not geom.contains(point):
        point = geom.point_on_surface()
    return round(point.x, 7), round(point.y, 7)


def to_geojson(geom) -> dict:
    """A GeoJSON geometry dict with plain lists (JSONField round-trips lists, not tuples)."""
    data = mapping(_ccw(geom))

    def lists(value):
        return [lists(v) for v in value] if isinstance(value, list | tuple) and not _is_coord(value) else list(value)

    return {"type": data["type"], "coordinates": lists(data["coordinates"])}


def _is_coord(value) -> bool:
    return len(value) == 2 and all(isinstance(v, int | float) for v in value)


def point_in_quad(quad_ring: list[Coord], rng: random.Random) -> Coord:
    """A seeded point well inside a convex quad given as its ring (sw, se, ne, nw, sw)."""
    x, y = _bilinear(quad_ring[:4], rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85))
    return round(x, 7), round(y, 7)


def canonical(boundary) -> str:
    """A stable text form of a stored GeoJSON geometry (for checksums)."""
    import json

    return json.dumps(boundary, sort_keys=True, separators=(",", ":"))
