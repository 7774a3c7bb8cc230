from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "civicgrid.gridops.patrols"
    label = "patrols"
    verbose_name = "网格巡查"
