"""The demo build's time per stage, on a scratch database.

    .venv/bin/python bench/demo_build.py [--db sqlite|postgres] [--profile FILE] [-- build_demo options]

Migrates a fresh SQLite file (or PostgreSQL database `bench_demo`, dropped first), then runs `build_demo`
with the given options (default: the full default build) and prints its per-stage table: CPU seconds of
the build process and wall seconds (wall includes the database server and waiting for a core on a busy
machine, so compare CPU). `--profile FILE` runs the build under cProfile and writes the stats to FILE.
Targets (issue 18 item 10): the default build under about 2 minutes on SQLite and 5 on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "Bench#Pass2026"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_demo"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profile", default=None)
    parser.add_argument("options", nargs="*", help="build_demo options (after --)")
    args = parser.parse_args()
    env = dict(os.environ, CIVICGRID_VAR_DIR=tempfile.mkdtemp(prefix="demo-bench-"), CIVICGRID_DEMO_PASSWORD=PASSWORD)
    if args.db == "postgres":
        env["CIVICGRID_DATABASE_URL"] = PG_URL
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "bench_demo"], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "bench_demo"], check=True)
    subprocess.run([PY, "-m", "civicgrid", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
    started = time.perf_counter()
    out = subprocess.run([PY, *profile, "-m", "civicgrid", "build_demo", *args.options], cwd=ROOT, env=env,
                         check=True, text=True, capture_output=True).stdout
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    table = out[out.index("各阶段用时"):]
    print(f"build_demo {' '.join(args.options) or '(defaults)'} on {args.db}")
    print(table.strip())
    print(f"process: CPU {cpu:.1f} s (user+sys, with start-up), wall {wall:.1f} s")


if __name__ == "__main__":
    main()
