from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "civicgrid.figures"
    label = "figures"
    verbose_name = "文章数据核对"
