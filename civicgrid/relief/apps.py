from django.apps import AppConfig


class ReliefConfig(AppConfig):
    name = "civicgrid.relief"
    label = "relief"
    verbose_name = "助企纾困与项目堵点"
