"""Pluggable SMS gateway. The default backend only logs: civicgrid never sends real messages unless a
deployment configures CIVICGRID_SMS_BACKEND with its operator's gateway class."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from civicgrid.core import masking

log = logging.getLogger("civicgrid.sms")


class SmsBackend:
    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogBackend(SmsBackend):
    """Writes the message to the log (phone masked) and keeps it in `outbox` for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))
        log.info("SMS to %s: %s", masking.mask_phone(phone), text)


@lru_cache(maxsize=1)
def _backend(path: str) -> SmsBackend:
    return import_string(path)()


def send(phone: str, text: str) -> None:
    """Call only after commit (transaction.on_commit): a rolled-back change must not text anyone."""
    if phone:
        _backend(getattr(settings, "SMS_BACKEND", "civicgrid.core.sms.LogBackend")).send(phone, text)
