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
