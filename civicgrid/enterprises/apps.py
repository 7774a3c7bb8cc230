from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "civicgrid.enterprises"
    label = "enterprises"
    verbose_name = "高新区与企业服务"
