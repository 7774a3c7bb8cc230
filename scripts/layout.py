"""The production layout as real processes on one machine: nginx → 2 gunicorn instances (sync workers) →
the configured database, plus the task worker and the scheduler. docs/deployment.md describes it; the
fault tests (tests/faults) drive it.

    .venv/bin/python scripts/layout.py --port 8080      # runs until Ctrl-C; CIVICGRID_* from the environment

Everything lives in one scratch directory (nginx's config, pid, logs and temp paths), so it runs beside
a system nginx and leaves nothing behind.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
NGINX = "/usr/sbin/nginx"

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log {dir}/nginx-access.log;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fcgi;
  uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  client_max_body_size 25m;
  upstream civicgrid {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://civicgrid;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Request-ID $request_id;
      # a dead instance: try the other (POSTs are not resent: clients retry with their idempotency key)
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 5) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


class Layout:
    def __init__(self, env: dict, *, port: int | None = None, instances: int = 2, workers: int = 2,
                 workdir: Path | None = None):
        self.env = {**env, "CIVICGRID_TRUST_X_FORWARDED_FOR": "true"}
        self.port = port or free_port()
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="civicgrid-layout-"))
        self.instance_ports = [free_port() for _ in range(instances)]
        self.workers = workers
        self.gunicorns: list[subprocess.Popen] = []
        self.task_worker: subprocess.Popen | None = None
        self.worker_restarts = 0  # by a test, standing in for systemd's Restart=always
        self.scheduler: subprocess.Popen | None = None

    def _log(self, name: str):
        return open(self.dir / f"{name}.log", "ab")

    def start_instance(self, i: int) -> subprocess.Popen:
        proc = subprocess.Popen(
            [GUNICORN, "civicgrid.wsgi:application", "--bind", f"127.0.0.1:{self.instance_ports[i]}",
             "--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "5"],
            cwd=ROOT, env=self.env, stdout=self._log(f"gunicorn{i}"), stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group: an instance can be killed whole
        if i < len(self.gunicorns):
            self.gunicorns[i] = proc
        else:
            self.gunicorns.append(proc)
        return proc

    def start_task_worker(self) -> subprocess.Popen:
        self.task_worker = subprocess.Popen(
            [PY, "-m", "civicgrid", "run_worker", "--interval", "0.2", "--no-reload"], cwd=ROOT, env=self.env,
            stdout=self._log("worker"), stderr=subprocess.STDOUT, start_new_session=True)
        return self.task_worker

    def start(self, *, task_worker: bool = True, scheduler: bool = True) -> Layout:
        for d in ("body", "proxy", "fcgi", "uwsgi", "scgi"):
            (self.dir / d).mkdir(exist_ok=True)
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in self.instance_ports)
        (self.dir / "nginx.conf").write_text(NGINX_CONF.format(dir=self.dir, port=self.port, servers=servers))
        for i in range(len(self.instance_ports)):
            self.start_instance(i)
        subprocess.run([NGINX, "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir)], check=True)
        if task_worker:
            self.start_task_worker()
        if scheduler:
            self.scheduler = subprocess.Popen([PY, "-m", "civicgrid", "run_scheduler", "--tick", "1"], cwd=ROOT,
                                              env=self.env, stdout=self._log("scheduler"),
                                              stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if all(get(p, "/readyz") == 200 for p in self.instance_ports) and get(self.port, "/readyz") == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"layout not ready after {seconds} s; logs in {self.dir}")

    def worker_pids(self, i: int) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.gunicorns[i].pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill_one_worker(self, i: int) -> int:
        pid = self.worker_pids(i)[0]
        os.kill(pid, signal.SIGKILL)  # the master starts a new one
        return pid

    def kill_instance(self, i: int) -> None:
        os.killpg(self.gunicorns[i].pid, signal.SIGKILL)
        self.gunicorns[i].wait()

    def kill_task_worker(self) -> None:
        os.killpg(self.task_worker.pid, signal.SIGKILL)
        self.task_worker.wait()

    def stop(self) -> None:
        subprocess.run([NGINX, "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir), "-s", "stop"],
                       capture_output=True)
        for proc in [*self.gunicorns, self.task_worker, self.scheduler]:
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)

    def __enter__(self) -> Layout:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    layout = Layout(dict(os.environ), port=args.port, instances=args.instances, workers=args.workers)
    layout.start()
    print(f"nginx on http://127.0.0.1:{layout.port} → gunicorn on {layout.instance_ports}; logs in {layout.dir}")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        layout.stop()


if __name__ == "__main__":
    main()
