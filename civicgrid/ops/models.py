"""The task workers' heartbeats: a worker killed with `kill -9` stops beating, so a task it left RUNNING can
be told from one that is merely long (ops/recovery.py)."""

from django.db import models


class WorkerBeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "任务进程心跳"

    def __str__(self):
        return f"{self.worker_id} ({self.host}:{self.pid})"
