from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "civicgrid.reports"
    label = "reports"
    verbose_name = "报表与后台导出"
