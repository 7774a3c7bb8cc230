"""A task worker's heartbeat: a daemon thread (with its own database connection) that notes the worker as
alive every few seconds, even while the worker's main thread runs a long task, and recovers tasks lost by
dead workers (ops/recovery.py) every half lease."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from civicgrid.ops import recovery

logger = logging.getLogger("civicgrid.ops")


def beat(worker_id: str, started_at) -> None:
    from civicgrid.ops.models import WorkerBeat

    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started_at,
                  "seen_at": timezone.now()})


def forget(worker_id: str) -> None:
    from civicgrid.ops.models import WorkerBeat

    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def recover_and_log() -> dict[str, int]:
    counts = recovery.recover()
    if counts["failed"]:
        logger.warning("recovered tasks lost by a dead worker: %s", counts)
    return counts


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.every = max(0.2, min(10.0, settings.TASK_LEASE_SECONDS / 3))
        self.recover_every = max(self.every, settings.TASK_LEASE_SECONDS / 2)
        self.stopping = threading.Event()

    def run(self) -> None:
        since_recovery = 0.0
        try:
            while not self.stopping.is_set():
                close_old_connections()
                try:
                    beat(self.worker_id, self.started_at)
                    if since_recovery >= self.recover_every:
                        since_recovery = 0.0
                        recover_and_log()
                except DatabaseError as exc:  # the database restarting: beat again at the next turn
                    logger.warning("heartbeat of %s: %s", self.worker_id, exc)
                    connection.close()
                self.stopping.wait(self.every)
                since_recovery += self.every
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
