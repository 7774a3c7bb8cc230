"""GeoJSON in and out: geometry validation, FeatureCollection parsing for imports, areas and centres.

Pure functions over plain dicts and shapely; no database. A problem is reported as a `Problem`
(machine code + Chinese message); callers decide whether to raise or to collect per feature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.validation import explain_validity

from civicgrid.core.errors import ValidationFailed
from civicgrid.geo.choices import LEVEL_BY_LENGTH, RegionKind, RegionLevel

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
EARTH_RADIUS_M = 6_371_007.2  # authalic radius: the sinusoidal projection below is then equal-area


@dataclass(frozen=True)
class Problem:
    error: str  # machine code, e.g. "ring_not_closed"
    message: str  # Chinese, for people

    def for_feature(self, index: int | None, code: str | None) -> dict[str, Any]:
        return {"feature": index, "code": code, "error": self.error, "message": self.message}


class GeometryInvalid(ValueError):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.message)


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _ring_problem(ring: Any) -> Problem | None:
    if not isinstance(ring, list | tuple) or not all(
        isinstance(p, list | tuple) and len(p) in (2, 3) and all(_is_number(v) for v in p) for p in ring
    ):
        return Problem("malformed_geometry", "坐标格式有误:每个点应为 [经度, 纬度]")
    for lng, lat, *_ in ring:
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            return Problem(
                "coordinates_out_of_range",
                f"坐标超出 WGS84 范围:[{lng}, {lat}](经度 -180~180,纬度 -90~90)",
            )
    if len(ring) < 4:
        return Problem("ring_too_short", f"多边形的环至少需要 4 个点,当前只有 {len(ring)} 个")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return Problem("ring_not_closed", "多边形的环未闭合:首点与末点必须相同")
    return None


def geometry_problem(geometry: Any) -> Problem | None:
    """The first thing wrong with a GeoJSON geometry dict, or None when it is a valid (Multi)Polygon."""
    if not isinstance(geometry, dict):
        return Problem("missing_geometry", "缺少几何图形(geometry)")
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return Problem("unsupported_geometry", f"只支持 Polygon 或 MultiPolygon,收到 {kind!r}")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list | tuple) or not polygons:
        return Problem("malformed_geometry", "坐标(coordinates)缺失或为空")
    for polygon in polygons:
        if not isinstance(polygon, list | tuple) or not polygon:
            return Problem("malformed_geometry", "多边形至少需要一个外环")
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return problem
    geom = shape(geometry)
    if not geom.is_valid:
        return Problem("invalid_geometry", f"几何图形无效:{explain_validity(geom)}")
    if geom.area == 0:
        return Problem("invalid_geometry", "几何图形面积为零")
    return None


def validate_geometry(geometry: Any) -> shapely.Geometry:
    """The shapely geometry of a valid GeoJSON (Multi)Polygon; GeometryInvalid otherwise."""
    problem = geometry_problem(geometry)
    if problem:
        raise GeometryInvalid(problem)
    return shape(geometry)


def check_coordinates(lng: float, lat: float) -> None:
    if not (_is_number(lng) and _is_number(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValidationFailed(
            f"坐标超出范围:经度应在 -180~180,纬度应在 -90~90(收到 lng={lng}, lat={lat})",
            code="coordinates_out_of_range",
            details={"lng": lng, "lat": lat},
        )


# --- areas and centres ------------------------------------------------------------------------------


def equal_area(geom: shapely.Geometry) -> shapely.Geometry:
    """Project lng/lat degrees to metres with the sinusoidal projection centred on the geometry:
    areas are exact on the sphere, shapes are barely distorted at district scale."""
    lng0 = geom.centroid.x

    def project(coords: np.ndarray) -> np.ndarray:
        phi = np.radians(coords[:, 1])
        out = np.empty_like(coords)
        out[:, 0] = EARTH_RADIUS_M * np.radians(coords[:, 0] - lng0) * np.cos(phi)
        out[:, 1] = EARTH_RADIUS_M * phi
        return out

    return shapely.transform(geom, project)


def area_m2(geom: shapely.Geometry) -> float:
    if geom.is_empty:
        return 0.0
    return float(equal_area(geom).area)


def center(geom: shapely.Geometry) -> tuple[float, float]:
    """A point guaranteed inside the polygon (the centroid may fall outside a concave shape)."""
    point = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    return round(point.x, 7), round(point.y, 7)


# --- FeatureCollection for imports ------------------------------------------------------------------


@dataclass
class FeatureIn:
    index: int
    code: str
    name: str
    level: str
    kind: str | None
    parent_code: str | None
    geometry: dict
    shape: shapely.Geometry


def parent_code_of(code: str) -> str | None:
    lengths = sorted(n for n in LEVEL_BY_LENGTH if n < len(code))
    return code[: lengths[-1]] if lengths else None


def _feature(index: int, feature: Any) -> tuple[FeatureIn | None, list[dict]]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, [Problem("malformed_feature", "不是有效的 GeoJSON Feature 对象").for_feature(index, None)]
    props = feature.get("properties")
    if not isinstance(props, dict):
        return None, [Problem("missing_property", "缺少属性(properties)").for_feature(index, None)]
    raw_code = props.get("code")
    code = str(raw_code).strip() if isinstance(raw_code, str | int) and not isinstance(raw_code, bool) else ""
    name = props.get("name").strip() if isinstance(props.get("name"), str) else ""
    problems: list[Problem] = []
    if not code:
        problems.append(Problem("missing_property", "缺少属性 code(区划代码)"))
    elif not code.isdigit() or len(code) not in LEVEL_BY_LENGTH:
        problems.append(Problem("bad_code", f"区划代码 {code} 无效:应为 2/4/6/9/12/15/18 位数字"))
    if not name:
        problems.append(Problem("missing_property", "缺少属性 name(名称)"))
    elif len(name) > 100:
        problems.append(Problem("bad_name", "名称过长(最多 100 字)"))
    level = LEVEL_BY_LENGTH.get(len(code)) if code.isdigit() else None
    given_level = props.get("level")
    if given_level not in (None, "") and level is not None and given_level != level:
        problems.append(Problem("level_mismatch", f"层级 {given_level!r} 与 {len(code)} 位代码不符(应为 {level})"))
    kind = props.get("kind") or None
    if kind is not None and kind not in RegionKind.values:
        problems.append(Problem("bad_kind", f"网格类型 {kind!r} 无效,可选:{', '.join(RegionKind.values)}"))
    parent_code = props.get("parent_code") or None
    expected_parent = parent_code_of(code) if level else None
    if parent_code is not None and level is not None and str(parent_code) != expected_parent:
        problems.append(
            Problem("parent_mismatch", f"上级代码 {parent_code} 与代码前缀不符(应为 {expected_parent or '无'})")
        )
    geometry_issue = geometry_problem(feature.get("geometry"))
    if geometry_issue:
        problems.append(geometry_issue)
    if problems:
        return None, [p.for_feature(index, code or None) for p in problems]
    geometry = feature["geometry"]
    return FeatureIn(
        index=index, code=code, name=name, level=str(level), kind=kind, parent_code=expected_parent,
        geometry={"type": geometry["type"], "coordinates": geometry["coordinates"]}, shape=shape(geometry),
    ), []


def parse_feature_collection(collection: Any) -> tuple[list[FeatureIn], list[dict]]:
    """Every well-formed feature, and a per-feature error for every bad one (shape checks only; the
    tree checks — duplicates, parents, overlaps — need the database and live in actions)."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        return [], [Problem("malformed_geojson", "文件不是 GeoJSON FeatureCollection").for_feature(None, None)]
    features = collection.get("features")
    if not isinstance(features, list):
        return [], [Problem("malformed_geojson", "FeatureCollection 缺少 features 数组").for_feature(None, None)]
    if not features:
        return [], [Problem("empty_collection", "FeatureCollection 中没有任何要素").for_feature(None, None)]
    parsed: list[FeatureIn] = []
    errors: list[dict] = []
    for index, feature in enumerate(features):
        item, problems = _feature(index, feature)
        errors += problems
        if item is not None:
            parsed.append(item)
    return parsed, errors


def feature(region, *, properties: dict | None = None) -> dict:
    """One region as a GeoJSON Feature (geometry as stored)."""
    return {
        "type": "Feature",
        "id": region.code,
        "geometry": region.boundary,
        "properties": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "level_label": str(RegionLevel(region.level).label),
            "kind": region.kind,
            "parent_code": parent_code_of(region.code) if region.parent_id else None,
            **(properties or {}),
        },
    }


def feature_collection(regions) -> dict:
    return {"type": "FeatureCollection", "features": [feature(r) for r in regions]}
