"""Files holding personal data are the server user's alone (issue 13, finding 12): the SQLite database
with its WAL and shared-memory files 0600, uploaded photos 0600 in 0700 directories."""

from __future__ import annotations

import os
import stat

import pytest
from django.db import connection

from civicgrid.core.sqlite.base import DatabaseWrapper


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def wide_umask():
    """The usual 022 umask, under which SQLite and Python would create files 0644 and directories 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")
def test_a_new_sqlite_database_and_its_wal_files_are_owner_only(tmp_path, wide_umask, django_db_blocker):
    path = tmp_path / "new.sqlite3"
    with django_db_blocker.unblock():
        wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path), "TEST": {}}, "modes")
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
            cursor.execute("INSERT INTO t VALUES (1)")
        try:
            assert os.path.exists(f"{path}-wal") and os.path.exists(f"{path}-shm")  # WAL mode is on
            assert {name: mode(name) for name in (path, f"{path}-wal", f"{path}-shm")} == {
                path: 0o600, f"{path}-wal": 0o600, f"{path}-shm": 0o600}
        finally:
            wrapper.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")
def test_an_older_world_readable_database_is_narrowed_on_connect(tmp_path, django_db_blocker):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    with django_db_blocker.unblock():
        wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path), "TEST": {}}, "modes")
        wrapper.ensure_connection()
        wrapper.close()
    assert mode(path) == 0o600


def test_uploaded_files_and_their_directories_are_owner_only(tmp_path, settings, wide_umask):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path / "media")
    name = default_storage.save("cases/2026/12/photo.jpg", ContentFile(b"\xff\xd8 not really a photo"))
    assert mode(tmp_path / "media" / name) == 0o600
    for folder in ("media", "media/cases", "media/cases/2026", "media/cases/2026/12"):
        assert mode(tmp_path / folder) == 0o700, folder
