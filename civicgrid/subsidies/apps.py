from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "civicgrid.subsidies"
    label = "subsidies"
    verbose_name = "惠企补贴与免申即享"
