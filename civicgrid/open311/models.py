from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiKey(models.Model):
    """A client application's key for POSTs (Open311 `api_key`). The key is shown once when issued and kept
    only as a keyed hash; `prefix` tells keys apart in lists. Requests posted with it are made as `user`, an
    account with the api_client role whose region is the key's jurisdiction."""

    name = models.CharField("应用名称", max_length=60)
    contact = models.CharField("联系方式", max_length=120, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="open311_key")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=60)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("manage_keys", "管理 Open311 接口密钥")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ClientUpdate(models.Model):
    """mySociety `POST servicerequestupdates`: what a client application's user added to a request (a
    comment, a photo link, "still not fixed"). Kept beside the case and told to its handlers; it never
    moves the case, whose steps are the departments' own."""

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="updates")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="open311_updates")
    client_update_id = models.CharField(max_length=64)  # the client's own id: a retry sends it again
    status = models.CharField(max_length=40, blank=True)  # the client's extended state, as sent
    description = models.TextField(blank=True)
    media_url = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)  # the client's `updated_datetime`
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["key", "client_update_id"], name="uniq_open311_client_update")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.client_update_id}"
