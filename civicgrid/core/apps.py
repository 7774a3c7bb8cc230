from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicgrid.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self):
        from civicgrid.core import confcache
        from civicgrid.core.models import CalendarDay

        confcache.watch(CalendarDay)
