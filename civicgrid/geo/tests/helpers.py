"""Building GeoJSON for geo tests."""

from __future__ import annotations

from civicgrid.geo.models import BoundaryStamp, Region
from civicgrid.testing import square


def feature(code: str, name: str, geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name, **props}, "geometry": geometry}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def bowtie(lng: float, lat: float, size: float) -> dict:
    ring = [[lng, lat], [lng + size, lat + size], [lng + size, lat], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def snapshot() -> tuple:
    """Everything an import may change: the regions and the stamp."""
    regions = list(Region.objects.order_by("code").values_list("code", "name", "kind", "boundary", "area_m2", "parent_id"))
    return regions, BoundaryStamp.objects.values_list("version", flat=True).first()


__all__ = ["bowtie", "collection", "feature", "snapshot", "square"]
