from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "civicgrid.geo"
    label = "geo"
    verbose_name = "区域网格"

    def ready(self):
        from civicgrid.core import confcache
        from civicgrid.geo.models import Region

        confcache.watch(Region)  # intake caches regions by code (civicgrid.core.confcache)
