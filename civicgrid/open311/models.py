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
