"""The project runs as `python -m civicgrid`, loads nothing from a CDN, and records vendored versions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # DB-independent: the SQLite pass only (./run)

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


def test_python_m_civicgrid_wraps_manage_py():
    result = subprocess.run([sys.executable, "-m", "civicgrid", "check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_templates_load_nothing_from_other_hosts():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("civicgrid/**/templates/**/*.html")
        if EXTERNAL.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_vendored_front_end_versions_are_recorded():
    vendor = ROOT / "civicgrid" / "static" / "vendor"
    versions = json.loads((vendor / "VERSIONS.json").read_text())
    assert versions["htmx.org"]["version"].startswith("2.")
    for name, info in versions.items():
        folder = vendor / name.replace(".org", "")
        for file in info["files"]:
            assert (folder / file).is_file(), f"{name}: {file} missing; run scripts/vendor.py"
