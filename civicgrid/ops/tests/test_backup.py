"""Backup → write more → restore into a fresh database → verify equals the backup (both databases)."""

import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from civicgrid.cases.tests.conftest import world  # noqa: F401  (fixture)
from civicgrid.cases.tests.test_integrity import submit
from civicgrid.ops import backup


def _target_url(tmp_path: Path) -> tuple[str, callable]:
    """A database that does not exist yet, and how to drop it afterwards."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    args = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **args) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://{args['user']}@{args['host']}:{args['port']}/{name}", drop


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "a.jpg").write_bytes(b"\xff\xd8 first photo")
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_backup_write_restore_verify(world, media, tmp_path):  # noqa: F811
    submit(world)
    call_command("backup", output=str(tmp_path / "bk"))
    manifest = backup.read_manifest(tmp_path / "bk")
    assert manifest["tables"]["cases_case"]["rows"] == 1 and manifest["media"]["files"] == 1
    assert "data_key" in manifest and len(manifest["data_key"]) == 16

    submit(world, idempotency_key="second")  # written after the backup
    (media / "cases" / "b.jpg").write_bytes(b"\xff\xd8 second photo")
    live = backup.verify(tmp_path / "bk")
    assert any(line.startswith("table cases_case: row count differs") for line in live)
    assert any(line.startswith("media:") for line in live)
    with pytest.raises(CommandError, match="verification failed"):
        call_command("verify_backup", str(tmp_path / "bk"))

    url, drop = _target_url(tmp_path)
    try:
        call_command("restore", str(tmp_path / "bk"), database_url=url, media_root=str(tmp_path / "restored"))
        assert backup.verify(tmp_path / "bk", url=url, media_root=tmp_path / "restored") == []
        assert sorted(p.name for p in (tmp_path / "restored" / "cases").iterdir()) == ["a.jpg"]
        # a second restore into the same, now filled, database is refused: restores never overwrite
        with pytest.raises(CommandError, match="已存在|不为空"):
            call_command("restore", str(tmp_path / "bk"), database_url=url, media_root=str(tmp_path / "again"))
    finally:
        drop()


@pytest.mark.django_db(transaction=True)
def test_verify_names_the_table_whose_content_changed(world, media, tmp_path):  # noqa: F811
    case = submit(world)
    backup.backup(tmp_path / "bk")
    type(case).objects.filter(pk=case.pk).update(title="改过的标题")
    assert backup.verify(tmp_path / "bk") == [
        "table cases_case: content differs (backup 1 rows, here 1 rows)"]


def test_a_directory_without_manifest_is_refused(tmp_path):
    with pytest.raises(backup.BackupError, match="manifest.json"):
        backup.read_manifest(tmp_path)
