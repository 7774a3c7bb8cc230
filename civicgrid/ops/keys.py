"""Data-key rotation: re-encrypt every encrypted field under the current key.

Batches commit one by one, and a row already sealed with the current key is skipped, so a run that
crashed half-way resumes where it stopped by running again. Until it has finished, the keys in
settings.DATA_KEYS_PREVIOUS keep reading the rows not yet done (core/crypto.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from civicgrid.core import audit, crypto
from civicgrid.core.fields import EncryptedTextField
from civicgrid.ops import manifest, sql


def encrypted_fields():
    for model in manifest.stored_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def _rotate_batch(model, fields, after, size: int, current: str) -> tuple[int, int, object]:
    meta = model._meta
    with transaction.atomic():
        rows = sql.rows_after(connection, meta.db_table, meta.pk.column, [f.column for f in fields], after, size)
        changed = 0
        for pk, *tokens in rows:
            stale = {f.attname: crypto.decrypt(token) for f, token in zip(fields, tokens, strict=True)
                     if token and crypto.key_id_of(token) != current}
            if stale:  # update() encrypts through the field, under the current key, and sends no signals
                model._base_manager.filter(pk=pk).update(**stale)
                changed += 1
    return len(rows), changed, rows[-1][0] if rows else after


def rotate(*, batch: int = 500, progress: Callable[[str, int, int], None] = lambda *a: None) -> dict[str, int]:
    """Re-encrypt what is not yet under the current key; returns rows changed per model."""
    current = crypto.current_key_id()
    changed_by_model = {}
    for model, fields in encrypted_fields():
        label, total = model._meta.label, model._base_manager.count()
        seen, changed, after = 0, 0, None
        while True:
            read, done, after = _rotate_batch(model, fields, after, batch, current)
            if not read:
                break
            seen, changed = seen + read, changed + done
            progress(label, seen, total)
        changed_by_model[label] = changed
    audit.record(actor=None, action="ops.rotate_data_key", object_type="core.data_key", object_id=current,
                 details={"changed": changed_by_model})
    return changed_by_model


def remaining() -> dict[str, int]:
    """Rows per model that still hold a value sealed with an earlier key."""
    current = crypto.current_key_id()
    left = {}
    for model, fields in encrypted_fields():
        meta = model._meta
        rows = sql.table_rows(connection, meta.db_table, [f.column for f in fields], meta.pk.column)
        count = sum(1 for row in rows if any(t and crypto.key_id_of(t) != current for t in row))
        if count:
            left[meta.label] = count
    return left
