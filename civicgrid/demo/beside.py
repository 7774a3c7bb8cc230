"""Pure computation run in another process while the build goes on, on the machine's second core.

Only work that reads no database and draws from its own random stream belongs here (the patrols' walks and
tracks): it comes out the same wherever it runs, so the build stays the same for a seed. The child is
spawned (no inherited database connection), sets Django up, runs `module:function` on picklable arguments
and sends the result back through a pipe. This module imports no models: the child imports it first.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from importlib import import_module


class BesideFailed(RuntimeError):
    pass


def _run(conn, target: str, args: bytes, streamed: bool = False) -> None:
    try:
        import django

        django.setup()  # before the arguments are unpickled: their classes may live in modules with models
        module, function = target.split(":")
        value = getattr(import_module(module), function)(*pickle.loads(args))
        if streamed:  # each item as soon as it is made: the parent works on it while the next is made
            for item in value:
                conn.send(("item", item))
            value = None
        conn.send(("ok", value))
    except BaseException:  # noqa: BLE001 - the parent raises it, with the child's traceback
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class Beside:
    """`target(*args)` ("module:function") started in a child process; `result()` waits for it."""

    streamed = False

    def __init__(self, target: str, *args):
        context = multiprocessing.get_context("spawn")
        self._receive, send = context.Pipe(duplex=False)
        # daemon: a build that fails before asking for the result does not wait for the child at exit
        self._process = context.Process(target=_run, args=(send, target, pickle.dumps(args), self.streamed),
                                        daemon=True)
        self._process.start()
        send.close()
        self.target = target

    def result(self):
        try:
            status, value = self._receive.recv()  # before join: a large result fills the pipe
        except EOFError:
            self._process.join()
            status, value = "error", f"the child ended without a result (exit code {self._process.exitcode})"
        finally:
            self._receive.close()
            self._process.join()
        if status != "ok":
            raise BesideFailed(f"{self.target} failed in its process:\n{value}")
        return value

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


class BesideStream(Beside):
    """`target(*args)` returns an iterable, worked through in the child: iterating `items()` yields each
    item as it comes (the parent works on one while the child makes the next), then raises the child's
    failure if there was one. A consumer that stops early (its own error) ends the child."""

    streamed = True

    def items(self):
        status = "item"
        try:
            while True:
                try:
                    status, value = self._receive.recv()
                except EOFError:
                    status, value = "error", f"the child ended without a result (exit code {self._process.exitcode})"
                if status != "item":
                    break
                yield value
        finally:
            if status != "item":  # it has said its last word: let it end by itself
                self._process.join(5)
            self.cancel()
        if status != "ok":
            raise BesideFailed(f"{self.target} failed in its process:\n{value}")
