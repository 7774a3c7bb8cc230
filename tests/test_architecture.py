"""The import contracts of pyproject.toml ([tool.importlinter]) hold: core imports no domain app,
models/actions never import the web or API layers, and within each app web -> actions/queries -> models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # DB-independent: the SQLite pass only (./run)

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Internals of Django, psycopg and django-ninja that a minor release may rename or change silently. The
# project uses their public interfaces only (issue 19): connection.cursor(), connection.ops, the fields'
# own methods, ninja's response path.
PRIVATE = ("_ninja_", "health_check_done", "close_if_health_check_failed", "execute_wrappers", "queries_logged",
           "_autocommit", "pgconn", "_exec_command", "wrap_database_errors", "convert_query", "_get_key",
           "_result_cache", "_prefetched_objects_cache", "_known_related_objects", "_iterable_class", "_for_write",
           "_start_transaction_under_autocommit", "_commit", "_rollback", "_close", "_savepoint")
# A database backend is a subclass of Django's: overriding its transaction hooks is how every backend
# (Django's own among them) is written, so the project's SQLite backend may name exactly these.
BACKEND_HOOKS = {"_start_transaction_under_autocommit", "_commit", "_rollback", "_close"}
BACKEND = ROOT / "civicgrid" / "core" / "sqlite" / "base.py"


def _uses(text: str, name: str) -> bool:
    import re

    if name.endswith("_"):  # a prefix: any attribute that starts with it
        return re.search(rf"\b{re.escape(name)}\w*", text) is not None
    return re.search(rf"(?<![\w]){re.escape(name)}\b", text) is not None


def test_no_code_touches_a_private_attribute_of_django_psycopg_or_ninja():
    files = [*ROOT.glob("civicgrid/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py"),
             ROOT / "conftest.py"]
    found = []
    for path in files:
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        allowed = BACKEND_HOOKS if path == BACKEND else set()
        found += [f"{path.relative_to(ROOT)}: {name}" for name in PRIVATE if name not in allowed and _uses(text, name)]
    assert found == []


def test_the_private_attribute_check_finds_a_use():
    assert _uses("conn.health_check_done = True", "health_check_done")
    assert _uses("schema._ninja_resolvers", "_ninja_")
    assert _uses("raw._autocommit = True", "_autocommit")
    assert not _uses("self.do_autocommit()", "_autocommit") and not _uses("my_commit()", "_commit")
