from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "civicgrid.recognition"
    label = "recognition"
    verbose_name = "好人榜"
