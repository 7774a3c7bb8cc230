"""What a database holds, as numbers that two copies can be compared by: per table the row count and a
sha256 over its rows in primary-key order, the applied migrations, the audit chain head and the case
event chain heads, and a fingerprint of the data key (never the key)."""

from __future__ import annotations

import hashlib
import json
import uuid
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from django.apps import apps
from django.db import connections
from django.db.utils import load_backend

from civicgrid.core import crypto
from civicgrid.ops import sql


def _plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot hash a {type(value).__name__}")


def _digest(rows) -> tuple[int, str]:
    h = hashlib.sha256()
    count = 0
    for row in rows:
        h.update(json.dumps(row, default=_plain, ensure_ascii=False, sort_keys=True).encode())
        h.update(b"\n")
        count += 1
    return count, h.hexdigest()


def stored_models():
    """Every table Django manages, many-to-many tables included, in a stable order."""
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    return sorted(models, key=lambda m: m._meta.db_table)


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def table_digest(conn, model) -> tuple[int, str]:
    meta = model._meta
    return _digest(list(row) for row in sql.table_rows(conn, meta.db_table, _columns(model), meta.pk.column))


def key_fingerprint() -> str:
    """Tells which data key a backup's encrypted fields need, without revealing it."""
    return crypto.keyed_hash(b"", purpose="backup-key-fingerprint")[:16]


def media_digest(root: Path) -> dict:
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    rows = ((str(p.relative_to(root)), hashlib.sha256(p.read_bytes()).hexdigest()) for p in files)
    count, digest = _digest(rows)
    return {"files": count, "sha256": digest}


def compute(conn) -> dict:
    tables = {}
    for model in stored_models():
        count, digest = table_digest(conn, model)
        tables[model._meta.db_table] = {"rows": count, "sha256": digest}
    head = apps.get_model("core", "AuditChainHead")
    case = apps.get_model("cases", "Case")
    return {
        "vendor": conn.vendor,
        "migrations": sql.applied_migrations(conn),
        "tables": tables,
        "audit_chain_head": [list(r) for r in sql.table_rows(conn, head._meta.db_table, ["id", "last_hash"], "id")],
        "case_chain_heads": _digest(list(r) for r in sql.table_rows(
            conn, case._meta.db_table, ["id", "event_count", "last_event_hash"], "id"))[1],
        "data_key": key_fingerprint(),
    }


def differences(expected: dict, actual: dict) -> list[str]:
    """Plain-language list of what differs; empty when the two manifests describe the same data."""
    found = []
    for key in ("vendor", "migrations", "audit_chain_head", "case_chain_heads", "data_key", "media"):
        if key in expected and expected.get(key) != actual.get(key):
            found.append(f"{key}: backup {_short(expected.get(key))}, here {_short(actual.get(key))}")
    for table in sorted(set(expected["tables"]) | set(actual["tables"])):
        want, got = expected["tables"].get(table), actual["tables"].get(table)
        if want != got:
            rows = lambda t: "missing" if t is None else f"{t['rows']} rows"  # noqa: E731
            what = "content differs" if want and got and want["rows"] == got["rows"] else "row count differs"
            found.append(f"table {table}: {what} (backup {rows(want)}, here {rows(got)})")
    return found


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


@contextmanager
def database(url: str | None):
    """A connection to `url` (None: the configured database's own), closed afterwards. It is not
    registered as an alias: nothing but the manifest's raw reads and the restore use it."""
    if url is None:
        yield connections["default"]
        return
    import dj_database_url

    config = dict(connections["default"].settings_dict)
    parsed = dj_database_url.parse(url)
    config.update({k: parsed[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if k in parsed})
    if not (parsed["ENGINE"].endswith("sqlite3") and connections["default"].vendor == "sqlite"):
        config["ENGINE"] = parsed["ENGINE"]  # the project's SQLite backend stays for SQLite targets
    config["CONN_MAX_AGE"] = 0
    conn = load_backend(config["ENGINE"]).DatabaseWrapper(config, f"ops_{uuid.uuid4().hex[:8]}")
    try:
        yield conn
    finally:
        conn.close()
