"""Docs are part of the product: these fail when a setting, command, role or permission is undocumented."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from civicgrid.accounts import docs as role_docs

pytestmark = pytest.mark.once  # DB-independent: the SQLite pass only (./run)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
VARIABLE = re.compile(r"CIVICGRID_[A-Z][A-Z0-9_]*")


def _variables_in_code() -> set[str]:
    found = set()
    settings_src = (ROOT / "civicgrid" / "settings.py").read_text()
    found |= {f"CIVICGRID_{name}" for name in re.findall(r'env(?:_bool|_int)?\("([A-Z0-9_]+)"', settings_src)}
    for path in [*ROOT.glob("civicgrid/**/*.py"), *ROOT.glob("tests/**/*.py"), ROOT / "run", ROOT / "conftest.py"]:
        found |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_setting_is_documented():
    documented = set(VARIABLE.findall((DOCS / "settings.md").read_text(encoding="utf-8")))
    missing = sorted(_variables_in_code() - documented)
    assert missing == [], f"add these to docs/settings.md: {missing}"


def test_every_management_command_is_documented():
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    ours = sorted(name for name, app in get_commands().items() if app.startswith("civicgrid"))
    assert ours, "no civicgrid commands found"
    missing = [name for name in ours if f"### {name}" not in text]
    assert missing == [], f"add a '### <command>' section to docs/commands.md for: {missing}"


def test_roles_page_is_current():
    assert role_docs.unknown_permissions() == []
    current = (DOCS / "roles.md").read_text(encoding="utf-8")
    assert current == role_docs.render(), "docs/roles.md is stale: run `python -m civicgrid render_roles_doc -o docs/roles.md`"


def test_core_docs_exist():
    for name in ["architecture.md", "roles.md", "settings.md", "commands.md", "glossary.md", "api.md"]:
        assert (DOCS / name).is_file(), f"docs/{name} is missing"


def test_readme_has_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^\s*(\./run \w+)\s*$", readme, flags=re.M)
    assert commands == ["./run demo", "./run test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./run test" in ci


# `docs/<path>.md` as written in docs, the README and code (not `../shared/docs/…`, outside the repository)
DOC_PATH = re.compile(r"(?<![\w./-])docs/[\w./-]+\.md\b")
MD_LINK = re.compile(r"\]\(([^)#\s:]+\.md)(?:#[^)]*)?\)")  # a relative Markdown link to a page


def _doc_references():
    texts = [ROOT / "README.md", *DOCS.rglob("*.md"), *ROOT.glob("civicgrid/**/*.py"), *ROOT.glob("bench/*.py"),
             *ROOT.glob("tests/**/*.py")]
    for path in texts:
        if path == Path(__file__).resolve():
            continue  # its own examples below
        text = path.read_text(encoding="utf-8")
        for name in DOC_PATH.findall(text):
            yield path, ROOT / name
        if path.suffix == ".md":
            for link in MD_LINK.findall(text):
                yield path, path.parent / link


def test_every_docs_page_mentioned_exists():
    references = list(_doc_references())
    assert len(references) > 50, "the pattern no longer finds the references"
    missing = sorted({f"{path.relative_to(ROOT)}: {os.path.relpath(target, ROOT)}"
                      for path, target in references if not target.is_file()})
    assert missing == [], f"these pages do not exist: {missing}"


def test_the_reference_check_finds_a_missing_page():
    assert DOC_PATH.findall("see docs/permissions.md.") == ["docs/permissions.md"]
    assert DOC_PATH.findall("`../shared/docs/domain/standards-cn.md`") == []
    assert MD_LINK.findall("[settings](settings.md) and [x](https://example.org/a.md)") == ["settings.md"]
