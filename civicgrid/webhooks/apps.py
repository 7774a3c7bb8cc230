from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "civicgrid.webhooks"
    label = "webhooks"
    verbose_name = "事件推送"

    def ready(self):
        from civicgrid.core import confcache
        from civicgrid.webhooks.models import Subscription

        confcache.watch(Subscription)  # the outbox reads the active subscriptions from the snapshot
