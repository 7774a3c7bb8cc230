from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "civicgrid.works"
    label = "works"
    verbose_name = "创城项目"
