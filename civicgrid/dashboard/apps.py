from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps


class DashboardConfig(AppConfig):
    name = "civicgrid.dashboard"
    label = "dashboard"
    verbose_name = "领导驾驶舱"

    def ready(self):
        """Merge every app's `panels.PANELS` into the registry (as the figures registry does): a domain adds
        a dashboard panel by declaring it in its own `panels.py`, without editing this app."""
        from civicgrid.dashboard import registry

        for config in apps.get_app_configs():
            module = f"{config.name}.panels"
            if config.name.startswith("civicgrid.") and find_spec(module):
                registry.merge(import_module(module).PANELS, module)
