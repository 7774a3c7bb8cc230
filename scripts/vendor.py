#!/usr/bin/env python3
"""Vendor front-end files from the npm registry into civicgrid/static/vendor/ and record versions.

Run: python scripts/vendor.py            (re-fetches the pinned versions below)
The result, including civicgrid/static/vendor/VERSIONS.json, is committed: the app never loads a CDN.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "civicgrid" / "static" / "vendor"

# package spec -> {file inside the package tarball: file name under vendor/<name>/}
PACKAGES = {
    "htmx.org@2.0.11": {"package/dist/htmx.min.js": "htmx.min.js"},
    "leaflet@1.9.4": {
        "package/dist/leaflet.js": "leaflet.js",
        "package/dist/leaflet.css": "leaflet.css",
        "package/dist/images/marker-icon.png": "images/marker-icon.png",
        "package/dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
        "package/dist/images/marker-shadow.png": "images/marker-shadow.png",
        "package/dist/images/layers.png": "images/layers.png",
        "package/dist/images/layers-2x.png": "images/layers-2x.png",
    },
    "echarts@5.6.0": {"package/dist/echarts.min.js": "echarts.min.js"},
    "alpinejs@3.14.9": {"package/dist/cdn.min.js": "alpine.min.js"},
}


def main() -> None:
    versions = {}
    with tempfile.TemporaryDirectory() as tmp:
        for spec, files in PACKAGES.items():
            name, version = spec.rsplit("@", 1)
            out = subprocess.run(
                ["npm", "pack", spec, "--json", "--pack-destination", tmp],
                check=True, capture_output=True, text=True,
            )
            info = json.loads(out.stdout)[0]
            target = DEST / name.replace(".org", "")
            if target.exists():
                shutil.rmtree(target)
            with tarfile.open(Path(tmp) / info["filename"]) as tar:
                for member, rel in files.items():
                    data = tar.extractfile(member).read()
                    path = target / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
            versions[name] = {"version": info["version"], "integrity": info["integrity"], "files": sorted(files.values())}
            print(f"{name}@{info['version']}")
    (DEST / "VERSIONS.json").write_text(json.dumps(versions, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
