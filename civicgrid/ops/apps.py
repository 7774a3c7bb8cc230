from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "civicgrid.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self):
        from django_tasks.signals import task_finished

        from civicgrid.ops.queries import note_finished

        task_finished.connect(note_finished, dispatch_uid="civicgrid.ops.note_finished")
