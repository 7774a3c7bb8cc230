"""Use cases that write regions and boundaries. Each one: require() first, then one transaction that
changes the rows, bumps BoundaryStamp and writes its audit record."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field

import shapely
from django.db import transaction

from civicgrid.core import audit, confcache
from civicgrid.core.errors import ValidationFailed
from civicgrid.core.scoping import require
from civicgrid.geo import geojson
from civicgrid.geo.choices import RegionKind, RegionLevel
from civicgrid.geo.geojson import FeatureIn, Problem
from civicgrid.geo.models import BoundaryStamp, Region

# Siblings may share edges; an overlap larger than this (in m²) is an error, smaller is float noise.
OVERLAP_TOLERANCE_M2 = 1.0
# A child may stick out of its parent by at most this share of its own area (digitising slack).
OUTSIDE_PARENT_TOLERANCE = 0.01

STAMP_PK = 1


def bump_boundary_version() -> int:
    """Tell every process's locator that boundaries changed. Call it inside the transaction of any
    action that writes Region.boundary (or bulk-creates regions); returns the new version."""
    with transaction.atomic():
        confcache.bump()  # intake caches regions by code
        # a fresh random version, not +1: a rolled-back change must never leave a version behind that
        # a later, different set of boundaries could reach again
        version = secrets.randbits(62) + 1
        BoundaryStamp.objects.update_or_create(pk=STAMP_PK, defaults={"version": version})
        return version


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    version: int = 0


def import_boundaries(*, actor, collection, create_missing: bool = True) -> ImportResult:
    """Create or update regions from a GeoJSON FeatureCollection, all or nothing.

    Every feature is checked first (shape, duplicates, parent, overlapping siblings, child within
    parent); if anything is wrong nothing is written and ValidationFailed carries one error per
    problem: {"feature": index, "code", "error", "message"}.
    """
    require(actor, "geo.change_region")
    features, errors = geojson.parse_feature_collection(collection)
    with transaction.atomic():
        existing = {
            r.code: r for r in Region.objects.select_for_update().filter(code__in=[f.code for f in features])
        }
        errors += _tree_errors(features, existing, create_missing)
        if errors:
            errors.sort(key=lambda e: (-1 if e["feature"] is None else e["feature"], e["error"]))
            raise ValidationFailed(
                f"边界导入失败:{len(errors)} 处错误,未导入任何数据", code="boundary_import_invalid", details=errors
            )
        result = _write(features, existing)
        result.version = bump_boundary_version()
        audit.record(
            actor=actor, action="geo.import_boundaries", object_type="geo.region",
            details={
                "created": len(result.created), "updated": len(result.updated), "version": result.version,
                "codes": (result.created + result.updated)[:200],
            },
        )
    return result


# --- checks -----------------------------------------------------------------------------------------


def _tree_errors(features: list[FeatureIn], existing: dict[str, Region], create_missing: bool) -> list[dict]:
    errors: list[dict] = []
    first_index: dict[str, int] = {}
    unique: list[FeatureIn] = []
    for f in features:
        if f.code in first_index:
            errors.append(Problem("duplicate_code", f"区划代码 {f.code} 在文件中重复(与第 {first_index[f.code]} 个要素)")
                          .for_feature(f.index, f.code))
        else:
            first_index[f.code] = f.index
            unique.append(f)
    in_file = {f.code: f for f in unique}
    parent_codes = {f.parent_code for f in unique if f.parent_code}
    db_parents = {r.code: r for r in Region.objects.filter(code__in=parent_codes - set(in_file))}
    for f in unique:
        if not create_missing and f.code not in existing:
            errors.append(Problem("unknown_region", f"区域 {f.code} 不存在(未允许新建)").for_feature(f.index, f.code))
        if f.parent_code and f.parent_code not in in_file and f.parent_code not in db_parents:
            errors.append(Problem("unknown_parent", f"上级区域 {f.parent_code} 不存在(库中和文件中都没有)")
                          .for_feature(f.index, f.code))
    errors += _overlap_errors(unique, parent_codes | {None})
    errors += _outside_parent_errors(unique, in_file, db_parents, existing)
    return errors


def _overlap_errors(features: list[FeatureIn], parent_codes: set[str | None]) -> list[dict]:
    """Siblings (same parent) must not overlap: against each other in the file and against the
    siblings already in the database (whose boundary the file does not replace)."""
    file_codes = {f.code for f in features}
    others = (
        Region.objects.filter(is_active=True, boundary__isnull=False)
        .exclude(code__in=file_codes)
        .only("code", "boundary")
    )
    non_null = [c for c in parent_codes if c]
    db_siblings = list(others.filter(parent__code__in=non_null)) if non_null else []
    if None in parent_codes:
        db_siblings += list(others.filter(parent__isnull=True))
    candidates: list[tuple[str | None, str, shapely.Geometry, FeatureIn | None]] = [
        (f.parent_code, f.code, f.shape, f) for f in features
    ]
    for region in db_siblings:
        problem = geojson.geometry_problem(region.boundary)
        if problem is None:
            candidates.append((geojson.parent_code_of(region.code), region.code, geojson.validate_geometry(region.boundary), None))
    if len(candidates) < 2:
        return []
    tree = shapely.STRtree([c[2] for c in candidates])
    left, right = tree.query([c[2] for c in candidates], predicate="intersects")
    errors = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        a, b = candidates[i], candidates[j]
        if i == j or a[0] != b[0] or a[3] is None:
            continue
        if b[3] is not None and j < i:
            continue  # a pair inside the file is reported once, on the later feature below
        overlap = geojson.area_m2(shapely.intersection(a[2], b[2]))
        if overlap > OVERLAP_TOLERANCE_M2:
            target = a[3] if b[3] is None else max(a[3], b[3], key=lambda f: f.index)
            other = b[1] if target is a[3] else a[1]
            errors.append(Problem(
                "overlapping_siblings", f"与同级区域 {other} 重叠约 {overlap:,.0f} 平方米(同一上级下的区域不得重叠)"
            ).for_feature(target.index, target.code))
    return errors


def _outside_parent_errors(features, in_file, db_parents, existing) -> list[dict]:
    """A child must lie within its parent (up to OUTSIDE_PARENT_TOLERANCE of its area); the parent's
    geometry comes from the file when the file carries it, else from the database."""
    parents_db = {**db_parents, **{c: r for c, r in existing.items() if c not in db_parents}}
    errors = []
    for f in features:
        if not f.parent_code:
            continue
        if f.parent_code in in_file:
            parent_shape = in_file[f.parent_code].shape
        elif f.parent_code in parents_db and geojson.geometry_problem(parents_db[f.parent_code].boundary) is None:
            parent_shape = geojson.validate_geometry(parents_db[f.parent_code].boundary)
        else:
            continue  # unknown parent (reported elsewhere) or a parent without a boundary
        outside = geojson.area_m2(shapely.difference(f.shape, parent_shape))
        if outside > max(OVERLAP_TOLERANCE_M2, OUTSIDE_PARENT_TOLERANCE * geojson.area_m2(f.shape)):
            errors.append(Problem(
                "outside_parent", f"有约 {outside:,.0f} 平方米超出上级区域 {f.parent_code} 的边界"
            ).for_feature(f.index, f.code))
    return errors


# --- writing ----------------------------------------------------------------------------------------


def _write(features: list[FeatureIn], existing: dict[str, Region]) -> ImportResult:
    result = ImportResult()
    by_code: dict[str, Region] = dict(existing)
    missing_parents = {f.parent_code for f in features if f.parent_code} - set(by_code)
    by_code.update({r.code: r for r in Region.objects.filter(code__in=missing_parents)})
    by_level: dict[int, list[FeatureIn]] = defaultdict(list)
    for f in features:
        by_level[len(f.code)].append(f)
    for length in sorted(by_level):  # parents before children
        for f in by_level[length]:
            lng, lat = geojson.center(f.shape)
            values = {
                "name": f.name, "boundary": f.geometry, "area_m2": round(geojson.area_m2(f.shape), 1),
                "center_lng": lng, "center_lat": lat,
            }
            region = by_code.get(f.code)
            if region is None:
                default_kind = RegionKind.COMPREHENSIVE if f.level == RegionLevel.GRID else RegionKind.STANDARD
                region = Region.objects.create(
                    code=f.code, level=f.level, kind=f.kind or default_kind,
                    parent=by_code[f.parent_code] if f.parent_code else None, **values,
                )
                by_code[f.code] = region
                result.created.append(f.code)
            else:
                for key, value in values.items():
                    setattr(region, key, value)
                if f.kind:
                    region.kind = f.kind
                region.save(update_fields=[*values, "kind"])
                result.updated.append(f.code)
    return result
