"""The RQ worker class for the scale option (settings.RQ["WORKER_CLASS"], used by `rqworker`).

RQ 3.0's teardown unsubscribes from its command channel and then joins the listener thread; with
redis-py 8 a thread woken by the unsubscribe reply before it sees its stop flag waits out its whole 60 s
poll for a new subscription, so a worker asked to stop (a deploy, a scale-down) could hang for a minute.
Clearing the flag first lets the reply end the thread at once.
"""

from __future__ import annotations

from rq import SimpleWorker, Worker


class _StopsListenerFirst:
    def unsubscribe(self):
        if self.pubsub_thread:
            self.pubsub_thread.stop(timeout=0)  # clears its flag only: the unsubscribe reply wakes it to exit
        super().unsubscribe()


class CivicgridWorker(_StopsListenerFirst, Worker):
    """Forks a work horse per job, as RQ's default worker does."""


class CivicgridSimpleWorker(_StopsListenerFirst, SimpleWorker):
    """Runs jobs in its own process (tests: the jobs see the test's database transaction)."""
