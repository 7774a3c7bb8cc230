"""A task for the recovery tests: its first run blocks (until the worker is killed), a later one returns."""

import time
from pathlib import Path

from django_tasks import task


@task()
def hold(path: str) -> int:
    marker = Path(path)
    with marker.open("a") as out:
        out.write("run\n")
    runs = len(marker.read_text().splitlines())
    if runs == 1:
        time.sleep(120)
    return runs
