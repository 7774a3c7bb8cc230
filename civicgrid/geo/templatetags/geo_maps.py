"""{% pick_map %}: the point-picking map of the report, patrol-finding and volunteer-order forms, with its
base-map endpoints and tile settings handed to static/geo/pickmap.js as JSON."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("geo/_pick_map.html")
def pick_map(picked: bool = False) -> dict:
    return {
        "picked": picked,
        "config": {
            "layersUrl": reverse("api-v1:geo_map_layer", args=["__level__"]),
            "placeUrl": reverse("api-v1:geo_place"),
            "buildingsUrl": reverse("api-v1:people_map_buildings"),
            "searchUrl": reverse("api-v1:people_map_search"),
            "tileUrl": settings.MAP_TILE_URL,
            "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
            "tileCrs": settings.MAP_TILE_CRS,
        },
    }
