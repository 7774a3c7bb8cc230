from __future__ import annotations

from django.db import models

from civicgrid.core.scoping import Scope, ScopedManager
from civicgrid.geo.choices import CODE_LENGTH, DEPTH, RegionKind, RegionLevel


class Region(models.Model):
    """One node of the region tree: district > street/town > community/village > grid > micro-grid."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=12, choices=RegionLevel.choices)
    kind = models.CharField(max_length=16, choices=RegionKind.choices, default=RegionKind.STANDARD)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84 lng/lat), validated by geo.geojson on the way in.
    boundary = models.JSONField(null=True, blank=True)
    area_m2 = models.FloatField(null=True, blank=True)
    center_lng = models.FloatField(null=True, blank=True)
    center_lat = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager()
    scope = Scope(region="code")

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name}({self.code})"

    @property
    def depth(self) -> int:
        return DEPTH[RegionLevel(self.level)]

    @property
    def full_code_length(self) -> int:
        return CODE_LENGTH[RegionLevel(self.level)]

    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors, district first, derived from the code itself."""
        return [self.code[:n] for n in CODE_LENGTH.values() if n < len(self.code)]


# a region's fields without its boundary (a district's is large): what hot paths load with a region
FIELDS_WITHOUT_BOUNDARY = tuple(f.name for f in Region._meta.concrete_fields if f.name != "boundary")


class BoundaryStamp(models.Model):
    """One row whose version changes whenever any boundary changes; locators in every process
    compare it with the version they were built from and rebuild when it moved."""

    version = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"boundary version {self.version}"
