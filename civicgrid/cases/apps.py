from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "civicgrid.cases"
    label = "cases"
    verbose_name = "案件工单"
