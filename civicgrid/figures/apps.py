from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps


class FiguresConfig(AppConfig):
    name = "civicgrid.figures"
    label = "figures"
    verbose_name = "文章数据核对"

    def ready(self):
        """Merge every domain app's `figures.HANDLERS` into the registry (as admin.autodiscover does)."""
        from civicgrid.figures import registry

        for config in apps.get_app_configs():
            module = f"{config.name}.figures"
            if config.name != self.name and config.name.startswith("civicgrid.") and find_spec(module):
                registry.merge(import_module(module).HANDLERS, module)
