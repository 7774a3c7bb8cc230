"""A private PostgreSQL 15 cluster for the fault tests: its own data directory and port on loopback, so a
test may restart it (or crash it) without touching the shared server other tests use.

PostgreSQL refuses to run as root: as root, every pg_ctl command runs as the `postgres` OS user, which
owns the scratch directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    def __init__(self, port: int, directory: Path | None = None):
        self.port = port
        self.own_dir = directory is None  # a directory it made itself it removes on stop
        self.dir = Path(directory or tempfile.mkdtemp(prefix="cg-pg-"))
        self.dir.mkdir(exist_ok=True)
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    @staticmethod
    def available() -> bool:
        return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()

    def _run(self, *cmd: str, timeout: float = 120) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=timeout, cwd=self.dir)

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run(str(BIN / "pg_ctl"), action, "-D", str(self.data), "-w", "-t", "60", *args)

    def start(self) -> Cluster:
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir}"
        self._pg_ctl("start", "-l", str(self.log), "-o", options)
        return self

    def restart(self, mode: str) -> None:
        """`fast`: sessions are ended and the cluster shuts down cleanly; `immediate`: every server process
        quits at once, as in a crash, and the restart replays the WAL."""
        self._pg_ctl("restart", "-m", mode, "-l", str(self.log))

    def stop(self) -> None:
        try:
            self._pg_ctl("stop", "-m", "immediate")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass  # not running
        if self.own_dir:  # else the caller keeps the data and the log when a test failed (test_faults.scratch)
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"
