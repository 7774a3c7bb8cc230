"""Model fields for encrypted personal data. Filter on the companion hash column, never on these."""

from __future__ import annotations

from django.db import models

from civicgrid.core import crypto


class EncryptedTextField(models.TextField):
    description = "AES-GCM encrypted text"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)
