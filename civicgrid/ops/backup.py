"""Consistent backups and restores.

A backup is a directory: the database (`db.sqlite3` through SQLite's online backup API, or `db.dump`,
`pg_dump` custom format taken in the very snapshot the manifest was computed in), `media.tar` and
`manifest.json` (ops/manifest.py). The data key stays out: the manifest names it by fingerprint, and the
restorer brings the key from the secret store.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction

from civicgrid.core.errors import DomainError
from civicgrid.ops import manifest

FORMAT = 1


class BackupError(DomainError):
    status = 400
    code = "backup_failed"


def _pg_env(config: dict) -> tuple[list[str], dict]:
    """pg_dump/pg_restore connection arguments and environment (the password never on a command line)."""
    args = ["--host", config.get("HOST") or "127.0.0.1", "--port", str(config.get("PORT") or 5432),
            "--username", config.get("USER") or "postgres"]
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return args, env


def _run(cmd: list[str], env: dict | None = None) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{cmd[0]} 失败:{done.stderr.strip()[-500:]}")


def backup(dest: Path, *, using: str = "default", media_root: Path | None = None) -> dict:
    media_root = Path(media_root or settings.MEDIA_ROOT)
    dest.mkdir(parents=True, exist_ok=False)
    conn = connections[using]
    if conn.vendor == "postgresql":
        with transaction.atomic(using=using), conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            args, env = _pg_env(conn.settings_dict)
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(dest / "db.dump"),
                  *args, conn.settings_dict["NAME"]], env)
            data = manifest.compute(conn)  # the same snapshot as the dump
    elif conn.vendor == "sqlite":
        conn.ensure_connection()
        copy = sqlite3.connect(dest / "db.sqlite3")
        with copy:
            conn.connection.backup(copy)  # one step: a consistent copy even while others write
        copy.close()
        with manifest.database(f"sqlite:///{dest / 'db.sqlite3'}") as copy_conn:
            data = manifest.compute(copy_conn)
    else:
        raise BackupError(f"不支持的数据库:{conn.vendor}")
    with tarfile.open(dest / "media.tar", "w") as tar:
        if media_root.exists():
            tar.add(media_root, arcname=".")
    data["media"] = manifest.media_digest(media_root)
    data["format"] = FORMAT
    data["created_at"] = datetime.now(UTC).isoformat()
    (dest / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return data


def read_manifest(src: Path) -> dict:
    path = src / "manifest.json"
    if not path.exists():
        raise BackupError(f"{src} 不是备份目录(缺少 manifest.json)")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise BackupError(f"备份格式 {data.get('format')} 不受支持")
    return data


def restore(src: Path, *, url: str, media_root: Path) -> dict:
    """Restore into a database that does not exist yet (or, on PostgreSQL, exists and is empty) and an
    empty media directory: a restore never overwrites live data."""
    data = read_manifest(src)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"媒体目录 {media_root} 不为空")
    with manifest.database(url) as conn:
        if conn.vendor != data["vendor"]:
            raise BackupError(f"备份来自 {data['vendor']},目标是 {conn.vendor}")
        if conn.vendor == "sqlite":
            target = Path(conn.settings_dict["NAME"])
            if target.exists() and target.stat().st_size:
                raise BackupError(f"目标数据库 {target} 已存在")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / "db.sqlite3", target)
        else:
            _create_empty_pg(conn.settings_dict)
            args, env = _pg_env(conn.settings_dict)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args,
                  "--dbname", conn.settings_dict["NAME"], str(src / "db.dump")], env)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(src / "media.tar") as tar:
        tar.extractall(media_root, filter="data")
    return data


def _create_empty_pg(config: dict) -> None:
    import psycopg

    args = {"host": config.get("HOST") or "127.0.0.1", "port": config.get("PORT") or 5432,
            "user": config.get("USER") or "postgres", "password": config.get("PASSWORD") or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **args) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            admin.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(config["NAME"])))
            return
    with psycopg.connect(dbname=config["NAME"], **args) as target:
        tables = target.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    if tables:
        raise BackupError(f"目标数据库 {config['NAME']} 不为空({tables} 张表)")


def verify(src: Path, *, url: str | None = None, media_root: Path | None = None) -> list[str]:
    """What differs between the backup and the database at `url` (None: the configured one)."""
    expected = read_manifest(src)
    with manifest.database(url) as conn:
        actual = manifest.compute(conn)
    actual["media"] = manifest.media_digest(Path(media_root or settings.MEDIA_ROOT))
    return manifest.differences(expected, actual)
