from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "civicgrid.open311"
    label = "open311"
    verbose_name = "Open311 接口"

    def ready(self):
        from civicgrid.core import inputs
        from civicgrid.open311 import views

        inputs.REFUSAL_ANSWERS["/open311/"] = views.refused
