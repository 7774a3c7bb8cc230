from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "civicgrid.geo"
    label = "geo"
    verbose_name = "区域网格"

    def ready(self):
        from civicgrid.core import confcache, scoping
        from civicgrid.geo.models import Region
        from civicgrid.geo.queries import tree_outline

        confcache.watch(Region)  # intake caches regions by code (civicgrid.core.confcache)
        scoping.register_tree(tree_outline)  # who may change which district's calendar and routing table
