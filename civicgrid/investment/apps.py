from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "civicgrid.investment"
    label = "investment"
    verbose_name = "项目建设与招商引资"
