from django.conf import settings
from django.db import models
from django.utils import timezone

from civicgrid.core.fields import EncryptedTextField
from civicgrid.webhooks.choices import DeliveryState


class Subscription(models.Model):
    """A receiver of signed event deliveries, registered by the system administrator. Disabled by itself
    after `WEBHOOK_DISABLE_AFTER` deliveries in a row failed every attempt."""

    name = models.CharField("名称", max_length=60)
    url = models.URLField("接收地址", max_length=300)
    secret = EncryptedTextField()  # "whsec_" + base64 key (Standard Webhooks), shown once
    events = models.JSONField(default=list)  # event types (choices.EVENTS)
    is_active = models.BooleanField(default=True)
    failures_in_a_row = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        permissions = [("manage_webhooks", "管理事件推送订阅")]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One published event (the outbox): written in the transaction of the change it reports."""

    event_id = models.CharField(max_length=40, unique=True)  # "evt_…": the receivers' de-duplication key
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Delivery(models.Model):
    """An event on its way to one subscription, with the outcome of the last attempt."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)  # the receiver's HTTP status
    last_error = models.CharField(max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="uniq_delivery")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id}"


class Attempt(models.Model):
    """The delivery log: every attempt with the receiver's answer, for the administrator."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status or self.error}"
