from django.apps import AppConfig


class PublicServiceConfig(AppConfig):
    name = "civicgrid.publicservice"
    label = "publicservice"
    verbose_name = "政务服务"
