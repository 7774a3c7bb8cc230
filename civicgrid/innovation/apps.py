from django.apps import AppConfig


class InnovationConfig(AppConfig):
    name = "civicgrid.innovation"
    label = "innovation"
    verbose_name = "科技创新与揭榜挂帅"
