from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "civicgrid.gridops.fieldwork"
    label = "fieldwork"
    verbose_name = "走访与联动"
