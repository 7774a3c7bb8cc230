"""The base map the report map draws when no tile server is configured: building footprints derived from
the stored points, short labels, estate names and the bounding-box parameter. Pure functions, no database.

Stored coordinates are WGS84 (EPSG:4326, lng/lat) everywhere; a GCJ-02 tile provider is handled in the
browser (static/geo/gcj02.js), never by shifting stored data.
"""

from __future__ import annotations

import math
import re

from civicgrid.core.errors import ValidationFailed

M_PER_DEG_LAT = 110_574.0
BBOX_MAX_DEG = 0.05  # about 5 km: a phone screen at the zoom buildings are drawn at is far smaller
SNAP_DEG = 0.0025  # bounding boxes are widened to this grid so that the same view asks the same URL


def _m_per_deg_lng(lat: float) -> float:
    return 111_320.0 * math.cos(math.radians(lat))


def footprint_size(floors: int | None, units: int | None) -> tuple[float, float]:
    """(east-west, north-south) metres: a slab block is about 13 m a stairwell unit by 12 m deep, facing
    south as most northern Chinese housing does; a single-storey village house about 12 by 9 m."""
    floors, units = floors or 1, units or 1
    if floors <= 2 and units <= 1:
        return 12.0, 9.0
    return 13.0 * max(units, 1) + 2.0, 12.0 if floors < 10 else 16.0


def footprint(lng: float, lat: float, floors: int | None, units: int | None) -> list[list[float]]:
    """A closed counter-clockwise rectangle around the building's point, as GeoJSON [lng, lat] pairs."""
    width, depth = footprint_size(floors, units)
    dx = width / 2 / _m_per_deg_lng(lat)
    dy = depth / 2 / M_PER_DEG_LAT
    corners = [(lng - dx, lat - dy), (lng + dx, lat - dy), (lng + dx, lat + dy), (lng - dx, lat + dy)]
    ring = [[round(x, 7), round(y, 7)] for x, y in corners]
    return [*ring, ring[0]]


def short_label(name: str, parent_name: str | None) -> str:
    """A region's name without its parent's ("幸福社区第三网格" under 幸福社区 -> "第三网格")."""
    if parent_name and name.startswith(parent_name) and len(name) > len(parent_name):
        return name[len(parent_name):]
    return name


_BUILDING_NO = re.compile(r"\d+号(楼)?$")


def estate_of(building_name: str) -> str:
    """The estate or village group a building belongs to, from its name ("幸福家园3号楼" -> "幸福家园");
    '' when the name has no building number."""
    estate = _BUILDING_NO.sub("", building_name.strip())
    return estate if estate != building_name.strip() else ""


def estate_labels(buildings) -> list[dict]:
    """One label per estate at the mean point of its buildings. `buildings`: (name, lng, lat) tuples."""
    groups: dict[str, list[tuple[float, float]]] = {}
    for name, lng, lat in buildings:
        estate = estate_of(name)
        if estate:
            groups.setdefault(estate, []).append((lng, lat))
    labels = []
    for estate, points in sorted(groups.items()):
        lng = sum(p[0] for p in points) / len(points)
        lat = sum(p[1] for p in points) / len(points)
        labels.append({"name": estate, "lng": round(lng, 7), "lat": round(lat, 7), "buildings": len(points)})
    return labels


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """"west,south,east,north" in WGS84 degrees, widened outwards to the SNAP_DEG grid; a clear 422 for
    anything else, or for a box wider than BBOX_MAX_DEG."""
    parts = (text or "").split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValidationFailed("范围参数 bbox 应为“西,南,东,北”四个经纬度数值", code="invalid_bbox",
                               details={"bbox": text}) from None
    finite = all(math.isfinite(v) for v in (west, south, east, north))
    if not finite or not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValidationFailed("范围参数 bbox 无效:应满足 西<东、南<北,且在经纬度范围内", code="invalid_bbox",
                               details={"bbox": text})
    if east - west > BBOX_MAX_DEG or north - south > BBOX_MAX_DEG:
        raise ValidationFailed(f"范围过大:bbox 每边不超过 {BBOX_MAX_DEG} 度,请放大地图后再试", code="bbox_too_large",
                               details={"bbox": text, "max_degrees": BBOX_MAX_DEG})

    def down(v):
        return round(math.floor(v / SNAP_DEG) * SNAP_DEG, 6)

    def up(v):
        return round(math.ceil(v / SNAP_DEG) * SNAP_DEG, 6)

    return down(west), down(south), up(east), up(north)
